// Where the sync's memory and time go, per route, without a kernel: a dump
// as the kernel sends it (datagrams), loaded into a KernelState, then a full
// sync of a Reconciler (with a writer that writes nothing), each kept while
// the next is built, so each difference is one structure's cost.
// `node --cpu-prof` on it gives the same split for the time.
//   node --expose-gc dist/bench/sync-heap.js [IPV4 [IPV6]]
import * as L from '../dataplane/layout.js';
import { SlotIds } from '../dataplane/slot-ids.js';
import type { KernelSnapshot } from '../router/sync/model.js';
import { Reconciler, type FastPathWriter } from '../router/sync/reconciler.js';
import { KernelState } from '../router/sync/kernel-state.js';
import { DumpedRoutes } from '../router/sync/rtnl-decode.js';
import { MAIN_TABLE, tableDump } from './table-dump.js';

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
    deleteRoutes: async (prefixes) => prefixes.length,
  };
}

async function main(): Promise<void> {
  if (!gc) throw new Error('run with node --expose-gc: the stages are measured after a full collection');
  const counts = { ipv4: Number(process.argv[2] ?? 100_000), ipv6: Number(process.argv[3] ?? 30_000) };
  const n = counts.ipv4 + counts.ipv6;
  const raw = tableDump(counts, EGRESS);

  const stages: Array<[string, number]> = [];
  let last = used();
  const stage = (name: string): void => {
    const now = used();
    stages.push([name, now - last]);
    last = now;
  };
  const rawBytes = raw.reduce((s, d) => s + d.length, 0);
  stages.push([`the dump's datagrams, held while the state loads (${(rawBytes / 2 ** 20).toFixed(1)} MiB)`, rawBytes]);
  const link = { ifindex: EGRESS, name: 'r1', mac: '02:00:00:00:00:03', mtu: 1500, adminUp: true, carrier: true, kind: 'veth' };
  const snapshot: KernelSnapshot = { links: [link], addresses: [], routes: new DumpedRoutes(raw, { tables: new Set([MAIN_TABLE]) }), neighbours: [], rules: [] };
  const alone = new KernelState([MAIN_TABLE]);
  let t0 = performance.now();
  alone.load(snapshot);
  const loadMs = performance.now() - t0;
  stage('KernelState alone: its prefix table, route columns, shared next-hop lists and other maps');
  const reconciler = new Reconciler(nullWriter(), { tables: [MAIN_TABLE], interfaces: ['r1'] });
  t0 = performance.now();
  await reconciler.fullSync(snapshot);
  const syncMs = performance.now() - t0;
  stage('a Reconciler (its own KernelState as above, and its applied routes)');
  t0 = performance.now();
  await reconciler.fullSync(snapshot);
  const resyncMs = performance.now() - t0;
  stage('a resync of the same dump over it (mark and sweep: nothing should stay)');
  process.stdout.write(`${counts.ipv4} IPv4 + ${counts.ipv6} IPv6 routes; KernelState.load ${loadMs.toFixed(0)} ms, full sync ${syncMs.toFixed(0)} ms, resync ${resyncMs.toFixed(0)} ms (null writer)\n`);
  for (const [name, bytes] of stages) process.stdout.write(`${(bytes / n).toFixed(1).padStart(8)} B/route  ${(bytes / 2 ** 20).toFixed(1).padStart(8)} MiB  ${name}\n`);
  process.stdout.write(`${(last / 2 ** 20).toFixed(0)} MiB in use at the end (heap + array buffers); routes in the reconciler: ${reconciler.routeCount}\n`);
}

await main();
