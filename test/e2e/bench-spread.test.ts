// The forward benchmark's IPv6 spread, at its 1k-routes size: the table's
// IPv6 routes moved under the spread block in the router's kernel, frames
// from A to addresses all over them, B's counting sink. Every frame must
// reach the sink, and xdp-router, not the kernel beside it, must have
// carried each one: the benchmark's figures for that traffic are then
// lookups over the table, not the kernel's forwarding under our name, nor
// frames lost to a route the table lacks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatAddress, prefixHolds } from '../../dataplane/addr.js';
import type { FastPath } from '../../dataplane/fastpath.js';
import type { Lab } from '../../router/lab/topology.js';
import { kernelForwarded, staticSinkNeighbours } from '../../bench/forward-lab.js';
import { fullTable, growTable, spreadTraffic6, tableSize } from '../../bench/forward-table.js';
import type { RouteTable, TableSize } from '../../bench/forward-table.js';
import { Sink, XskGenerator } from '../../bench/lab-traffic.js';
import type { FrameTable } from '../../bench/lab-traffic.js';
import type { Prefix6 } from '../../bench/prefixes.js';
import { startLabDaemon } from '../../support/lab-daemon.js';
import type { LabDaemon } from '../../support/lab-daemon.js';
import { parseFrame } from '../../support/frames.js';
import { within } from '../helpers/router.js';

const PREFIX = `xrt-bsp-${process.pid}`;
/** paced well below what the lab's receive rings spill at, so every frame must arrive */
const MPPS = 0.05;
const SECONDS = 0.2;
/** the daemon mirroring 1,000 routes, and the sink counting the last frame */
const MIRRORED_MS = 30_000;
const ARRIVED_MS = 3000;

/** where an IPv6 header holds its destination, and how long it is */
const IPV6_DST_OFFSET = 24;
const IPV6_ADDR_BYTES = 16;

const destinationOf = (frame: Buffer): Buffer => parseFrame(frame).l3.subarray(IPV6_DST_OFFSET, IPV6_DST_OFFSET + IPV6_ADDR_BYTES);

describe('the forward benchmark\'s IPv6 spread at 1k routes', () => {
  let h: LabDaemon | undefined;
  let lab: Lab;
  let fp: FastPath;
  let full: RouteTable;
  let table: TableSize;
  let traffic: FrameTable;
  let sink: Sink | undefined;
  let generator: XskGenerator | undefined;

  beforeAll(async () => {
    full = fullTable();
    table = tableSize('1k routes', full);
    h = await startLabDaemon({
      prefix: PREFIX,
      beforeDaemon: async (l) => {
        lab = l;
        await staticSinkNeighbours(lab);
        await growTable(lab, full, null, table);
      },
    });
    ({ fp } = h);
    traffic = spreadTraffic6(lab, full, table);
    sink = await Sink.attach(lab.b.ns, lab.b.dev);
    generator = await XskGenerator.create(lab.a.ns, lab.a.dev, traffic);
  }, 120_000);

  afterAll(async () => {
    generator?.close();
    await sink?.detach();
    await h?.dispose();
  });

  it('spreads over the table: each frame to its own address, the table\'s prefixes hit by the hundred', () => {
    const destinations = traffic.frames.map(destinationOf);
    expect(new Set(destinations.map((d) => d.toString('hex'))).size).toBe(traffic.frames.length);
    const routes = full.v6.slice(0, table.routes6);
    const longestMatch = (dst: Buffer): Prefix6 | undefined =>
      routes.filter((p) => prefixHolds(p, dst)).reduce<Prefix6 | undefined>((best, p) => (best && best.length >= p.length ? best : p), undefined);
    const matched = destinations.map(longestMatch);
    expect(matched.filter((p) => p === undefined)).toHaveLength(0);
    // 4,096 draws over 1,000 routes; a draw that fell in a route holding a longer one may match that one instead
    expect(new Set(matched).size).toBeGreaterThan(table.routes6 / 2);
  });

  it('every frame reaches B\'s sink, each forwarded by xdp-router and none by the kernel', async () => {
    // the daemon has the table once each destination's route leads via B
    await within(MIRRORED_MS, () => traffic.frames.every((f) => fp.lookupRoute(formatAddress(destinationOf(f)))?.type === 'unicast'), 'the spread\'s routes in the fast path');
    const kernelBefore = await kernelForwarded(lab.router.ns);
    const forwardedBefore = await fp.packets('forwarded', lab.router.toA.ifindex);
    const sunkBefore = sink!.received();
    const { sent } = await generator!.sendPaced(MPPS, SECONDS);
    expect(sent).toBeGreaterThan(traffic.frames.length);
    await within(ARRIVED_MS, () => sink!.received() - sunkBefore >= BigInt(sent), 'every frame at the sink').catch(() => undefined);
    expect(sink!.received() - sunkBefore).toBe(BigInt(sent));
    expect(await fp.packets('forwarded', lab.router.toA.ifindex)).toBe(forwardedBefore + BigInt(sent));
    expect(await kernelForwarded(lab.router.ns)).toBe(kernelBefore);
  }, 60_000);
});
