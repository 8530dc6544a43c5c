// The control plane while the AF_XDP slow path is saturated (its flow-mix
// run in `npm run bench -- forward`): a kernel route added in the router
// namespace, timed until the fast path's FIB has it; GetStats over the API,
// one call after another; and the CPU each slow-path worker thread last ran
// on. The event loop must keep answering while the workers forward.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastPath } from '../dataplane/fastpath.js';
import { ip, run } from '../router/lab/netns.js';
import { STAT, statField } from '../router/proc-stat.js';
import type { Lab } from '../router/lab/topology.js';
import type { RouterDaemon } from '../support/daemon.js';
import type { GetStatsRoundTrips } from './getstats-client.js';
import { PACKAGE_ROOT } from './paths.js';
import { sleep } from './progress.js';

export interface SlowPathUnderLoad {
  /**
   * the daemon's AF_XDP worker threads ("xr-xsk IFINDEX:QUEUE"), the CPU
   * each last ran on and its CPU time since the daemon started, ms (absent
   * from results taken before it was reported): a worker whose socket
   * receives nothing sleeps in poll and should take next to none
   */
  workers: Array<{ thread: string; cpu: number; cpuMs?: number }>;
  /** from `ip route add` in the router namespace to the route in the fast path's FIB */
  routeToFastPathMs: number;
  /** GetStats round trips over the API: the slowest and the median */
  getStatsMaxMs: number;
  getStatsP50Ms: number;
  /** the first round trip (absent from results taken before it was reported) */
  getStatsFirstMs?: number;
  /** the client's connect before its first call, timed apart (absent from results taken before it was) */
  getStatsConnectMs?: number;
  /**
   * Of the slowest round trip, how long the daemon's event loop, its other
   * threads and the client were ready to run but waited for a CPU
   */
  getStatsMaxWaits: { daemonMs: number; daemonHelpersMs: number; clientMs: number; daemonRunMs?: number };
  /** the CPUs the GetStats client ran on, never the generator's; absent from results taken while it ran beside the generator */
  clientCpus?: string;
}

/** a route added and removed while the slow path is saturated: outside the punted prefix, via host B */
const PROBE_ROUTE = '198.51.100.200/32';
const GET_STATS_CALLS = 20;
/** the workers' thread names: "xr-xsk IFINDEX:QUEUE" */
export const WORKER_PREFIX = 'xr-xsk';
const GET_STATS_CLIENT = join(PACKAGE_ROOT, 'dist', 'bench', 'getstats-client.js');
const ROUTE_WAIT_MS = 10_000;

/** The daemon's threads whose name starts with prefix, with the CPU each last ran on and its time on a CPU so far, ns. */
function threadsOf(pid: number, prefix: string): Array<{ tid: number; thread: string; cpu: number; cpuNs: number }> {
  const out: Array<{ tid: number; thread: string; cpu: number; cpuNs: number }> = [];
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const comm = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      if (!comm.startsWith(prefix)) continue;
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const cpuNs = Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      out.push({ tid: Number(tid), thread: comm, cpu: statField(stat, STAT.PROCESSOR), cpuNs });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** The thread ids of the daemon's slow-path workers. */
export function workerThreads(pid: number): number[] {
  return threadsOf(pid, WORKER_PREFIX).map((w) => w.tid);
}

/** The time the daemon's slow-path workers have run on a CPU so far, ns. */
export function workerCpuNs(pid: number): number {
  return threadsOf(pid, WORKER_PREFIX).reduce((sum, w) => sum + w.cpuNs, 0);
}

/**
 * The probe, while the slow path is saturated. clientCpus: where the
 * GetStats client runs (taskset's list), off the generator's CPU.
 */
export async function probeSlowPath(lab: Lab, daemon: RouterDaemon, fp: FastPath, clientCpus: string): Promise<SlowPathUnderLoad> {
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
  // the client in a process of its own on clientCpus, in its own session:
  // in the benchmark's process it would share the generator's CPU
  const output = await run(['setsid', 'taskset', '-c', clientCpus, process.execPath, GET_STATS_CLIENT, daemon.apiSocket, String(daemon.pid), String(GET_STATS_CALLS)]);
  const trips = JSON.parse(output) as GetStatsRoundTrips;
  const calls = trips.calls;
  const slowest = calls[calls.length - 1]!;
  return {
    workers: threadsOf(daemon.pid, WORKER_PREFIX).map(({ thread, cpu, cpuNs }) => ({ thread, cpu, cpuMs: cpuNs / 1e6 })),
    routeToFastPathMs,
    getStatsMaxMs: slowest.ms,
    getStatsP50Ms: calls[Math.floor(calls.length / 2)]!.ms,
    getStatsFirstMs: calls.find((c) => c.order === 0)!.ms,
    getStatsConnectMs: trips.connectMs,
    getStatsMaxWaits: { daemonMs: slowest.daemonMs, daemonHelpersMs: slowest.daemonHelpersMs, clientMs: slowest.clientMs, daemonRunMs: slowest.daemonRunMs },
    clientCpus: trips.clientCpus,
  };
}

/** One line for the progress log. */
export function describeUnderLoad(u: SlowPathUnderLoad): string {
  return (
    `a route reached the fast path in ${u.routeToFastPathMs.toFixed(1)} ms, GetStats answered in ${u.getStatsMaxMs.toFixed(1)} ms at worst ` +
    `(median ${u.getStatsP50Ms.toFixed(1)}${u.getStatsFirstMs !== undefined ? `, the first ${u.getStatsFirstMs.toFixed(1)}` : ''}` +
    `${u.getStatsConnectMs !== undefined ? `, after the client's connect, ${u.getStatsConnectMs.toFixed(1)} ms, timed apart` : ''}; ` +
    `${u.getStatsMaxWaits.daemonRunMs !== undefined ? `in the slowest the daemon's event loop ran ${u.getStatsMaxWaits.daemonRunMs.toFixed(1)} ms; ` : ''}` +
    `the slowest waited for a CPU ${u.getStatsMaxWaits.daemonMs.toFixed(1)} ms in the daemon's event loop, ` +
    `${u.getStatsMaxWaits.daemonHelpersMs.toFixed(1)} ms in its other threads but the workers, ` +
    `${u.getStatsMaxWaits.clientMs.toFixed(1)} ms in the client${u.clientCpus ? `, a process of its own on CPU ${u.clientCpus}` : ''}); workers ${u.workers.map((w) => `${w.thread} on CPU ${w.cpu}${w.cpuMs !== undefined ? ` (${w.cpuMs.toFixed(0)} ms of CPU so far)` : ''}`).join(', ')}`
  );
}

/** One line for the progress log: the probe during a paced run. */
export function describeAtRate(u: SlowPathUnderLoad & { offeredMpps: number; loss: number }): string {
  return `${u.offeredMpps.toFixed(2)} Mpps offered, ${(100 * u.loss).toFixed(2)}% lost: ${describeUnderLoad(u)}`;
}

/**
 * What each AF_XDP socket did over the daemon's run, from its log line at
 * the slow path's stop: frames read and sent, and the kernel's drops by
 * reason (XDP_STATISTICS); then what the forwarder made of the frames it
 * read (sent, or dropped at a full TX ring, ...): counts that do not depend
 * on the machine's load.
 */
export function describeClosedSockets(daemonLog: string): string[] {
  const lines = daemonLog.split('\n');
  const forwarder = lines
    .filter((line) => line.includes('"msg":"slow path forwarder closed"'))
    .map((line) => {
      const { results } = JSON.parse(line) as { results: Array<{ outcome: string; action: string; packets: number }> };
      return `the slow path's forwarder: ${results.map((r) => `${r.packets} ${r.outcome} (${r.action})`).join(', ') || 'no frames'}`;
    });
  return lines
    .filter((line) => line.includes('"msg":"AF_XDP socket closed"'))
    .map((line) => {
      const s = JSON.parse(line) as Record<string, number>;
      return (
        `AF_XDP socket ifindex ${s.ifindex} queue ${s.queue}: received ${s.received}, transmitted ${s.transmitted}; the kernel dropped ` +
        `${s.fillRingEmpty} at an empty fill ring, ${s.rxRingFull} at a full RX ring, ${s.rxDropped} in all on receive; ` +
        `TX ring found empty ${s.txRingEmpty} times; transmit budget ${s.txBudget || 'the kernel\'s'} frames per kick`
      );
    })
    .concat(forwarder);
}
