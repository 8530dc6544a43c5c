// `npm run bench -- sync`: the control plane at table scale (issue 3). With
// xdp-router running on the lab's router, install N IPv4 routes in the
// router namespace's kernel at once, and time until `xdp-router verify`
// finds the fast path equal to the kernel; then remove them all and time
// the same again. The daemon's peak resident memory comes from the kernel.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { FastPath } from '../dataplane/fastpath.js';
import { ip } from '../router/lab/netns.js';
import { seededRandom } from '../router/lab/random.js';
import type { RouterDaemon } from '../support/daemon.js';
import { withRouterLab } from './router-lab.js';
import { addRoutes } from './kernel-routes.js';
import { CLI } from './paths.js';
import { addressIn4, formatPrefix4, ipv4Table, numberToIpv4 } from './prefixes.js';
import type { Prefix4 } from './prefixes.js';
import { progress, sleep, timed } from './progress.js';

const execFileP = promisify(execFile);

/** rtm_protocol of the benchmark's routes: none of iproute2's or FRR's, not the daemon's (250) */
const BENCH_PROTO = 77;

export interface SyncOptions {
  routes: number;
  /** give up waiting for verify after this long */
  timeoutSeconds: number;
}

export const SYNC_DEFAULTS: SyncOptions = { routes: 1_000_000, timeoutSeconds: 300 };

export interface SyncPhase {
  /** ip -batch (or flush) until it returned */
  kernelMs: number;
  /** from the start of the kernel change until the fast path had it (probe, then `verify` passed) */
  verifiedMs: number;
  /** runs of verify it took, and how long the passing one ran */
  verifyRuns: number;
  verifyRunMs: number;
}

export interface SyncResult {
  options: SyncOptions;
  install: SyncPhase;
  remove: SyncPhase;
  /** the daemon's resident memory before the routes, and its peak (VmHWM) over the run */
  rssBeforeBytes: number;
  peakRssBytes: number;
}

/** prefixes the probe looks up */
const PROBES = 2000;

async function verifyPasses(configFile: string): Promise<boolean> {
  try {
    await execFileP('node', [CLI, 'verify', '--config', configFile], { maxBuffer: 256 * 1024 * 1024 });
    return true;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 1) return false; // differences
    throw err;
  }
}

/**
 * Wait until the fast path has the change, then confirm with `verify`. A
 * verify of a million routes takes seconds, too coarse to time by; so a
 * cheap probe first: longest-prefix lookups, in the daemon's pinned map, of
 * an address in each of a sample of the changed prefixes (every route goes
 * through the same gateway, and nothing else covers them, so a lookup finds
 * a route exactly while one of the sample's prefixes or a covering one is
 * in). The time reported is that of the probe whose verify then passed.
 */
async function untilVerified(daemon: RouterDaemon, probe: { fp: FastPath; addresses: string[]; present: boolean } | null, since: number, timeoutMs: number): Promise<Omit<SyncPhase, 'kernelMs'>> {
  for (let runs = 1; ; ) {
    const seen = performance.now();
    const probed = !probe || probe.addresses.every((a) => (probe.fp.lookupRoute(a) !== null) === probe.present);
    if (probed) {
      if (await verifyPasses(daemon.configFile)) return { verifiedMs: seen - since, verifyRuns: runs, verifyRunMs: performance.now() - seen };
      runs++;
    }
    if (performance.now() - since > timeoutMs) throw new Error(`verify still finds differences after ${timeoutMs / 1000} s`);
    await sleep(probed ? 200 : 20);
  }
}

/** Addresses in a sample of the table's prefixes: the last ones installed and a spread of the others. */
function probeAddresses(table: Prefix4[], size: number): string[] {
  const random = seededRandom(17);
  const picks = new Set<number>();
  for (let i = Math.max(0, table.length - 100); i < table.length; i++) picks.add(i);
  while (picks.size < Math.min(table.length, size)) picks.add(Math.floor(random() * table.length));
  return [...picks].map((i) => numberToIpv4(addressIn4(table[i]!, random)));
}

export async function runSync(options: SyncOptions = SYNC_DEFAULTS): Promise<SyncResult> {
  return withRouterLab(`xrb-sync-${process.pid}`, async ({ lab, daemon, fp }) => {
    await untilVerified(daemon, null, performance.now(), 30_000);
    const rssBeforeBytes = daemon.rss();
    const table = ipv4Table(options.routes);
    const routes = table.map((p) => `${formatPrefix4(p)} via ${lab.b.v4} dev ${lab.router.toB.dev} proto ${BENCH_PROTO}`);
    const timeoutMs = options.timeoutSeconds * 1000;
    const addresses = probeAddresses(table, PROBES);

    progress(`sync: installing ${options.routes} IPv4 routes in ${lab.router.ns}`);
    const installStart = performance.now();
    const installKernel = await timed(() => addRoutes(lab.router.ns, routes));
    const install = { kernelMs: installKernel.ms, ...(await untilVerified(daemon, { fp, addresses, present: true }, installStart, timeoutMs)) };
    progress(`sync: in the fast path ${(install.verifiedMs / 1000).toFixed(1)} s after the install began (kernel took ${(install.kernelMs / 1000).toFixed(1)} s)`);

    progress('sync: removing them');
    const removeStart = performance.now();
    const removeKernel = await timed(() => ip(['route', 'flush', 'proto', String(BENCH_PROTO)], lab.router.ns));
    const remove = { kernelMs: removeKernel.ms, ...(await untilVerified(daemon, { fp, addresses, present: false }, removeStart, timeoutMs)) };
    progress(`sync: out of the fast path ${(remove.verifiedMs / 1000).toFixed(1)} s after the removal began`);
    return { options, install, remove, rssBeforeBytes, peakRssBytes: daemon.peakRss() };
  });
}
