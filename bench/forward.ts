// `npm run bench -- forward`: packets per second through the namespace lab.
// A generator in host A sends 64-byte UDP frames as fast as one core can
// (live frames; where the machine refuses them, an AF_XDP socket's transmit
// ring); a sink on B's veth counts what arrives. The same generator and
// sink measure, for the same time each: A straight to B (the ceiling), the
// router namespace forwarding in the kernel, and xdp-router's daemon.
import { cpus } from 'node:os';
import { readFileSync, readdirSync } from 'node:fs';
import { FastPath } from '../dataplane/fastpath.js';
import { connect, unary } from '../router/api/client.js';
import { ip } from '../router/lab/netns.js';
import { destroyLab, setKernelForwarding } from '../router/lab/topology.js';
import type { Lab } from '../router/lab/topology.js';
import { onInterrupt } from './cleanup.js';
import { chooseGenerator } from './generator-choice.js';
import type { GeneratorChoice } from './generator-choice.js';
import { DIRECT, createForwardLab, destroyForwardLab, pinToCpus } from './forward-lab.js';
import { RouterDaemon } from './daemon.js';
import { LiveFramesGenerator, Sink, XskGenerator, liveFramesRefusal } from './lab-traffic.js';
import type { FlowSpec, Generator, GeneratorName } from './lab-traffic.js';
import { profileWhile } from './profile.js';
import type { ProfileEntry } from './profile.js';
import { progress, sleep } from './progress.js';

export interface ForwardOptions {
  /** seconds each case is measured for */
  seconds: number;
  /** flows of the flow mix (UDP source ports), over this many destinations */
  flows: number;
  destinations: number;
  /** profile the receiving core while xdp-router forwards the flow mix */
  profile: boolean;
  /** auto: live frames unless the machine refuses them, then AF_XDP */
  generator: GeneratorChoice;
}

export const FORWARD_DEFAULTS: ForwardOptions = { seconds: 5, flows: 1024, destinations: 64, profile: true, generator: 'auto' };

export type PathName = 'ceiling' | 'kernel' | 'xdp-router' | 'xdp-router slow path';
export type TrafficName = 'one flow' | 'flow mix';

export interface ForwardRow {
  path: PathName;
  traffic: TrafficName;
  /** what offered the traffic */
  generator: GeneratorName;
  /** null: not measured, see note */
  mpps: number | null;
  /** what the generator offered over its run, Mpps */
  offeredMpps: number | null;
  sent: number | null;
  received: number | null;
  /** sent - received, over the whole run (settled) */
  dropped: number | null;
  note?: string;
  /** the slow-path rows: its worker threads, and the control plane while they are saturated */
  slowPath?: SlowPathUnderLoad;
}

/** Measured while the generator saturates the slow path (its flow-mix run). */
export interface SlowPathUnderLoad {
  /** the daemon's AF_XDP worker threads ("xr-xsk IFINDEX:QUEUE") and the CPU each last ran on */
  workers: Array<{ thread: string; cpu: number }>;
  /** from `ip route add` in the router namespace to the route in the fast path's FIB */
  routeToFastPathMs: number;
  /** GetStats round trips over the API: the slowest and the median */
  getStatsMaxMs: number;
  getStatsP50Ms: number;
}

export interface ForwardResult {
  options: ForwardOptions;
  /** the generator of every row */
  generator: GeneratorName;
  rows: ForwardRow[];
  /** xdp-router over kernel and over ceiling, per traffic */
  ratios: Array<{ traffic: TrafficName; overKernel: number | null; overCeiling: number | null }>;
  /** the receiving core (router and sink) while xdp-router forwards */
  profile?: { path: PathName; traffic: TrafficName; cpu: number; entries: ProfileEntry[] | null };
}

const GENERATOR_CPU = '0';
const RECEIVE_CPU = '1';
const ALL_CPUS = `0-${cpus().length - 1}`;

/** the flows' destinations, punted for the slow-path case */
const PUNTED = '203.0.113.0/24';
/** a route added and removed while the slow path is saturated: outside PUNTED, via host B */
const PROBE_ROUTE = '198.51.100.200/32';
const GET_STATS_CALLS = 20;
/** how long the control-plane probes wait, into the measured window, before they start */
const PROBE_DELAY_MS = 1500;

/**
 * Offer traffic for `seconds` and count what arrives. The generator runs as
 * one long test run (each run swaps the program into the kernel's XDP
 * dispatcher, two RCU grace periods, and would leave gaps between short
 * ones): two short runs first calibrate its rate, then one run is sized to
 * cover the window with two seconds to spare; the sink is read one second
 * into it and again `seconds` later. A run that ends inside the window is
 * done again, longer.
 */
async function measure(gen: Generator, sink: Sink, seconds: number): Promise<Omit<ForwardRow, 'path' | 'traffic' | 'generator'>> {
  // the rate of a long run: the difference of two, without the fixed cost of a run
  const short = await gen.send(1_000_000);
  const long = await gen.send(3_000_000);
  let count = Math.ceil((2_000_000 / ((long.ms - short.ms) / 1000)) * (seconds + 2));
  for (;;) {
    const start = sink.received();
    let sendEnd = Infinity;
    const sent = gen.send(count).then((r) => {
      sendEnd = performance.now();
      return r;
    });
    await sleep(1000);
    const c0 = sink.received();
    const t0 = performance.now();
    await sleep(seconds * 1000);
    const c1 = sink.received();
    const t1 = performance.now();
    const { ms: sendMs } = await sent;
    await sleep(300); // what is in flight arrives
    const received = Number(sink.received() - start);
    if (sendEnd < t1) {
      // faster than calibrated: the window saw a pause; again, longer
      count = Math.ceil(count * 1.5);
      continue;
    }
    return {
      mpps: Number(c1 - c0) / ((t1 - t0) / 1000) / 1e6,
      offeredMpps: count / (sendMs / 1000) / 1e6,
      sent: count,
      received,
      dropped: count - received,
    };
  }
}

function flowsFor(traffic: TrafficName, options: ForwardOptions, dstMac: string, srcMac: string): FlowSpec {
  return traffic === 'one flow'
    ? { dstMac, srcMac, src: '192.0.2.2', dst: '203.0.113.10', flows: 1, destinations: 1 }
    : { dstMac, srcMac, src: '192.0.2.2', dst: '203.0.113.1', flows: options.flows, destinations: options.destinations };
}

const TRAFFIC: TrafficName[] = ['one flow', 'flow mix'];

interface Route {
  /** where the generator sends from */
  ns: string;
  dev: string;
  dstMac: string;
  srcMac: string;
  sink: Sink;
}

type GeneratorFactory = (ns: string, dev: string, flows: FlowSpec) => Promise<Generator>;

/** Work done while a flow-mix run saturates the path, its result kept in the row. */
type UnderLoadProbe = () => Promise<SlowPathUnderLoad>;

async function measurePath(path: PathName, options: ForwardOptions, route: Route, createGenerator: GeneratorFactory, profile = false, underLoad?: UnderLoadProbe): Promise<{ rows: ForwardRow[]; profile?: ProfileEntry[] | null }> {
  const rows: ForwardRow[] = [];
  let entries: ProfileEntry[] | null | undefined;
  for (const traffic of TRAFFIC) {
    const gen = await createGenerator(route.ns, route.dev, flowsFor(traffic, options, route.dstMac, route.srcMac));
    try {
      const probe = underLoad && traffic === 'flow mix' ? sleep(PROBE_DELAY_MS).then(underLoad) : undefined;
      const measured = await measure(gen, route.sink, options.seconds);
      const row: ForwardRow = { path, traffic, generator: gen.name, ...measured, ...(probe ? { slowPath: await probe } : {}) };
      progress(`forward: ${path}, ${traffic}: ${row.mpps!.toFixed(2)} Mpps received of ${row.offeredMpps!.toFixed(2)} offered (${gen.name} generator)`);
      if (row.slowPath) {
        const u = row.slowPath;
        progress(
          `forward: ${path} saturated: a route reached the fast path in ${u.routeToFastPathMs.toFixed(1)} ms, GetStats answered in ${u.getStatsMaxMs.toFixed(1)} ms at worst ` +
            `(median ${u.getStatsP50Ms.toFixed(1)}); workers ${u.workers.map((w) => `${w.thread} on CPU ${w.cpu}`).join(', ')}`,
        );
      }
      rows.push(row);
      if (profile && traffic === 'flow mix') {
        progress(`forward: profiling the receiving core during ${path}, ${traffic} (perf)`);
        entries = (await profileWhile(() => gen.send(Math.ceil(row.offeredMpps! * 1e6 * 2)), { cpu: Number(RECEIVE_CPU), top: 12 })).profile;
      }
    } finally {
      gen.close();
    }
  }
  return { rows, ...(entries !== undefined ? { profile: entries } : {}) };
}

/**
 * Run the daemon on the router and measure through it: the fast path, or
 * with every benchmark frame punted (a punt rule for the flows' prefix) the
 * AF_XDP slow path. Its counters must show that it carried what arrived.
 */
/** The daemon's threads of that name prefix, with the CPU each last ran on (/proc/PID/task/TID/stat, field 39). */
function threadsOf(pid: number, prefix: string): Array<{ thread: string; cpu: number }> {
  const out: Array<{ thread: string; cpu: number }> = [];
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const comm = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      if (!comm.startsWith(prefix)) continue;
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      // the fields after the command's closing parenthesis, from field 3 on
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.push({ thread: comm, cpu: Number(fields[39 - 3]) });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/**
 * The control plane while the slow path is saturated: a kernel route added
 * in the router namespace, timed until the fast path's FIB has it; GetStats
 * over the API, one call after another; the worker threads' CPUs.
 */
function slowPathProbe(lab: Lab, daemon: RouterDaemon, fp: FastPath): UnderLoadProbe {
  return async () => {
    const address = PROBE_ROUTE.split('/')[0]!;
    const t0 = performance.now();
    await ip(['route', 'add', PROBE_ROUTE, 'via', lab.b.v4, 'dev', lab.router.toB.dev], lab.router.ns);
    let routeToFastPathMs: number;
    try {
      while (!fp.lookupRoute(address)) {
        if (performance.now() - t0 > 10_000) throw new Error(`${PROBE_ROUTE} did not reach the fast path in 10 s while the slow path was saturated`);
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
  };
}

async function measureDaemon(
  lab: Lab,
  ns: string,
  interfaces: string[],
  path: 'xdp-router' | 'xdp-router slow path',
  options: ForwardOptions,
  route: Route,
  createGenerator: GeneratorFactory,
): Promise<{ rows: ForwardRow[]; profile?: ProfileEntry[] | null }> {
  const slow = path === 'xdp-router slow path';
  progress(`forward: starting xdp-router on the router namespace${slow ? `, punting ${PUNTED} to its AF_XDP slow path` : ''}`);
  const daemon = await RouterDaemon.start({
    netns: ns,
    interfaces,
    ...(slow ? { extraConfig: `punt:\n  - prefix: ${PUNTED}\n    protocol: udp`, waitFor: [{ msg: 'AF_XDP socket bound', count: interfaces.length }] } : {}),
  });
  try {
    // the daemon is part of the router: on the receiving core, away from the generator
    await pinToCpus(daemon.pid, RECEIVE_CPU, true);
    const fp = await FastPath.open({ netns: ns, pinDir: daemon.pinDir, adoptOnly: true });
    try {
      const carried = async (): Promise<bigint> => (slow ? fp.puntStats(0).packets : await fp.packets('forwarded'));
      const before = await carried();
      const measured = await measurePath(path, options, route, createGenerator, options.profile && !slow, slow ? slowPathProbe(lab, daemon, fp) : undefined);
      const by = Number((await carried()) - before);
      const received = measured.rows.reduce((sum, r) => sum + (r.received ?? 0), 0);
      // frames the daemon did not carry would be measuring the kernel again
      if (received === 0 || by < received * 0.99) throw new Error(`${path}: carried ${by} frames but the sink received ${received}`);
      return measured;
    } finally {
      fp.close();
    }
  } finally {
    await daemon.stop();
  }
}

export async function runForward(options: ForwardOptions = FORWARD_DEFAULTS): Promise<ForwardResult> {
  const prefix = `xrb-fw-${process.pid}`;
  const release = onInterrupt(() => destroyLab(prefix));
  const fl = await createForwardLab(prefix);
  const { lab } = fl;
  const sinks: Sink[] = [];
  try {
    // two cores: the generator (this process's test-run thread) on one, the
    // receive side (every NAPI thread: router and sinks) on the other
    await pinToCpus(process.pid, GENERATOR_CPU, true);
    for (const pids of fl.napiThreads.values()) for (const pid of pids) await pinToCpus(pid, RECEIVE_CPU);
    const routed = await Sink.attach(lab.b.ns, lab.b.dev);
    sinks.push(routed);
    const direct = await Sink.attach(lab.b.ns, DIRECT.b);
    sinks.push(direct);
    const rows: ForwardRow[] = [];
    const viaRouter: Route = { ns: lab.a.ns, dev: lab.a.dev, dstMac: lab.router.toA.mac, srcMac: lab.a.mac, sink: routed };
    const straight: Route = { ns: lab.a.ns, dev: DIRECT.a, dstMac: fl.direct.bMac, srcMac: fl.direct.aMac, sink: direct };
    let profile: ForwardResult['profile'];

    const generator = await chooseGenerator(
      options.generator,
      () => liveFramesRefusal(straight.ns, straight.dev, flowsFor('one flow', options, straight.dstMac, straight.srcMac)),
      (line) => process.stdout.write(`${line}\n`),
    );
    const createGenerator: GeneratorFactory = generator === 'AF_XDP' ? XskGenerator.create : LiveFramesGenerator.create;
    rows.push(...(await measurePath('ceiling', options, straight, createGenerator)).rows);
    await setKernelForwarding(lab, true);
    rows.push(...(await measurePath('kernel', options, viaRouter, createGenerator)).rows);

    const fast = await measureDaemon(lab, lab.router.ns, [lab.router.toA.dev, lab.router.toB.dev], 'xdp-router', options, viaRouter, createGenerator);
    rows.push(...fast.rows);
    if (fast.profile !== undefined) profile = { path: 'xdp-router', traffic: 'flow mix', cpu: Number(RECEIVE_CPU), entries: fast.profile };
    // the slow path alone: with kernel forwarding off, nothing the punt stage misses gets through
    await setKernelForwarding(lab, false);
    try {
      rows.push(...(await measureDaemon(lab, lab.router.ns, [lab.router.toA.dev, lab.router.toB.dev], 'xdp-router slow path', options, viaRouter, createGenerator)).rows);
    } finally {
      await setKernelForwarding(lab, true);
    }
    const mppsOf = (path: PathName, traffic: TrafficName): number | null => rows.find((r) => r.path === path && r.traffic === traffic)?.mpps ?? null;
    const ratio = (a: number | null, b: number | null): number | null => (a !== null && b ? a / b : null);
    return {
      options,
      generator,
      rows,
      ...(profile ? { profile } : {}),
      ratios: TRAFFIC.map((traffic) => ({
        traffic,
        overKernel: ratio(mppsOf('xdp-router', traffic), mppsOf('kernel', traffic)),
        overCeiling: ratio(mppsOf('xdp-router', traffic), mppsOf('ceiling', traffic)),
      })),
    };
  } finally {
    await pinToCpus(process.pid, ALL_CPUS, true).catch(() => undefined);
    for (const s of sinks) await s.detach().catch(() => undefined);
    await destroyForwardLab(fl);
    release();
  }
}
