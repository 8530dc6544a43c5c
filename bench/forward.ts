// `npm run bench -- forward`: packets per second through the namespace lab.
// A generator in host A sends 64-byte UDP frames as fast as one core can
// (live frames; where the machine refuses them, an AF_XDP socket's transmit
// ring); a sink on B's veth counts what arrives. The same generator and
// sink measure, for the same time each: A straight to B (the ceiling), the
// router namespace forwarding in the kernel, and xdp-router's daemon.
import { cpus } from 'node:os';
import { FastPath } from '../dataplane/fastpath.js';
import { destroyLab, setKernelForwarding } from '../router/lab/topology.js';
import { onInterrupt } from './cleanup.js';
import { chooseGenerator } from './generator-choice.js';
import type { GeneratorChoice } from './generator-choice.js';
import { DIRECT, createForwardLab, destroyForwardLab, pinToCpus } from './forward-lab.js';
import { RouterDaemon } from '../support/daemon.js';
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

async function measurePath(path: PathName, options: ForwardOptions, route: Route, createGenerator: GeneratorFactory, profile = false): Promise<{ rows: ForwardRow[]; profile?: ProfileEntry[] | null }> {
  const rows: ForwardRow[] = [];
  let entries: ProfileEntry[] | null | undefined;
  for (const traffic of TRAFFIC) {
    const gen = await createGenerator(route.ns, route.dev, flowsFor(traffic, options, route.dstMac, route.srcMac));
    try {
      const row: ForwardRow = { path, traffic, generator: gen.name, ...(await measure(gen, route.sink, options.seconds)) };
      progress(`forward: ${path}, ${traffic}: ${row.mpps!.toFixed(2)} Mpps received of ${row.offeredMpps!.toFixed(2)} offered (${gen.name} generator)`);
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
async function measureDaemon(
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
      const measured = await measurePath(path, options, route, createGenerator, options.profile && !slow);
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

    const fast = await measureDaemon(lab.router.ns, [lab.router.toA.dev, lab.router.toB.dev], 'xdp-router', options, viaRouter, createGenerator);
    rows.push(...fast.rows);
    if (fast.profile !== undefined) profile = { path: 'xdp-router', traffic: 'flow mix', cpu: Number(RECEIVE_CPU), entries: fast.profile };
    // the slow path alone: with kernel forwarding off, nothing the punt stage misses gets through
    await setKernelForwarding(lab, false);
    try {
      rows.push(...(await measureDaemon(lab.router.ns, [lab.router.toA.dev, lab.router.toB.dev], 'xdp-router slow path', options, viaRouter, createGenerator)).rows);
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
