// Domain refusals -> gRPC statuses. The route and status modules name a
// status; this is the one place that knows grpc-js's numbers.
import * as grpc from '@grpc/grpc-js';
import type { Logger } from '../log.js';
import { RequestError } from '../routes/errors.js';

export function serviceError(err: unknown): Partial<grpc.StatusObject> {
  if (err instanceof RequestError) return { code: grpc.status[err.status], details: err.message };
  return { code: grpc.status.INTERNAL, details: err instanceof Error ? err.message : String(err) };
}

/** What a call answers before the daemon is in sync, or while it stops. */
export const notReady = (): RequestError =>
  new RequestError('UNAVAILABLE', 'the daemon is not serving yet (the fast path is being synced) or is stopping; retry');

/**
 * Answer a unary call with what `work` returns. A refusal is the client's
 * business; anything else is a bug or a kernel surprise, and is logged.
 */
export function replier(log: Logger) {
  return <T>(callback: grpc.sendUnaryData<T>, work: () => T | Promise<T>): void => {
    Promise.resolve()
      .then(work)
      .then(
        (answer) => callback(null, answer),
        (err: unknown) => {
          if (!(err instanceof RequestError)) log.error('API call failed', { err: err as Error });
          callback(serviceError(err));
        },
      );
  };
}
