// `npm run bench -- forward`: packets per second through the namespace lab.
// A generator in host A sends 64-byte UDP frames (live frames; where the
// machine refuses them, an AF_XDP socket's transmit ring); a sink on B's
// veth counts what arrives. Each case floods first, then, if the flood
// lost frames, searches its throughput with the generator paced (the
// highest offered rate it forwards with a loss under a stated fraction,
// RFC 2544's figure). The same generator and sink measure, on the same
// router holding 1k routes, then a full table: the kernel forwarding, the
// bpf_fib_lookup reference forwarder, xdp-router's daemon, and a redirect
// with no lookup (the most the router's two veth hops carry); then, at 1k
// routes, xdp-router's AF_XDP slow path. Every path runs on one core
// (LAB_CPU), the daemon's control plane on the other (CONTROL_CPU).
import { cpus } from 'node:os';
import { FastPath } from '../dataplane/fastpath.js';
import { destroyLab, setKernelForwarding } from '../router/lab/topology.js';
import type { Lab } from '../router/lab/topology.js';
import type { AttachedProgram } from './attached-program.js';
import { onInterrupt } from './cleanup.js';
import { chooseGenerator } from './generator-choice.js';
import { createForwardLab, destroyForwardLab, kernelForwarded, pinToCpus, realtimeReceive, receiveCpuNs } from './forward-lab.js';
import { TABLES, fullTable, growTable, spreadTraffic6, tableSize } from './forward-table.js';
import type { TableName, TableSize } from './forward-table.js';
import { IPV4_TRAFFIC, TRAFFIC, compareForward, describeThroughput, bestRows } from './forward-results.js';
import type { ForwardOptions, ForwardResult, ForwardRow, PathName, SlowPathAtRate, Throughput, TrafficName } from './forward-results.js';
import { attachRedirectAll, attachReference } from './lab-forwarders.js';
import { RouterDaemon } from '../support/daemon.js';
import { LiveFramesGenerator, MAX_TEST_RUN_REPEAT, Sink, XskGenerator, liveFramesRefusal } from './lab-traffic.js';
import type { FlowSpec, FrameTable, Generator, TrafficSpec } from './lab-traffic.js';
import { profileWhile } from './profile.js';
import type { ProfileEntry } from './profile.js';
import { progress, sleep } from './progress.js';
import { describeAtRate, describeClosedSockets, describeUnderLoad, probeSlowPath, workerCpuNs, workerThreads } from './slowpath-probe.js';
import type { SlowPathUnderLoad } from './slowpath-probe.js';
import { settleBefore, waitForQuiet } from './settle.js';
import { searchThroughput } from './throughput-search.js';
import { run } from '../router/lab/netns.js';
import type { Trial } from './throughput-search.js';

export const FORWARD_DEFAULTS: ForwardOptions = {
  seconds: 2,
  flows: 1024,
  destinations: 64,
  profile: true,
  generator: 'auto',
  fullTable: true,
  rounds: 4,
  trialSeconds: 1,
  lossTolerance: 0.01,
};

/**
 * The lab's one core: the generator's test run, every receive thread of the
 * lab and the slow path's workers. A frame crosses no CPU on its way, and
 * the generator sends only while the path is idle (onCores), so the flood
 * is lossless and its rate is the core's. With the generator on the other core, each
 * frame's lines and pages crossed between the two vCPUs, and a cache
 * line's round trip between them here reads 220 to 510 ns from one minute
 * to the next (the host moves them): one path's rate moved 3x from round
 * to round, more than the paths differ.
 */
const LAB_CPU = '1';
/**
 * The other core: the daemon's control plane (every thread but the slow
 * path's workers, which forward on LAB_CPU) and the slow path's GetStats
 * client. An operator keeps the control plane off the cores that carry
 * traffic, as systemd's CPUAffinity= does; on the lab's core it would
 * wait behind the saturated path's receive threads.
 */
const CONTROL_CPU = '0';
const ALL_CPUS = `0-${cpus().length - 1}`;

/** the flows' destinations, punted for the slow-path case */
const PUNTED = '203.0.113.0/24';

/** the generator's calibration runs, frames */
const CALIBRATE_SHORT = 1_000_000;
const CALIBRATE_LONG = 3_000_000;
const MAX_FRAMES_PER_RUN = MAX_TEST_RUN_REPEAT;
/** what is in flight after a run arrives within this, ms */
const SETTLE_MS = 300;
/** the throughput search stops once its bracket is within this share of the rate, or after so many trials */
const SEARCH_RESOLUTION = 0.05;
const SEARCH_MAX_TRIALS = 7;

/**
 * Offer traffic for `seconds` and count what arrives. The generator runs as
 * one long test run (each run swaps the program into the kernel's XDP
 * dispatcher, two RCU grace periods, and would leave gaps between short
 * ones): two short runs first calibrate its rate, then one run is sized to
 * cover the window with two seconds to spare; the sink is read one second
 * into it and again `seconds` later, and so is the CPU time the lab's
 * receive threads took meanwhile (receiveCpuNs). A run that ends inside the
 * window is done again, longer.
 */
async function measure(
  gen: Generator,
  sink: Sink,
  seconds: number,
  receiveCpuNs: () => number,
  workerCpuNs?: () => number,
): Promise<Measurement> {
  // the rate of a long run: the difference of two, without the fixed cost of a run; on a
  // busy machine the longer run can take no longer than the short one, and then its own
  // rate (fixed cost included, so lower) is the estimate
  const short = await gen.send(CALIBRATE_SHORT);
  const long = await gen.send(CALIBRATE_LONG);
  const perSecond = long.ms > short.ms ? (CALIBRATE_LONG - CALIBRATE_SHORT) / ((long.ms - short.ms) / 1000) : CALIBRATE_LONG / (long.ms / 1000);
  let count = Math.min(MAX_FRAMES_PER_RUN, Math.ceil(perSecond * (seconds + 2)));
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
    const cpu0 = receiveCpuNs();
    const worker0 = workerCpuNs?.();
    await sleep(seconds * 1000);
    const c1 = sink.received();
    const t1 = performance.now();
    const cpu1 = receiveCpuNs();
    const worker1 = workerCpuNs?.();
    const { ms: sendMs } = await sent;
    await sleep(SETTLE_MS); // what is in flight arrives
    const received = Number(sink.received() - start);
    if (sendEnd < t1) {
      // faster than calibrated: the window saw a pause; again, longer
      if (count === MAX_FRAMES_PER_RUN) throw new Error(`the generator sent ${count} frames in less than ${seconds + 1} s: more than one test run can repeat; use fewer --seconds`);
      count = Math.min(MAX_FRAMES_PER_RUN, Math.ceil(count * 1.5));
      continue;
    }
    return {
      mpps: Number(c1 - c0) / ((t1 - t0) / 1000) / 1e6,
      // the slow path's workers do its receive work too
      mppsPerReceiveCore: receiveNs(cpu0, cpu1, worker0, worker1) > 0 ? Number(c1 - c0) / (receiveNs(cpu0, cpu1, worker0, worker1) / 1e9) / 1e6 : null,
      ...(worker0 !== undefined && worker1 !== undefined ? { workerNsPerFrame: c1 > c0 ? (worker1 - worker0) / Number(c1 - c0) : null } : {}),
      offeredMpps: count / (sendMs / 1000) / 1e6,
      sent: count,
      received,
      dropped: count - received,
    };
  }
}

/** the receive threads' CPU time between two readings, and the workers' where read, ns */
function receiveNs(cpu0: number, cpu1: number, worker0: number | undefined, worker1: number | undefined): number {
  return cpu1 - cpu0 + (worker0 !== undefined && worker1 !== undefined ? worker1 - worker0 : 0);
}

/** One trial of the throughput search: the generator paced at mpps for `seconds`, and what the sink received of it; `during` runs meanwhile. */
async function trialAt(gen: Generator, sink: Sink, mpps: number, seconds: number, during?: () => Promise<void>): Promise<Trial> {
  const start = sink.received();
  const [run] = await Promise.all([gen.sendPaced(mpps, seconds), during?.()]);
  await sleep(SETTLE_MS);
  const received = Number(sink.received() - start);
  return { askedMpps: mpps, offeredMpps: run.sent / run.ms / 1e3, mpps: received / run.ms / 1e3, sent: run.sent, received, loss: run.sent > 0 ? (run.sent - received) / run.sent : 1 };
}

/**
 * The throughput after a flood: when the flood itself lost no more than
 * the tolerance, the path carried all the generator had and the flood is
 * the figure; else a search below the flood's offered rate, from what the
 * flood carried.
 */
async function measureThroughput(gen: Generator, bench: Bench, flood: Measurement): Promise<Throughput | null> {
  const { options, sink } = bench;
  if (flood.sent !== null && flood.dropped !== null && flood.sent > 0 && flood.dropped / flood.sent <= options.lossTolerance) {
    const perFrame = flood.mppsPerReceiveCore ? 1e3 / flood.mppsPerReceiveCore : null;
    return { mpps: flood.mpps!, offeredMpps: flood.offeredMpps!, loss: flood.dropped / flood.sent, trials: 0, generatorBound: true, sharedCore: true, receiveNsPerFrame: perFrame };
  }
  // the receive threads' CPU per frame of each trial: a count the machine's other tasks do not move as they move the rates
  const receiveNs = new Map<Trial, number>();
  const trial = async (mpps: number): Promise<Trial> => {
    const cpu0 = bench.receiveCpuNs();
    const t = await trialAt(gen, sink, mpps, options.trialSeconds);
    if (t.received > 0) receiveNs.set(t, (bench.receiveCpuNs() - cpu0) / t.received);
    return t;
  };
  const { best, trials } = await searchThroughput(trial, {
    // a flood's receive threads may have had a small share of their CPU: what they carried per CPU second is the nearer guess then
    startMpps: Math.max(flood.mpps!, flood.mppsPerReceiveCore ?? 0),
    ceilingMpps: flood.offeredMpps!,
    lossTolerance: options.lossTolerance,
    resolution: SEARCH_RESOLUTION,
    maxTrials: SEARCH_MAX_TRIALS,
  });
  // asked, offered (less where the generator's CPU was taken from it), received
  progress(`forward:   trials: ${trials.map((t) => `${t.askedMpps.toFixed(2)}/${t.offeredMpps.toFixed(2)} -> ${t.mpps.toFixed(2)} (${(100 * t.loss).toFixed(2)}% lost)`).join(', ')}`);
  return best && { mpps: best.mpps, offeredMpps: best.offeredMpps, loss: best.loss, trials: trials.length, generatorBound: false, sharedCore: true, receiveNsPerFrame: receiveNs.get(best) ?? null };
}

function flowsFor(traffic: 'one flow' | 'flow mix', options: ForwardOptions, dstMac: string, srcMac: string): FlowSpec {
  return traffic === 'one flow'
    ? { dstMac, srcMac, src: '192.0.2.2', dst: '203.0.113.10', flows: 1, destinations: 1 }
    : { dstMac, srcMac, src: '192.0.2.2', dst: '203.0.113.1', flows: options.flows, destinations: options.destinations };
}

/** a flood's figures */
type Measurement = Omit<ForwardRow, 'table' | 'path' | 'traffic' | 'generator' | 'throughput' | 'slowPathAtThroughput'>;

type GeneratorFactory = (ns: string, dev: string, traffic: TrafficSpec) => Promise<Generator>;

/** what every case shares: the lab (traffic from A's veth to the router's), the sink on B's veth, the generator */
interface Bench {
  options: ForwardOptions;
  lab: Lab;
  receiveCpuNs: () => number;
  /** the lab's receive threads real-time or plain (forward-lab.ts realtimeReceive), as onCores sets them for a path */
  realtimeReceive: (on: boolean) => Promise<void>;
  sink: Sink;
  createGenerator: GeneratorFactory;
  /** the IPv6 spread traffic of each table the run measures */
  spread6: Map<TableName, FrameTable>;
}

function trafficFor(bench: Bench, table: TableName, traffic: TrafficName): TrafficSpec {
  const { lab, options } = bench;
  if (traffic !== 'IPv6 spread') return flowsFor(traffic, options, lab.router.toA.mac, lab.a.mac);
  const spread = bench.spread6.get(table);
  if (!spread) throw new Error(`forward: no IPv6 spread traffic for the ${table} table`);
  return spread;
}

interface Measured {
  rows: ForwardRow[];
  profile?: ProfileEntry[] | null;
}

/** The slow path's own measures: work done while a flow-mix run saturates it, and its workers' CPU time so far, ns. */
interface SlowPathMeasures {
  underLoad: () => Promise<SlowPathUnderLoad>;
  workerCpuNs: () => number;
}
/** how long the probe waits, into the measured window, before it starts */
const PROBE_DELAY_MS = 1500;
/** the paced run the probe at the throughput runs in: the probe (a route, the GetStats client's start and its calls) is done within it */
const PROBE_RUN_SECONDS = 4;

/**
 * The slow-path probe while the generator offers its throughput: saturated
 * as the path is at the most it forwards, not overloaded as in the flood.
 */
async function probeAtRate(gen: Generator, bench: Bench, offeredMpps: number, slowPath: SlowPathMeasures): Promise<SlowPathAtRate> {
  let underLoad: SlowPathUnderLoad | undefined;
  const trial = await trialAt(gen, bench.sink, offeredMpps, PROBE_RUN_SECONDS, async () => {
    await sleep(PROBE_DELAY_MS);
    underLoad = await slowPath.underLoad();
  });
  return { ...underLoad!, offeredMpps: trial.offeredMpps, loss: trial.loss };
}

async function measurePath(bench: Bench, table: TableName, path: PathName, profile = false, slowPath?: SlowPathMeasures): Promise<Measured> {
  const { lab, options } = bench;
  const rows: ForwardRow[] = [];
  let entries: ProfileEntry[] | null | undefined;
  for (const traffic of path === 'xdp-router slow path' ? IPV4_TRAFFIC : TRAFFIC) {
    const gen = await bench.createGenerator(lab.a.ns, lab.a.dev, trafficFor(bench, table, traffic));
    try {
      const probe = slowPath && traffic === 'flow mix' ? sleep(PROBE_DELAY_MS).then(slowPath.underLoad) : undefined;
      const measured = await measure(gen, bench.sink, options.seconds, bench.receiveCpuNs, slowPath?.workerCpuNs);
      const underLoad = probe ? { slowPath: await probe } : {};
      const workers = measured.workerNsPerFrame !== undefined ? `, its workers ${measured.workerNsPerFrame?.toFixed(0) ?? '–'} ns of CPU per frame` : '';
      progress(`forward: ${table}, ${path}, ${traffic}: flood ${measured.mpps!.toFixed(2)} Mpps received of ${measured.offeredMpps!.toFixed(2)} offered, ${measured.mppsPerReceiveCore?.toFixed(2) ?? '–'} per receive core${workers} (${gen.name} generator)`);
      if (underLoad.slowPath) progress(`forward: ${path} saturated: ${describeUnderLoad(underLoad.slowPath)}`);
      const throughput = options.trialSeconds > 0 ? { throughput: await measureThroughput(gen, bench, measured) } : {};
      if (throughput.throughput !== undefined) progress(`forward: ${table}, ${path}, ${traffic}: throughput ${describeThroughput(throughput.throughput, options.lossTolerance)}`);
      const atThroughput = slowPath && traffic === 'flow mix' && throughput.throughput ? { slowPathAtThroughput: await probeAtRate(gen, bench, throughput.throughput.offeredMpps, slowPath) } : {};
      if (atThroughput.slowPathAtThroughput) progress(`forward: ${path} at its throughput: ${describeAtRate(atThroughput.slowPathAtThroughput)}`);
      const row: ForwardRow = { table, path, traffic, generator: gen.name, ...measured, ...underLoad, ...throughput, ...atThroughput };
      rows.push(row);
      if (profile && traffic === 'flow mix') {
        progress(`forward: profiling the lab's core during ${path}, ${traffic} (perf)`);
        entries = (await profileWhile(() => gen.send(Math.ceil(row.offeredMpps! * 1e6 * 2)), { cpu: Number(LAB_CPU), top: 12 })).profile;
      }
    } finally {
      gen.close();
    }
  }
  return { rows, ...(entries !== undefined ? { profile: entries } : {}) };
}

/** frames a path under test carried, as a share of what arrived, below which the figure is someone else's */
const CARRIED_SHARE = 0.99;

/** frames the sink received over every run of the generator */
function receivedOver(measured: Measured): number {
  return measured.rows.reduce((sum, r) => sum + (r.received ?? 0), 0);
}

/** Throws unless the path under test, not the kernel beside it, carried what the sink received. */
function requireCarried(path: PathName, measured: Measured, carried: number): void {
  const received = receivedOver(measured);
  if (received === 0 || carried < received * CARRIED_SHARE) {
    throw new Error(`${path}: carried ${carried} frames but the sink received ${received}: the rest went through the kernel, so the figure would not be ${path}'s`);
  }
}

/**
 * A forwarder of the benchmark's own (the reference, the no-lookup
 * redirect) on the router's A side, with kernel forwarding on: whatever it
 * passes up, the kernel forwards and counts (ForwDatagrams), and that must
 * be next to nothing.
 */
async function measureAttached(bench: Bench, table: TableName, path: 'reference forwarder' | 'no-lookup redirect', attach: (lab: Lab) => Promise<AttachedProgram>): Promise<Measured> {
  const ns = bench.lab.router.ns;
  const program = await attach(bench.lab);
  try {
    const before = await kernelForwarded(ns);
    const measured = await measurePath(bench, table, path);
    const byKernel = (await kernelForwarded(ns)) - before;
    requireCarried(path, measured, receivedOver(measured) - byKernel);
    return measured;
  } finally {
    await program.detach();
  }
}

/** how long the daemon may take to start: a full table's dump and sync take a while on two busy cores */
const DAEMON_START_MS: Record<TableName, number> = { '1k routes': 60_000, 'full table': 600_000 };

/**
 * Run the daemon on the router and measure through it: the fast path, or
 * with every benchmark frame punted (a punt rule for the flows' prefix) the
 * AF_XDP slow path. Its counters must show that it carried what arrived.
 */
async function measureDaemon(bench: Bench, table: TableName, path: 'xdp-router' | 'xdp-router slow path', profile: boolean): Promise<Measured> {
  const { lab } = bench;
  const ns = lab.router.ns;
  const interfaces = [lab.router.toA.dev, lab.router.toB.dev];
  const slow = path === 'xdp-router slow path';
  progress(`forward: starting xdp-router on the router namespace (${table})${slow ? `, punting ${PUNTED} to its AF_XDP slow path` : ''}`);
  const daemon = await RouterDaemon.start({
    netns: ns,
    interfaces,
    startTimeoutMs: DAEMON_START_MS[table],
    // a session of its own, as under systemd: the slow path raises its scheduling group (event-loop-priority.ts)
    ...(slow ? { extraConfig: `punt:\n  - prefix: ${PUNTED}\n    protocol: udp`, waitFor: [{ msg: 'AF_XDP socket bound', count: interfaces.length }], wrapper: ['setsid'] } : {}),
  });
  try {
    await pinToCpus(daemon.pid, CONTROL_CPU, true);
    for (const tid of workerThreads(daemon.pid)) await pinToCpus(tid, LAB_CPU);
    const fp = await FastPath.open({ netns: ns, pinDir: daemon.pinDir, adoptOnly: true });
    try {
      // the daemon's own start (a full sync, the memory it hands back after) is not the path's
      await waitForQuiet(QUIET_MAX_MS);
      const carried = async (): Promise<bigint> => (slow ? fp.puntStats(0).packets : await fp.packets('forwarded'));
      const before = await carried();
      const slowPath = slow ? { underLoad: () => probeSlowPath(lab, daemon, fp, CONTROL_CPU), workerCpuNs: () => workerCpuNs(daemon.pid) } : undefined;
      const measured = await measurePath(bench, table, path, profile, slowPath);
      requireCarried(path, measured, Number((await carried()) - before));
      return measured;
    } finally {
      fp.close();
    }
  } finally {
    await daemon.stop();
    if (slow) for (const line of describeClosedSockets(daemon.log())) progress(`forward: ${line}`);
  }
}

/** whether the run measures path (--paths) */
function measures(options: ForwardOptions, path: PathName): boolean {
  return !options.paths || options.paths.includes(path);
}

/** the paths compared on every table, in the first round's order */
const COMPARED: PathName[] = ['kernel', 'reference forwarder', 'xdp-router', 'no-lookup redirect'];

/**
 * The compared paths on one table, those the run measures, in rounds
 * (ForwardOptions.rounds): round r starts r paths further along, so no path
 * is always the one measured right after the table was installed or after
 * the daemon went. xdp-router is profiled in the last round.
 */
async function measureTable(bench: Bench, table: TableName, profile: boolean): Promise<Measured> {
  const paths = COMPARED.filter((path) => measures(bench.options, path));
  const rows: ForwardRow[] = [];
  let profiled: Measured['profile'];
  for (let round = 0; round < bench.options.rounds; round++) {
    const last = round === bench.options.rounds - 1;
    for (const path of [...paths.slice(round % paths.length), ...paths.slice(0, round % paths.length)]) {
      if (bench.options.rounds > 1) progress(`forward: ${table}, round ${round + 1} of ${bench.options.rounds}: ${path}`);
      const measured = await measureCompared(bench, table, path, profile && last);
      rows.push(...measured.rows);
      if (measured.profile !== undefined) profiled = measured.profile;
    }
  }
  return { rows: bestRows(rows), ...(profiled !== undefined ? { profile: profiled } : {}) };
}

/** how long a path waits at most for the machine to go quiet before it is measured, and from when that wait is reported, ms */
const QUIET_MAX_MS = 60_000;

/**
 * Run fn with the generator on LAB_CPU, where it sends only while the path
 * is idle: the receive threads are real-time throughout, so they take each
 * batch the moment it is sent. The slow path's forwarding runs in the
 * daemon's workers, plain threads, so for it the generator goes below
 * every thread too (SCHED_IDLE). This process's main thread leaves the
 * lab's core for CONTROL_CPU, at the normal priority.
 */
async function onCores<T>(bench: Bench, path: PathName, fn: () => Promise<T>): Promise<T> {
  const slow = path === 'xdp-router slow path';
  // what the last path left the kernel to free (a stopped daemon's maps: at the full table, a 1.35-million-node trie) runs in softirq and workers on the lab's core too
  await settleBefore(`forward: before ${path}`, QUIET_MAX_MS);
  await pinToCpus(process.pid, LAB_CPU, true);
  await bench.realtimeReceive(true);
  if (slow) await idleGenerator(true);
  // the main thread (timers, counters, the probe's commands, which its children inherit) is no part of the lab: only the pool thread that runs the generator is
  await run(['taskset', '-p', '-c', CONTROL_CPU, String(process.pid)]);
  if (slow) await run(['chrt', '-o', '-p', '0', String(process.pid)]);
  try {
    return await fn();
  } finally {
    if (slow) await idleGenerator(false);
    await bench.realtimeReceive(false);
  }
}

/** This process (the generator's test run runs in one of its pool threads) at SCHED_IDLE, every thread, or back to SCHED_OTHER. */
async function idleGenerator(on: boolean): Promise<void> {
  await run(['chrt', '-a', on ? '-i' : '-o', '-p', '0', String(process.pid)]);
}

function measureCompared(bench: Bench, table: TableName, path: PathName, profile: boolean): Promise<Measured> {
  return onCores(bench, path, () => measureOn(bench, table, path, profile));
}

function measureOn(bench: Bench, table: TableName, path: PathName, profile: boolean): Promise<Measured> {
  switch (path) {
    case 'reference forwarder':
      return measureAttached(bench, table, path, attachReference);
    case 'no-lookup redirect':
      return measureAttached(bench, table, path, attachRedirectAll);
    case 'xdp-router':
    case 'xdp-router slow path':
      return measureDaemon(bench, table, path, profile);
    case 'kernel':
      return measurePath(bench, table, path);
  }
}

export async function runForward(options: ForwardOptions = FORWARD_DEFAULTS): Promise<ForwardResult> {
  const prefix = `xrb-fw-${process.pid}`;
  const release = onInterrupt(() => destroyLab(prefix));
  const fl = await createForwardLab(prefix);
  const { lab } = fl;
  let sink: Sink | undefined;
  try {
    // every NAPI thread (router and sink) on the lab's core, where onCores puts the generator (this process's test-run thread) too
    for (const pids of fl.napiThreads.values()) for (const pid of pids) await pinToCpus(pid, LAB_CPU);
    sink = await Sink.attach(lab.b.ns, lab.b.dev);
    const generator = await chooseGenerator(
      options.generator,
      () => liveFramesRefusal(lab.a.ns, lab.a.dev, flowsFor('one flow', options, lab.router.toA.mac, lab.a.mac)),
      (line) => process.stdout.write(`${line}\n`),
    );
    const full = fullTable();
    const tables = TABLES.filter((name) => options.fullTable || name !== 'full table').map((name) => tableSize(name, full));
    const bench: Bench = {
      options,
      lab,
      receiveCpuNs: () => receiveCpuNs(fl),
      realtimeReceive: (on) => realtimeReceive(fl, on),
      sink,
      createGenerator: generator === 'AF_XDP' ? XskGenerator.create : LiveFramesGenerator.create,
      spread6: new Map(tables.map((table) => [table.name, spreadTraffic6(lab, full, table)])),
    };
    // every path forwards with the kernel's tables or beside them: forwarding on, except for the slow path alone
    await setKernelForwarding(lab, true);
    const rows: ForwardRow[] = [];
    let profile: ForwardResult['profile'];
    let installed: TableSize | null = null;
    for (const table of tables) {
      progress(`forward: ${table.name}: installing ${table.routes4.toLocaleString('en-US')} IPv4 and ${table.routes6.toLocaleString('en-US')} IPv6 routes in the router's kernel`);
      await growTable(lab, full, installed, table);
      installed = table;
      // the profile is of the largest table, where the lookups differ most
      const profiled = options.profile && table === tables[tables.length - 1];
      const measured = await measureTable(bench, table.name, profiled);
      rows.push(...measured.rows);
      if (measured.profile !== undefined) profile = { table: table.name, path: 'xdp-router', traffic: 'flow mix', cpu: Number(LAB_CPU), entries: measured.profile };
      if (table === tables[0] && measures(options, 'xdp-router slow path')) {
        // the slow path alone: with kernel forwarding off, nothing the punt stage misses gets through
        await setKernelForwarding(lab, false);
        try {
          rows.push(...(await onCores(bench, 'xdp-router slow path', () => measureDaemon(bench, table.name, 'xdp-router slow path', false))).rows);
        } finally {
          await setKernelForwarding(lab, true);
        }
      }
    }
    return { options, generator, tables, rows, comparisons: compareForward(rows, tables), ...(profile ? { profile } : {}) };
  } finally {
    await pinToCpus(process.pid, ALL_CPUS, true).catch(() => undefined);
    await sink?.detach().catch(() => undefined);
    await destroyForwardLab(fl);
    release();
  }
}
