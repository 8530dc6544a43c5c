// The control plane while the AF_XDP slow path is saturated (its flow-mix
// run in `npm run bench -- forward`): a kernel route added in the router
// namespace, timed until the fast path's FIB has it; GetStats over the API,
// one call after another; and the CPU each slow-path worker thread last ran
// on. The event loop must keep answering while the workers forward.
import { readdirSync, readFileSync } from 'node:fs';
import type { FastPath } from '../dataplane/fastpath.js';
import { connect, unary } from '../router/api/client.js';
import { ip } from '../router/lab/netns.js';
import type { Lab } from '../router/lab/topology.js';
import type { RouterDaemon } from '../support/daemon.js';
import { sleep } from './progress.js';

export interface SlowPathUnderLoad {
  /** the daemon's AF_XDP worker threads ("xr-xsk IFINDEX:QUEUE") and the CPU each last ran on */
  workers: Array<{ thread: string; cpu: number }>;
  /** from `ip route add` in the router namespace to the route in the fast path's FIB */
  routeToFastPathMs: number;
  /** GetStats round trips over the API: the slowest and the median */
  getStatsMaxMs: number;
  getStatsP50Ms: number;
}

/** a route added and removed while the slow path is saturated: outside the punted prefix, via host B */
const PROBE_ROUTE = '198.51.100.200/32';
const GET_STATS_CALLS = 20;
const ROUTE_WAIT_MS = 10_000;
/** /proc/PID/task/TID/stat: the CPU it last ran on is field 39 */
const STAT_PROCESSOR = 39;

/** The daemon's threads whose name starts with prefix, with the CPU each last ran on. */
function threadsOf(pid: number, prefix: string): Array<{ thread: string; cpu: number }> {
  const out: Array<{ thread: string; cpu: number }> = [];
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const comm = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      if (!comm.startsWith(prefix)) continue;
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      // fields from the third on follow the command's closing parenthesis
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.push({ thread: comm, cpu: Number(fields[STAT_PROCESSOR - 3]) });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

export async function probeSlowPath(lab: Lab, daemon: RouterDaemon, fp: FastPath): Promise<SlowPathUnderLoad> {
  const address = PROBE_ROUTE.split('/')[0]!;
  const t0 = performance.now();
  await ip(['route', 'add', PROBE_ROUTE, 'via', lab.b.v4, 'dev', lab.router.toB.dev], lab.router.ns);
  let routeToFastPathMs: number;
  try {
    while (!fp.lookupRoute(address)) {
      if (performance.now() - t0 > ROUTE_WAIT_MS) throw new Error(`${PROBE_ROUTE} did not reach the fast path in ${ROUTE_WAIT_MS} ms while the slow path was saturated`);
      await sleep(1);
    }
    routeToFastPathMs = performance.now() - t0;
  } finally {
    await ip(['route', 'del', PROBE_ROUTE], lab.router.ns);
  }
  const api = connect({ socket: daemon.apiSocket });
  const ms: number[] = [];
  try {
    for (let i = 0; i < GET_STATS_CALLS; i++) {
      const t = performance.now();
      await unary((cb) => api.status.GetStats({}, cb));
      ms.push(performance.now() - t);
    }
  } finally {
    api.close();
  }
  ms.sort((a, b) => a - b);
  return { workers: threadsOf(daemon.pid, 'xr-xsk'), routeToFastPathMs, getStatsMaxMs: ms[ms.length - 1]!, getStatsP50Ms: ms[Math.floor(ms.length / 2)]! };
}

/** One line for the progress log. */
export function describeUnderLoad(u: SlowPathUnderLoad): string {
  return (
    `a route reached the fast path in ${u.routeToFastPathMs.toFixed(1)} ms, GetStats answered in ${u.getStatsMaxMs.toFixed(1)} ms at worst ` +
    `(median ${u.getStatsP50Ms.toFixed(1)}); workers ${u.workers.map((w) => `${w.thread} on CPU ${w.cpu}`).join(', ')}`
  );
}
