// The slow-path probe's GetStats client (bench/slowpath-probe.ts), a process
// of its own so that it runs off the generator's CPU: the benchmark's own
// process shares that CPU with the generator's thread, and the slowest
// round trip timed there waited 20 to 164 ms for its own client to get the
// CPU back, against 2.6 to 8 ms in the daemon's event loop. Started
// pinned to the control plane's CPU, in a session of its own (setsid), at
// the default priority: the daemon's event loop, raised
// (router/slowpath/event-loop-priority.ts), goes first when both are ready,
// as it would beside a client on another host. Raised too, the two took
// turns on that one CPU and each waited 13 to 29 ms for the other in the
// slowest call. Each call's waits are still reported apart. The connect
// comes first and is timed apart: an operator's client or a prober
// connects once and calls many times.
//
//   node dist/bench/getstats-client.js SOCKET DAEMON_PID CALLS
//
// Prints one JSON line: GetStatsRoundTrips.
import { readFileSync, readdirSync } from 'node:fs';
import { connect, unary } from '../router/api/client.js';
import { WORKER_PREFIX } from './slowpath-probe.js';

export interface GetStatsRoundTrips {
  /** every round trip, ms, slowest last */
  calls: Array<{
    ms: number;
    /** the call's place in the sequence, 0 first: the first pays the client's first use of GetStats (its decoder made, its code compiled) */
    order: number;
    /** how long, ms, meanwhile, the daemon's event loop ran on a CPU */
    daemonRunMs: number;
    /** how long, ms, meanwhile, each was ready to run but waited for a CPU: the daemon's event loop, its other threads but the workers, this client's event loop */
    daemonMs: number;
    daemonHelpersMs: number;
    clientMs: number;
  }>;
  /** the CPUs this client may run on, as the kernel has them */
  clientCpus: string;
  /** the client's connect, ms, before the first call: timed apart, as a client connects once and calls many times */
  connectMs: number;
}

/** A thread's schedstat: its time on a CPU and waiting on a run queue so far, ns. */
function schedstat(pid: number, tid: number): { runNs: number; waitNs: number } {
  const [run, wait] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ');
  return { runNs: Number(run), waitNs: Number(wait) };
}

/** Run-queue waits so far, ns, summed over the daemon's threads other than its event loop and its slow-path workers: libuv's pool, V8's helpers. */
function helperWaitNs(pid: number): number {
  let total = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    if (Number(tid) === pid) continue;
    try {
      if (readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').startsWith(WORKER_PREFIX)) continue;
      total += schedstat(pid, Number(tid)).waitNs;
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

const CONNECT_DEADLINE_MS = 10_000;

async function main(): Promise<void> {
  const [socket, pidText, callsText] = process.argv.slice(2);
  const daemonPid = Number(pidText);
  const count = Number(callsText);
  if (!socket || !Number.isInteger(daemonPid) || !Number.isInteger(count) || count < 1) {
    throw new Error(`usage: getstats-client SOCKET DAEMON_PID CALLS (got ${process.argv.slice(2).join(' ')})`);
  }
  const waits = (): [number, number, number, number] => {
    const loop = schedstat(daemonPid, daemonPid);
    return [loop.waitNs, helperWaitNs(daemonPid), schedstat(process.pid, process.pid).waitNs, loop.runNs];
  };
  const api = connect({ socket });
  const calls: GetStatsRoundTrips['calls'] = [];
  let connectMs: number;
  try {
    const connecting = performance.now();
    await new Promise<void>((resolve, reject) => api.status.waitForReady(Date.now() + CONNECT_DEADLINE_MS, (err) => (err ? reject(err) : resolve())));
    connectMs = performance.now() - connecting;
    for (let i = 0; i < count; i++) {
      const [daemon0, helpers0, client0, run0] = waits();
      const t = performance.now();
      await unary((cb) => api.status.GetStats({}, cb));
      const ms = performance.now() - t;
      const [daemon1, helpers1, client1, run1] = waits();
      calls.push({ ms, order: i, daemonRunMs: (run1 - run0) / 1e6, daemonMs: (daemon1 - daemon0) / 1e6, daemonHelpersMs: (helpers1 - helpers0) / 1e6, clientMs: (client1 - client0) / 1e6 });
    }
  } finally {
    api.close();
  }
  calls.sort((a, b) => a.ms - b.ms);
  const clientCpus = /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? '?';
  const out: GetStatsRoundTrips = { calls, clientCpus, connectMs };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

await main();
