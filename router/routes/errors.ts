// Why a route request was refused, in the API's status names, so the gRPC
// layer only has to translate. The message names the request field at fault.
import { NetlinkError } from '../sync/netlink-error.js';

export type RequestStatus =
  | 'INVALID_ARGUMENT'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'FAILED_PRECONDITION'
  | 'DEADLINE_EXCEEDED'
  | 'UNAVAILABLE'
  | 'RESOURCE_EXHAUSTED'
  | 'CANCELLED'
  | 'INTERNAL';

export class RequestError extends Error {
  constructor(
    readonly status: RequestStatus,
    message: string,
  ) {
    super(message);
    this.name = 'RequestError';
  }
}

/** A field the request got wrong: "route.prefix: ...". */
export const invalid = (field: string, problem: string): RequestError => new RequestError('INVALID_ARGUMENT', `${field}: ${problem}`);

// What the kernel's refusal means for the client. Most are caught by the
// validation first; these cover races (a route added meanwhile) and
// whatever the kernel knows that the sync's copy does not.
const KERNEL_STATUS: Record<string, RequestStatus> = {
  EEXIST: 'ALREADY_EXISTS',
  ESRCH: 'NOT_FOUND',
  ENOENT: 'NOT_FOUND',
  EINVAL: 'INVALID_ARGUMENT',
  ENETUNREACH: 'INVALID_ARGUMENT',
  EHOSTUNREACH: 'INVALID_ARGUMENT',
  ENODEV: 'INVALID_ARGUMENT',
  ENETDOWN: 'FAILED_PRECONDITION',
  ETIMEDOUT: 'UNAVAILABLE',
  EBADF: 'UNAVAILABLE',
};

/** A failed kernel request as the client should see it; `field` names what it concerned. */
export function fromKernel(err: unknown, field: string): RequestError {
  if (err instanceof RequestError) return err;
  if (err instanceof NetlinkError) {
    const status = KERNEL_STATUS[err.code] ?? 'INTERNAL';
    const text = `the kernel refused: ${err.message}`;
    return new RequestError(status, status === 'INVALID_ARGUMENT' ? `${field}: ${text}` : text);
  }
  return new RequestError('INTERNAL', err instanceof Error ? err.message : String(err));
}
