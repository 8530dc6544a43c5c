// The event loop ahead of the slow path's workers while they run. A
// saturated worker and the NAPI threads that feed and drain its sockets
// keep a CPU busy; as their equal, the event loop waited for its turn at
// every wake-up (`npm run bench -- forward --paths slowpath` times GetStats
// and its waits for a CPU meanwhile). Ahead of them, it runs
// as soon as it has work: it needs little CPU, so the workers lose little.
// Linux's nice is per thread: this is the calling thread's; the workers
// set their own (nice 0, native/slowpath_worker.cc). Under the systemd
// unit the daemon starts at this nice already (Nice=); elsewhere raising
// it needs CAP_SYS_NICE.
import { getPriority, setPriority } from 'node:os';
import type { Logger } from '../log.js';

/** The event loop's nice while the slow path runs. */
export const EVENT_LOOP_NICE = -10;

/**
 * Raise the calling thread (the event loop) to EVENT_LOOP_NICE; returns what
 * puts its priority back. Without the right to (CAP_SYS_NICE), says so and
 * leaves it.
 */
export function raiseEventLoop(log: Logger): () => void {
  const before = getPriority(0);
  if (before <= EVENT_LOOP_NICE) return () => undefined;
  try {
    setPriority(0, EVENT_LOOP_NICE);
  } catch (err) {
    log.warn('the event loop keeps its priority beside the slow path: API answers and route changes may wait for a CPU while it is saturated (grant CAP_SYS_NICE)', { err: err as Error });
    return () => undefined;
  }
  // lowering a thread's own priority needs no right
  return () => setPriority(0, before);
}
