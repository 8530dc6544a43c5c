// The errors of rtnetlink requests, in a module of their own so that code
// which only classifies them (the route manager's status mapping) loads no
// socket and no native addon.
import { constants } from 'node:os';

/** A failed rtnetlink request; errno and code as dataplane's NativeError has them. */
export class NetlinkError extends Error {
  constructor(
    /** positive errno (EEXIST = 17, ESRCH = 3, ...) */
    readonly errno: number,
    /** its symbolic name, such as 'EEXIST' */
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'NetlinkError';
  }
}

/** The dump changed while the kernel produced it (NLM_F_DUMP_INTR): take it again. */
export class DumpInterruptedError extends NetlinkError {
  constructor(what: string) {
    super(constants.errno.EAGAIN, 'EAGAIN', `${what}: the kernel's tables changed during the dump`);
    this.name = 'DumpInterruptedError';
  }
}
