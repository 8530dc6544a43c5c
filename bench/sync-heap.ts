// Where the sync's memory and time go, per route, without a kernel: a dump
// as the kernel sends it (datagrams), decoded, loaded into a KernelState
// (the KernelRoute way and the packed way), then a full sync of a
// Reconciler (with a writer that writes nothing): each step's time and the
// bytes it allocates (a count the machine's load does not change). Then
// what each structure holds, each kept while the next is built, so each
// difference is one structure's cost. `node --cpu-prof` on it gives the
// split of the time.
//   node --expose-gc dist/bench/sync-heap.js [IPV4 [IPV6]]
import { loadavg } from 'node:os';
import { GCProfiler, getHeapStatistics } from 'node:v8';
import * as L from '../dataplane/layout.js';
import { SlotIds } from '../dataplane/slot-ids.js';
import type { KernelEvent, KernelRoute, KernelSnapshot } from '../router/sync/model.js';
import { Reconciler, type FastPathWriter } from '../router/sync/reconciler.js';
import { KernelState } from '../router/sync/kernel-state.js';
import { DumpedRoutes, decodeEvent } from '../router/sync/rtnl-decode.js';
import { RTM, readMessages } from '../router/sync/rtnl-wire.js';
import { MAIN_TABLE, routeEvents, tableDump } from './table-dump.js';

const EGRESS = 3;

const gc = (globalThis as { gc?: () => void }).gc;

function used(): number {
  gc!();
  gc!();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** Writes nothing: the reconciler's own memory is what is measured. */
function nullWriter(): FastPathWriter {
  const none = (): void => {};
  return {
    nexthopIds: new SlotIds(L.NEXTHOP_MAX, 'next-hop id', none, (reclaim) => reclaim()),
    groupIds: new SlotIds(L.GROUP_MAX, 'next-hop group id', none, (reclaim) => reclaim()),
    setInterface: none,
    deleteInterface: () => true,
    addLocalAddress: none,
    deleteLocalAddress: () => true,
    setNexthop: none,
    setGroup: none,
    setNeighbour: none,
    deleteNeighbour: () => true,
    setRoute: none,
    setRoutes: async () => {},
    deleteRoute: () => true,
    deleteRoutes: async (batch) => batch.size,
  };
}

/** What a step cost: wall time, and bytes allocated on the V8 heap (counted through its collections: the same on a busy machine). */
interface Cost {
  ms: number;
  allocated: number;
  gcs: number;
  gcMs: number;
}

async function measure(run: () => unknown): Promise<Cost> {
  gc!();
  const profiler = new GCProfiler();
  const start = getHeapStatistics().used_heap_size;
  profiler.start();
  const t0 = performance.now();
  await run();
  const ms = performance.now() - t0;
  const end = getHeapStatistics().used_heap_size;
  const { statistics } = profiler.stop();
  let allocated = 0;
  let after = start;
  let gcMs = 0;
  for (const s of statistics) {
    allocated += s.beforeGC.heapStatistics.usedHeapSize - after;
    after = s.afterGC.heapStatistics.usedHeapSize;
    gcMs += s.cost / 1000;
  }
  allocated += end - after;
  return { ms, allocated, gcs: statistics.length, gcMs };
}

/** what one read of the event socket brings in a feed, about */
const EVENT_BATCH = 1024;

/** The same routes, but not as DumpedRoutes: KernelState.load takes them as KernelRoute objects, the way it did before dump-loader.ts. */
const asObjects = (routes: DumpedRoutes): Iterable<KernelRoute> => ({ [Symbol.iterator]: () => routes[Symbol.iterator]() });

async function main(): Promise<void> {
  if (!gc) throw new Error('run with node --expose-gc: the stages are measured after a full collection');
  const counts = { ipv4: Number(process.argv[2] ?? 100_000), ipv6: Number(process.argv[3] ?? 30_000) };
  const n = counts.ipv4 + counts.ipv6;
  const raw = tableDump(counts, EGRESS);
  const dumped = new DumpedRoutes(raw, { tables: new Set([MAIN_TABLE]) });
  const link = { ifindex: EGRESS, name: 'r1', mac: '02:00:00:00:00:03', mtu: 1500, adminUp: true, carrier: true, kind: 'veth' };
  const snapshotOf = (routes: Iterable<KernelRoute>): KernelSnapshot => ({ links: [link], addresses: [], routes, neighbours: [], rules: [] });
  const snapshot = snapshotOf(dumped);

  // time and garbage per route, each step on a state of its own
  const costs: Array<[string, number, Cost]> = [];
  let decoded = 0;
  costs.push(['decode alone, the KernelRoute way (decodeRoute, routesOfDump)', n, await measure(() => { for (const _ of dumped) decoded++; })]);
  costs.push(['KernelState.load, the KernelRoute way (decode, prefix text parsed, columns)', n, await measure(() => new KernelState([MAIN_TABLE]).load(snapshotOf(asObjects(dumped))))]);
  costs.push(['KernelState.load, packed (dump-loader.ts)', n, await measure(() => new KernelState([MAIN_TABLE]).load(snapshot))]);
  const timed = new Reconciler(nullWriter(), { tables: [MAIN_TABLE], interfaces: ['r1'] });
  costs.push(['Reconciler.fullSync: the packed load, desired routes, applied records (null writer)', n, await measure(() => timed.fullSync(snapshot))]);
  costs.push(['Reconciler.fullSync again over it (a resync: nothing to write)', n, await measure(() => timed.fullSync(snapshot))]);
  if (decoded !== n) throw new Error(`the dump decodes to ${decoded} routes, not ${n}`);
  // a feed's events: every route withdrawn, then announced again, as the event socket hands them over
  const feed = [...routeEvents(raw, RTM.DELROUTE), ...routeEvents(raw, RTM.NEWROUTE)];
  const filter = { tables: new Set([MAIN_TABLE]) };
  let events: KernelEvent[] = [];
  costs.push(['events decoded (decodeEvent), per event', 2 * n, await measure(() => (events = feed.flatMap((batch) => readMessages(batch).map((m) => decodeEvent(m, filter)!))))]);
  costs.push(['events applied (Reconciler.applyEvents in batches, null writer), per event', 2 * n, await measure(async () => {
    for (let i = 0; i < events.length; i += EVENT_BATCH) await timed.applyEvents(events.slice(i, i + EVENT_BATCH));
  })]);
  events = [];

  const stages: Array<[string, number]> = [];
  let last = used();
  const stage = (name: string): void => {
    const now = used();
    stages.push([name, now - last]);
    last = now;
  };
  const rawBytes = raw.reduce((s, d) => s + d.length, 0);
  stages.push([`the dump's datagrams, held while the state loads (${(rawBytes / 2 ** 20).toFixed(1)} MiB)`, rawBytes]);
  const alone = new KernelState([MAIN_TABLE]);
  alone.load(snapshot);
  stage('KernelState alone: its prefix table, route columns, shared next-hop lists and other maps');
  const reconciler = new Reconciler(nullWriter(), { tables: [MAIN_TABLE], interfaces: ['r1'] });
  await reconciler.fullSync(snapshot);
  stage('a Reconciler (its own KernelState as above, and its applied routes)');
  await reconciler.fullSync(snapshot);
  stage('a resync of the same dump over it (mark and sweep: nothing should stay)');
  process.stdout.write(`${counts.ipv4} IPv4 + ${counts.ipv6} IPv6 routes; load average ${loadavg()[0]!.toFixed(2)}\n`);
  process.stdout.write('    ns/item   alloc B/item  GCs  GC ms    ms  step (an item: a route, or an event)\n');
  for (const [name, items, c] of costs) {
    process.stdout.write(`${((c.ms * 1e6) / items).toFixed(0).padStart(11)}  ${(c.allocated / items).toFixed(1).padStart(13)}  ${String(c.gcs).padStart(3)}  ${c.gcMs.toFixed(0).padStart(5)}  ${c.ms.toFixed(0).padStart(4)}  ${name}\n`);
  }
  process.stdout.write('held:\n');
  for (const [name, bytes] of stages) process.stdout.write(`${(bytes / n).toFixed(1).padStart(8)} B/route  ${(bytes / 2 ** 20).toFixed(1).padStart(8)} MiB  ${name}\n`);
  process.stdout.write(`${(last / 2 ** 20).toFixed(0)} MiB in use at the end (heap + array buffers); routes in the reconciler: ${reconciler.routeCount}\n`);
}

await main();
