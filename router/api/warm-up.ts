// The status calls a prober or an operator's `xdp-router status` makes,
// made once by the daemon itself over its own socket as soon as it serves.
// The first call of each method pays for V8 compiling, on first use, node's
// HTTP/2 server path, grpc-js's call path and our handler, and for
// protobufjs generating the response's codec: 23 ms of the event loop's CPU
// for the first GetStats, against 2 to 4 ms for the next ones (the slow
// path's probe in `npm run bench -- forward`). Under load that first call
// also waits for the CPU that long again. Paid here, at start, instead.
//
// These calls carry WARM_UP_METADATA, and the API's metrics leave them out:
// a counter of calls answered counts the callers' calls.
import * as grpc from '@grpc/grpc-js';
import type { Logger } from '../log.js';
import { connect, unary } from './client.js';

/** The metadata key that marks the daemon's own warm-up calls. */
export const WARM_UP_METADATA = 'xdp-router-warm-up';

/** Give up on a call after this long: a warm-up never holds a stop or a start. */
const CALL_DEADLINE_MS = 5000;

/** Make each status method's first call over the unix socket at `socket`; never throws. */
export async function warmUp(socket: string, log: Logger): Promise<void> {
  const started = performance.now();
  const api = connect({ socket });
  const metadata = new grpc.Metadata();
  metadata.set(WARM_UP_METADATA, '1');
  const options = (): grpc.CallOptions => ({ deadline: Date.now() + CALL_DEADLINE_MS });
  try {
    await unary((cb) => api.status.GetStatus({}, metadata, options(), cb));
    await unary((cb) => api.status.GetStats({}, metadata, options(), cb));
    await unary((cb) => api.status.ListInterfaces({}, metadata, options(), cb));
    await unary((cb) => api.status.ListNeighbors({}, metadata, options(), cb));
    log.info('API warmed up', { calls: 'GetStatus, GetStats, ListInterfaces, ListNeighbors', ms: Math.round(performance.now() - started) });
  } catch (err) {
    // a stop that began meanwhile, or a call the daemon refused: the real
    // first call just pays the compile itself
    log.debug('API warm-up cut short', { err: err as Error });
  } finally {
    api.close();
  }
}
