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
import { readFileSync, writeFileSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import type { Logger } from '../log.js';
import { STAT, statField } from '../proc-stat.js';

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
  const group = raiseAutogroup();
  // lowering a thread's own priority needs no right
  return () => {
    setPriority(0, before);
    group();
  };
}

const AUTOGROUP = '/proc/self/autogroup';

/**
 * With autogroup scheduling (sched_autogroup_enabled, the default on many
 * kernels), a session's threads form one group, weighed against each NAPI
 * thread as a single task at the group's nice: the event loop's own nice
 * only ranks it among the daemon's threads, and on a saturated CPU it
 * waited 27 ms for its turn (the slow-path bench's GetStats probe). When
 * the daemon leads its session (under systemd, or `setsid`), the group is
 * the daemon's own and is raised with the event loop; a daemon started
 * from a shell shares that shell's group, which it leaves alone. Returns
 * what puts the group's nice back.
 */
function raiseAutogroup(): () => void {
  let before: number;
  try {
    const m = /nice (-?\d+)/.exec(readFileSync(AUTOGROUP, 'utf8'));
    if (!m || statField(readFileSync('/proc/self/stat', 'utf8'), STAT.SESSION) !== process.pid) return () => undefined;
    before = Number(m[1]);
    if (before <= EVENT_LOOP_NICE) return () => undefined;
    writeFileSync(AUTOGROUP, String(EVENT_LOOP_NICE));
  } catch {
    // no autogroup (disabled, or the daemon runs in a cgroup of its own): the thread's nice is all there is
    return () => undefined;
  }
  return () => {
    try {
      writeFileSync(AUTOGROUP, String(before));
    } catch {
      // the group went with its session: nothing to put back
    }
  };
}
