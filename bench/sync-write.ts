// Where a full sync's time goes when it writes the real maps: a dump as the
// kernel sends it (table-dump.ts) loaded and full-synced by a Reconciler
// into a real FastPath (tries, DIR-24-8 and IPv6 indexes, next hops), in a
// namespace of its own that it removes. No daemon, no netlink, no lab: the
// figures are the sync's and the fast path's writes alone. Then a feed's
// events (the table withdrawn and announced again) through the same maps:
// the CPU per 1k events of the event path, as a BGP feed takes it. `node
// --cpu-prof` on it splits the time by function.
// With --holders, after the full sync and again after the feed, the typed
// arrays that the reconciler and the fast path hold, by owner, after a
// forced collection (memory-holders.ts); with --heap-snapshot, a V8 heap
// snapshot after the feed (its path printed), for the JS objects' share.
//   node --expose-gc dist/bench/sync-write.js [IPV4 [IPV6]] [--holders] [--heap-snapshot]
import { writeHeapSnapshot } from 'node:v8';
import { FastPath } from '../dataplane/fastpath.js';
import { createNetns, deleteNetns, ifindexOf, ip } from '../router/lab/netns.js';
import { NUD, type KernelSnapshot } from '../router/sync/model.js';
import { Reconciler, type FastPathWriter } from '../router/sync/reconciler.js';
import { DumpedRoutes, decodeEvent } from '../router/sync/rtnl-decode.js';
import { RTM, readMessages } from '../router/sync/rtnl-wire.js';
import { holdersReport, memoryHolders } from './memory-holders.js';
import { GATEWAYS, MAIN_TABLE, routeEvents, tableDump } from './table-dump.js';

const LINK = 'r1';
const LINK_MAC = '02:00:00:00:00:03';
const GATEWAY_MAC = '02:00:00:00:00:04';

/** The FastPath's route writes, timed on the JS thread (what they await included). */
function timedWriter(fp: FastPath, spent: { routesMs: number; calls: number }): FastPathWriter {
  const timed = async <T>(write: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await write();
    } finally {
      spent.routesMs += performance.now() - t0;
      spent.calls++;
    }
  };
  return {
    nexthopIds: fp.nexthopIds,
    groupIds: fp.groupIds,
    setInterface: fp.setInterface.bind(fp),
    deleteInterface: fp.deleteInterface.bind(fp),
    addLocalAddress: fp.addLocalAddress.bind(fp),
    deleteLocalAddress: fp.deleteLocalAddress.bind(fp),
    setNexthop: fp.setNexthop.bind(fp),
    setGroup: fp.setGroup.bind(fp),
    setNeighbour: fp.setNeighbour.bind(fp),
    deleteNeighbour: fp.deleteNeighbour.bind(fp),
    setRoute: fp.setRoute.bind(fp),
    setRoutes: (routes) => timed(() => fp.setRoutes(routes)),
    deleteRoute: fp.deleteRoute.bind(fp),
    deleteRoutes: (prefixes) => timed(() => fp.deleteRoutes(prefixes)),
  };
}

/**
 * A feed's events through the real maps: every route withdrawn, then
 * announced again, a datagram's events a batch (about what one read of
 * the event socket brings). CPU of the process (all threads) is counted
 * around the reconciler's batches only, not the decode.
 */
async function feedThroughMaps(reconciler: Reconciler, raw: readonly Buffer[]): Promise<{ cpuMs: number; wallMs: number; events: number }> {
  const filter = { tables: new Set([MAIN_TABLE]) };
  let cpuMs = 0;
  let wallMs = 0;
  let events = 0;
  for (const type of [RTM.DELROUTE, RTM.NEWROUTE]) {
    for (const batch of routeEvents(raw, type)) {
      const decoded = readMessages(batch).map((m) => decodeEvent(m, filter)!);
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      await reconciler.applyEvents(decoded);
      wallMs += performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      cpuMs += (cpu.user + cpu.system) / 1000;
      events += decoded.length;
    }
  }
  return { cpuMs, wallMs, events };
}

const feedLine = (feed: { cpuMs: number; wallMs: number; events: number }, routes: number): string =>
  `feed through the maps (every route withdrawn, then announced; ${feed.events} events for ${routes} routes): ` +
  `CPU ${((feed.cpuMs * 1000) / feed.events).toFixed(1)} ms per 1k events, wall ${((feed.wallMs * 1000) / feed.events).toFixed(1)} ms per 1k (applyEvents alone)`;

const gc = (globalThis as { gc?: () => void }).gc;

function printHolders(when: string, roots: Record<string, unknown>): void {
  if (!gc) throw new Error('--holders needs node --expose-gc: the holders are counted after a full collection');
  gc();
  gc();
  const usage = process.memoryUsage();
  process.stdout.write(`holders ${when}:\n${holdersReport(memoryHolders(roots, 6), usage)}\n`);
}

async function main(): Promise<void> {
  const holders = process.argv.includes('--holders');
  const counts = { ipv4: Number(process.argv[2] ?? 300_000), ipv6: Number(process.argv[3] ?? 60_000) };
  const ns = `xrt-sw-${process.pid}`;
  let fp: FastPath | undefined;
  try {
    await createNetns(ns);
    await ip(['link', 'add', LINK, 'address', LINK_MAC, 'type', 'veth', 'peer', 'name', `${LINK}p`], ns);
    await ip(['link', 'set', LINK, 'up'], ns);
    const egress = await ifindexOf(ns, LINK);
    let t0 = performance.now();
    const raw = tableDump(counts, egress);
    const buildMs = performance.now() - t0;
    fp = await FastPath.open({ netns: ns });
    const spent = { routesMs: 0, calls: 0 };
    const reconciler = new Reconciler(timedWriter(fp, spent), { tables: [MAIN_TABLE], interfaces: [LINK] });
    const snapshot: KernelSnapshot = {
      links: [{ ifindex: egress, name: LINK, mac: LINK_MAC, mtu: 1500, adminUp: true, carrier: true, kind: 'veth' }],
      addresses: [
        { ifindex: egress, family: 4, address: '198.51.100.1', prefixLength: 24 },
        { ifindex: egress, family: 6, address: '2001:db8:b::1', prefixLength: 64 },
      ],
      neighbours: ([4, 6] as const).map((family) => ({ ifindex: egress, family, address: GATEWAYS[family], mac: GATEWAY_MAC, state: NUD.REACHABLE })),
      routes: new DumpedRoutes(raw, { tables: new Set([MAIN_TABLE]) }),
      rules: [],
    };
    // the table's generation leaves garbage that is not the sync's to collect
    gc?.();
    const cpu0 = process.cpuUsage();
    const faults0 = process.resourceUsage().minorPageFault;
    const window0 = process.hrtime.bigint();
    t0 = performance.now();
    const { routes } = await reconciler.fullSync(snapshot);
    const syncMs = performance.now() - t0;
    const window1 = process.hrtime.bigint();
    const cpu = process.cpuUsage(cpu0);
    const faults = process.resourceUsage().minorPageFault - faults0;
    const n = counts.ipv4 + counts.ipv6;
    const ns1 = (ms: number): string => `${ms.toFixed(0).padStart(6)} ms ${((ms * 1e6) / n).toFixed(0).padStart(6)} ns/route`;
    const out = [
      `${counts.ipv4} IPv4 + ${counts.ipv6} IPv6 routes (${routes} in the maps); the dump's datagrams built in ${buildMs.toFixed(0)} ms (not counted)`,
      `full sync, wall:                  ${ns1(syncMs)}`,
      `  of it the route writes (${spent.calls} batch calls, awaited): ${ns1(spent.routesMs)}`,
      `  the rest (load, desired, reconciler): ${ns1(syncMs - spent.routesMs)}`,
      `CPU of the process, all threads:  ${ns1((cpu.user + cpu.system) / 1000)} (user ${(cpu.user / 1000).toFixed(0)} ms, system ${(cpu.system / 1000).toFixed(0)} ms)`,
      // a count that does not depend on the load; each costs some µs where the guest's page tables are the hypervisor's
      `page faults: ${faults} (${(faults / n).toFixed(2)} per route)`,
      // the monotonic clock of --cpu-prof's timestamps: a profile can be cut to the sync alone
      `full sync's window on the monotonic clock: ${window0 / 1000n} to ${window1 / 1000n} us`,
      `IPv4 index groups: ${JSON.stringify(fp.fib4Groups())}; IPv6: ${JSON.stringify(fp.fib6Lines())}`,
    ];
    process.stdout.write(`${out.join('\n')}\n`);
    if (holders) printHolders('after the full sync (the dump still held)', { reconciler, fastPath: fp, dump: raw });
    process.stdout.write(`${feedLine(await feedThroughMaps(reconciler, raw), n)}\n`);
    if (holders) printHolders('after the feed', { reconciler, fastPath: fp });
    if (process.argv.includes('--heap-snapshot')) process.stdout.write(`heap snapshot: ${writeHeapSnapshot()}\n`);
  } finally {
    fp?.close();
    await deleteNetns(ns);
  }
}

await main();
