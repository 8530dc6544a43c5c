// The routes the forward benchmark's router holds beside the lab's own, at
// each table size it measures: the first 1,000 prefixes of a full table
// (any leading slice has the full table's length mix), then all of it. They
// all go via host B. The IPv4 traffic goes to the lab's route to
// 203.0.113.0/24, which none of them overlaps: a lookup in a table of that
// size, for a few destinations. The IPv6 part of the table is moved under
// the documentation range with its shape (prefixes.ts underSpreadBlock6), so
// that the spread IPv6 traffic can go to destinations all over it, as the
// fast-path benchmark's do, and still stay on the documentation ranges;
// that traffic is made here too, from the table it spreads over.
import { requireAddress } from '../dataplane/addr.js';
import type { Lab } from '../router/lab/topology.js';
import { addRoutes } from './kernel-routes.js';
import { FRAME_LENGTH, SINK_PORT } from './lab-traffic.js';
import type { FrameTable } from './lab-traffic.js';
import { spreadFrames, spreadSeed } from './spread-flows.js';
import { formatPrefix4, formatPrefix6, fullTable as fullTableProfile, underSpreadBlock6 } from './prefixes.js';
import type { Prefix4, Prefix6 } from './prefixes.js';

export type TableName = '1k routes' | 'full table';
export const TABLES: TableName[] = ['1k routes', 'full table'];

export interface RouteTable {
  v4: Prefix4[];
  v6: Prefix6[];
}

/** the routes of a table step, per family */
export interface TableSize {
  name: TableName;
  routes4: number;
  routes6: number;
}

const SMALL_TABLE = 1_000;
/** routes per `ip -batch`, to bound its memory */
const CHUNK = 100_000;

/**
 * The full table the benchmark grows to: the full-table profile, 1,050,000
 * IPv4 and 300,000 IPv6 prefixes of the global tables' mix, the IPv6 ones
 * moved under the spread block (the few that meet there once moved, /128s
 * cut to the same bits, kept once: ip -batch stops at a route it already has).
 */
export function fullTable(): RouteTable {
  const { ipv4, ipv6 } = fullTableProfile();
  return { v4: ipv4, v6: underSpreadBlock(ipv6) };
}

/** IPv6 prefixes moved under the spread block, in their order, each once */
export function underSpreadBlock(ipv6: readonly Prefix6[]): Prefix6[] {
  const seen = new Set<string>();
  return ipv6.map(underSpreadBlock6).filter((p) => {
    const key = formatPrefix6(p);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function tableSize(name: TableName, full: RouteTable): TableSize {
  const cut = (n: number): number => (name === 'full table' ? n : Math.min(SMALL_TABLE, n));
  return { name, routes4: cut(full.v4.length), routes6: cut(full.v6.length) };
}

/**
 * Add the routes of `to` that `from` lacks to the router namespace's
 * kernel (one table grows into the next), via B; with from null, all of them.
 */
export async function growTable(lab: Lab, full: RouteTable, from: TableSize | null, to: TableSize): Promise<void> {
  const dev = lab.router.toB.dev;
  const lines = (count0: number, count1: number, line: (i: number) => string): string[] => Array.from({ length: count1 - count0 }, (_, k) => line(count0 + k));
  const families = [
    { from: from?.routes4 ?? 0, to: to.routes4, line: (i: number) => `${formatPrefix4(full.v4[i]!)} via ${lab.b.v4} dev ${dev}` },
    { from: from?.routes6 ?? 0, to: to.routes6, line: (i: number) => `${formatPrefix6(full.v6[i]!)} via ${lab.b.v6} dev ${dev}` },
  ];
  for (const f of families) {
    for (let start = f.from; start < f.to; start += CHUNK) await addRoutes(lab.router.ns, lines(start, Math.min(f.to, start + CHUNK), f.line));
  }
}

/** frames of the IPv6 spread traffic (the most a frame table holds), each to its own destination */
const SPREAD_FRAMES = 4096;

/**
 * The IPv6 spread traffic at a table size: from A to random addresses of
 * random prefixes among the table's IPv6 routes, seeded as the fast-path
 * benchmark's spread frames are (spread-flows.ts), one UDP source port each.
 */
export function spreadTraffic6(lab: Lab, full: RouteTable, table: TableSize): FrameTable {
  const ends = { dstMac: lab.router.toA.mac, srcMac: lab.a.mac, src: requireAddress(lab.a.v6).addr, dport: SINK_PORT, frameLength: FRAME_LENGTH };
  return { frames: spreadFrames(6, full.v6, table.routes6, SPREAD_FRAMES, spreadSeed(6, table.routes6), ends) };
}
