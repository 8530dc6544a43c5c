// `npm run bench -- sync`: the control plane at full-table scale (issue 15).
// xdp-router runs on the lab's router; the full-table profile (prefixes.ts,
// 1,050,000 IPv4 and 300,000 IPv6 prefixes) goes into the router's kernel,
// and each figure is taken on its own:
//   live feed   the table installed by ip -batch while the daemon runs: the
//               fast path's lag behind the kernel (route-lag.ts's probes)
//   memory      the daemon's resident memory settled after the feed, and its
//               peak, with the mapped BPF arrays told apart
//   verify      `xdp-router verify` of the whole table: its time and peak memory
//   churn       withdraw/re-announce at a steady rate over our own rtnetlink
//               socket (route-churn.ts): lag, resyncs
//   cold start  the daemon stopped and started again on the table: its own
//               "fast path in sync with the kernel" line
//   removal     the whole table deleted from the kernel: how long after it the
//               fast path is empty
//   BGP feed    the table announced by BIRD in host B to BIRD on the router
//               (bgp-feed.ts): the live feed's figures again
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { FastPath } from '../dataplane/fastpath.js';
import { RouterDaemon } from '../support/daemon.js';
import type { LabDaemon } from '../support/lab-daemon.js';
import { ipBatch } from './kernel-routes.js';
import { CLI } from './paths.js';
import { FULL_TABLE } from './prefixes.js';
import { daemonHeap, metricsUrl, type DaemonHeap } from './daemon-heap.js';
import { processCpuMs, processMemory, type ProcessMemory } from './process-stats.js';
import { progress, sleep, timed } from './progress.js';
import type { LagStats } from './route-lag.js';
import { RouteLagTracker } from './route-lag-tracker.js';
import { bgpFeed } from './bgp-feed.js';
import { churnRoutes, churnSet } from './route-churn.js';
import { withRouterLab } from './router-lab.js';
import { addLine, deleteLine, syncTable, type FeedRoute, type Gateways } from './sync-table.js';

/** rtm_protocol of the benchmark's routes: none of iproute2's or FRR's, not the daemon's (250) */
const BENCH_PROTO = 77;
/** the churn goes over the feed's first routes, this many at most */
const CHURN_SET = 100_000;
/** the daemon's memory is read this long after the feed, when what the feed left is collected */
const SETTLE_MS = 5_000;

export interface SyncOptions {
  ipv4: number;
  ipv6: number;
  churnSeconds: number;
  /** route changes per second in the churn */
  churnRate: number;
  /** give up waiting for the fast path after this long, per phase */
  timeoutSeconds: number;
}

export const SYNC_DEFAULTS: SyncOptions = { ...FULL_TABLE, churnSeconds: 60, churnRate: 20_000, timeoutSeconds: 600 };

export interface Lag {
  samples: number;
  lost: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** The daemon's memory at one moment: as the kernel counts it, and its V8 heap. */
export interface DaemonMemory extends ProcessMemory {
  heap: DaemonHeap;
}

export interface SyncResult {
  options: SyncOptions;
  probes: number;
  feed: {
    /** ip -batch, start to end */
    kernelMs: number;
    lag: Lag;
    /** the last probe in the maps after the last route in the kernel */
    completeAfterKernelMs: number;
    resyncs: number;
    /** the daemon's CPU time over the phase */
    daemonCpuMs: number;
  };
  /** the same figures, the table announced by BIRD in host B over BGP to BIRD on the router (bgp-feed.ts), after the removal */
  bgpFeed: SyncResult['feed'];
  memory: { before: DaemonMemory; settled: DaemonMemory; afterChurn: DaemonMemory };
  verify: {
    ms: number;
    /** VmHWM, the BPF arrays it maps included */
    peakRssBytes: number;
    /** the peak of its anonymous pages (RssAnon), sampled: its own memory */
    peakAnonBytes: number;
    bpfMappedBytes: number;
    passed: boolean;
    /** what verify said of its readings on stderr when one was not enough (formatReadings), or '' */
    readings: string;
  };
  churn: { seconds: number; changes: number; perSecond: number; lag: Lag; resyncs: number; daemonCpuMs: number };
  coldStart: {
    routes: number;
    /** the daemon's own figure: from its netlink subscription to the fast path in sync */
    syncMs: number;
    /** of which the kernel's dump, decoded (the rest: the state built and the maps written) */
    dumpMs: number;
    /** from the spawn of `xdp-router run` until it drives its interfaces */
    startMs: number;
    /** the new daemon's CPU time from its spawn to driving its interfaces */
    daemonCpuMs: number;
    memory: DaemonMemory;
  };
  removal: { kernelMs: number; lag: Lag; completeAfterKernelMs: number; daemonCpuMs: number };
}

async function daemonMemory(pid: number, url: string): Promise<DaemonMemory> {
  return { ...processMemory(pid), heap: await daemonHeap(url) };
}

const lagOf = (s: LagStats): Lag => ({ samples: s.samples, lost: s.lost, p50Ms: s.p50Ms, p99Ms: s.p99Ms, maxMs: s.maxMs });

const countOf = (text: string, msg: string): number => text.split(`"msg":"${msg}"`).length - 1;

/** The ids the daemon gave the probe gateways' next hops. */
async function probeNexthopIds(fp: FastPath, g: Gateways): Promise<{ 4: number; 6: number }> {
  const ids = { 4: 0, 6: 0 };
  for (const [id, nh] of await fp.nexthops()) {
    if (nh.gateway === g.probe[4]) ids[4] = id;
    if (nh.gateway === g.probe[6]) ids[6] = id;
  }
  if (!ids[4] || !ids[6]) throw new Error(`the daemon holds no next hop for the probe gateways ${g.probe[4]}, ${g.probe[6]}: the lab's routes through them are missing`);
  return ids;
}

async function settled(tracker: RouteLagTracker, what: string, timeoutMs: number): Promise<void> {
  if (!(await tracker.settled(timeoutMs))) throw new Error(`${what}: ${await tracker.behind()} probe changes still not in the fast path after ${timeoutMs / 1000} s`);
}

/** how often timedVerify reads the verify process's memory */
const VERIFY_SAMPLE_MS = 20;

/**
 * `xdp-router verify`: how long it took and its memory, read every
 * VERIFY_SAMPLE_MS: its peak RSS (VmHWM), and the peak of its anonymous
 * pages (heap, buffers), its own memory: the rest is the BPF arrays it maps,
 * the daemon's maps' memory, resident whole from the mmap on, and its code.
 */
async function timedVerify(configFile: string): Promise<SyncResult['verify']> {
  const t0 = performance.now();
  const child = spawn('node', [CLI, 'verify', '--config', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const peaks = { rss: 0, anon: 0, bpfMapped: 0 };
  const sample = (): void => {
    try {
      const m = processMemory(child.pid!);
      // between fork and exec the status has no memory lines yet
      if (Number.isNaN(m.peak + m.anon)) return;
      peaks.rss = Math.max(peaks.rss, m.peak);
      peaks.anon = Math.max(peaks.anon, m.anon);
      peaks.bpfMapped = Math.max(peaks.bpfMapped, m.bpfMapped);
    } catch {
      /* exited between two samples */
    }
  };
  const sampler = setInterval(sample, VERIFY_SAMPLE_MS);
  const code = await exited;
  clearInterval(sampler);
  const ms = performance.now() - t0;
  if (code !== 0 && code !== 1) throw new Error(`xdp-router verify failed (exit ${code}): ${stderr.slice(0, 2000)}`);
  const readings = /^verify: read both sides .*$/m.exec(stderr)?.[0] ?? '';
  return { ms, peakRssBytes: peaks.rss, peakAnonBytes: peaks.anon, bpfMappedBytes: peaks.bpfMapped, passed: code === 0, readings };
}

export async function runSync(options: SyncOptions = SYNC_DEFAULTS): Promise<SyncResult> {
  return withRouterLab(`xrb-sync-${process.pid}`, async (h) => {
    const { lab, config } = h;
    const ns = lab.router.ns;
    const netnsPath = `/run/netns/${ns}`;
    const g: Gateways = {
      // the lab's routes to B's remote prefixes go through B already: its next hops exist before the table
      probe: { 4: lab.b.v4, 6: lab.b.v6 },
      other: { 4: '198.51.100.3', 6: '2001:db8:b::3' },
      dev: lab.router.toB.dev,
      protocol: BENCH_PROTO,
    };
    const timeoutMs = options.timeoutSeconds * 1000;
    const metrics = metricsUrl(readFileSync(config.file, 'utf8'));
    progress(`sync: generating ${options.ipv4} IPv4 and ${options.ipv6} IPv6 prefixes`);
    const table = syncTable(options);
    const tracker = new RouteLagTracker({ netnsPath, protocol: BENCH_PROTO, probes: table.probes, maps: { netns: ns, pinDir: config.pinDir }, nexthopIds: await probeNexthopIds(h.fp, g) });
    let cold: RouterDaemon | undefined;
    let coldFp: FastPath | undefined;
    try {
      await tracker.start();
      const before = await daemonMemory(h.daemon.pid, metrics);
      const feed = await liveFeed(h, table.routes, g, tracker, timeoutMs);
      await sleep(SETTLE_MS);
      const settledMemory = await daemonMemory(h.daemon.pid, metrics);
      progress(`sync: settled at ${mib(settledMemory.rss)} (peak ${mib(settledMemory.peak)}); verify`);
      const verify = await timedVerify(config.file);
      progress(`sync: verify ${verify.passed ? 'passed' : 'found differences'} in ${(verify.ms / 1000).toFixed(1)} s, peak ${mib(verify.peakRssBytes)}, ${mib(verify.peakAnonBytes)} anonymous (the BPF arrays it maps: ${mib(verify.bpfMappedBytes)})${verify.readings ? `; ${verify.readings}` : ''}`);

      const churn = churnSet(table.routes.slice(0, Math.min(CHURN_SET, table.routes.length)), g, lab.router.toB.ifindex);
      progress(`sync: churn, ${options.churnRate} changes/s over ${churn.routes.length} routes for ${options.churnSeconds} s`);
      await tracker.reset();
      const resyncsBefore = countOf(h.daemon.log(), 'full resync');
      const churnCpu = processCpuMs(h.daemon.pid);
      const { value: churnedRoutes, ms: churnMs } = await timed(() => churnRoutes(netnsPath, churn, options.churnRate, options.churnSeconds));
      await settled(tracker, 'churn', timeoutMs);
      const churnStats = await tracker.stats();
      // the table whole again for what follows
      await ipBatch(ns, churnedRoutes.withdrawn.map((r) => addLine(r, g)));
      await settled(tracker, 'churn', timeoutMs);
      const churned = {
        seconds: churnMs / 1000,
        changes: churnedRoutes.changes,
        perSecond: churnedRoutes.changes / (churnMs / 1000),
        lag: lagOf(churnStats),
        resyncs: countOf(h.daemon.log(), 'full resync') - resyncsBefore,
        daemonCpuMs: processCpuMs(h.daemon.pid) - churnCpu,
      };
      progress(`sync: churn ${Math.round(churned.perSecond)} changes/s, lag p99 ${churned.lag.p99Ms.toFixed(0)} ms, ${churned.resyncs} resyncs`);
      const afterChurn = await daemonMemory(h.daemon.pid, metrics);

      progress('sync: cold start: stopping the daemon, starting it on the table');
      await h.daemon.stop();
      const t0 = performance.now();
      cold = await RouterDaemon.run(config, { startTimeoutMs: timeoutMs });
      const startMs = performance.now() - t0;
      const line = cold.log().split('\n').find((l) => l.includes('"msg":"fast path in sync with the kernel"'));
      const synced = line ? (JSON.parse(line) as { routes: number; ms: number; dumpMs: number }) : { routes: NaN, ms: NaN, dumpMs: NaN };
      const coldStart = { routes: synced.routes, syncMs: synced.ms, dumpMs: synced.dumpMs, startMs, daemonCpuMs: processCpuMs(cold.pid), memory: await daemonMemory(cold.pid, metrics) };
      progress(`sync: cold start: ${synced.routes} routes in sync after ${synced.ms} ms (${(startMs / 1000).toFixed(1)} s from the spawn), peak ${mib(coldStart.memory.peak)}`);

      coldFp = await FastPath.open({ netns: ns, pinDir: config.pinDir, adoptOnly: true });
      await tracker.follow({ netns: ns, pinDir: config.pinDir }, await probeNexthopIds(coldFp, g));
      const removal = await removeAll(ns, table.routes, g, cold.pid, tracker, timeoutMs);
      await tracker.stop();
      const resyncsBeforeBgp = countOf(cold.log(), 'full resync');
      const bgpCpu = processCpuMs(cold.pid);
      const bgp = await bgpFeed(lab, table.routes, table.probes, { netns: ns, pinDir: config.pinDir }, await probeNexthopIds(coldFp, g), timeoutMs);
      const bgpRow = { ...bgp, lag: lagOf(bgp.lag), resyncs: countOf(cold.log(), 'full resync') - resyncsBeforeBgp, daemonCpuMs: processCpuMs(cold.pid) - bgpCpu };
      return {
        options,
        probes: table.probes.length,
        feed,
        bgpFeed: bgpRow,
        memory: { before, settled: settledMemory, afterChurn },
        verify,
        churn: churned,
        coldStart,
        removal,
      };
    } finally {
      await tracker.stop();
      coldFp?.close();
      await cold?.stop();
    }
  });
}

const mib = (b: number): string => `${(b / 2 ** 20).toFixed(0)} MiB`;

async function liveFeed(h: LabDaemon, routes: FeedRoute[], g: Gateways, tracker: RouteLagTracker, timeoutMs: number): Promise<SyncResult['feed']> {
  progress(`sync: live feed of ${routes.length} routes by ip -batch`);
  await tracker.reset();
  const resyncsBefore = countOf(h.daemon.log(), 'full resync');
  const cpu = processCpuMs(h.daemon.pid);
  const kernelMs = (await timed(() => ipBatch(h.lab.router.ns, routes.map((r) => addLine(r, g))))).ms;
  await settled(tracker, 'live feed', timeoutMs);
  const s = await tracker.stats();
  const feed = {
    kernelMs,
    lag: lagOf(s),
    completeAfterKernelMs: s.lastFastPathAt - s.lastKernelAt,
    resyncs: countOf(h.daemon.log(), 'full resync') - resyncsBefore,
    daemonCpuMs: processCpuMs(h.daemon.pid) - cpu,
  };
  progress(`sync: kernel took ${(kernelMs / 1000).toFixed(1)} s; lag p50 ${feed.lag.p50Ms.toFixed(0)} ms p99 ${feed.lag.p99Ms.toFixed(0)} ms; complete ${(feed.completeAfterKernelMs / 1000).toFixed(2)} s after the kernel`);
  return feed;
}

/** Every route of the table deleted by ip -batch (`ip route flush` gives up after ten rounds on a full table). */
async function removeAll(ns: string, routes: FeedRoute[], g: Gateways, daemonPid: number, tracker: RouteLagTracker, timeoutMs: number): Promise<SyncResult['removal']> {
  progress('sync: removing the table');
  await tracker.reset();
  const cpu = processCpuMs(daemonPid);
  const kernelMs = (await timed(() => ipBatch(ns, routes.map((r) => deleteLine(r, g))))).ms;
  await settled(tracker, 'removal', timeoutMs);
  const s = await tracker.stats();
  const removal = { kernelMs, lag: lagOf(s), completeAfterKernelMs: s.lastFastPathAt - s.lastKernelAt, daemonCpuMs: processCpuMs(daemonPid) - cpu };
  progress(`sync: removal: kernel ${(kernelMs / 1000).toFixed(1)} s, fast path empty ${(removal.completeAfterKernelMs / 1000).toFixed(2)} s after it`);
  return removal;
}
