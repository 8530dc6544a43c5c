// The benchmarks' lab: kernel forwarding on and xdp-router running on its
// router (logging at info, as in service); fn gets it, and everything is
// removed after it, also on Ctrl-C.
import { destroyLab } from '../router/lab/topology.js';
import { withLabDaemon } from '../support/lab-daemon.js';
import type { LabDaemon } from '../support/lab-daemon.js';
import { onInterrupt } from './cleanup.js';

export function withRouterLab<T>(prefix: string, fn: (h: LabDaemon) => Promise<T>): Promise<T> {
  const release = onInterrupt(() => destroyLab(prefix));
  return withLabDaemon({ prefix, logLevel: 'info' }, fn).finally(release);
}
