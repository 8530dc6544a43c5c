// `xdp-router verify`: compare what the fast path holds with what the
// kernel's tables say it should hold, entry by entry.
import type { FastPath, RouteTarget } from '../../dataplane/fastpath.js';
import { parsePrefix } from '../../dataplane/addr.js';
import { findPrefix, prefixOrder4, prefixOrder6 } from '../../dataplane/prefix-order.js';
import { prefixText, routeTarget, type TrieDump } from '../../dataplane/route-dump.js';
import { DesiredState, NO_NETFILTER, nexthopKey, signature } from './desired.js';
import type { DesiredOptions, NetfilterScope } from './desired.js';
import { KernelState } from './kernel-state.js';
import { NUD } from './model.js';
import type { KernelSnapshot } from './model.js';

export interface Difference {
  /**
   * ipv4-index, ipv6-index: the program's index arrays against the trie, at
   * an address ("kernel" is the trie's answer). nexthop-entry: a next hop's
   * copy of its interface and neighbour against those entries ("kernel" is
   * what they make of it).
   */
  kind: 'route' | 'ipv4-index' | 'ipv6-index' | 'nexthop-entry' | 'neighbour' | 'interface' | 'local-address';
  key: string;
  /** what the kernel's state asks for; undefined: nothing */
  kernel?: string;
  /** what the maps hold; undefined: nothing */
  fastPath?: string;
}

/**
 * The routes the kernel asks for against the tries' entries, each found by
 * binary search in its trie's dump (prefix-order.ts): a full table is a
 * million of each, and neither side is copied into a Map.
 */
function compareRoutes(desired: DesiredState, tries: readonly [TrieDump, TrieDump], describe: (t: RouteTarget) => string): Difference[] {
  const orders = [prefixOrder4(tries[0]), prefixOrder6(tries[1])] as const;
  const seen = tries.map((t) => new Uint8Array(t.entries.count));
  const out: Difference[] = [];
  for (const familyKey of desired.routeKeys()) {
    const d = desired.route(familyKey);
    if (!d) continue;
    const key = familyKey.slice(2);
    const p = parsePrefix(key);
    const v6 = p.family === 6 ? 1 : 0;
    const at = v6 ? findPrefix(orders[1], p.addr.toString('hex'), p.length) : findPrefix(orders[0], p.addr.readUInt32BE(0), p.length);
    const kernel = signature(d);
    const fastPath = at >= 0 ? describe(routeTarget(tries[v6], at)) : undefined;
    if (at >= 0) seen[v6]![at] = 1;
    if (kernel !== fastPath) out.push({ kind: 'route', key, kernel, ...(fastPath !== undefined ? { fastPath } : {}) });
  }
  tries.forEach((trie, side) => {
    for (let i = 0; i < trie.entries.count; i++) {
      if (!seen[side]![i]) out.push({ kind: 'route', key: prefixText(trie, i), fastPath: describe(routeTarget(trie, i)) });
    }
  });
  return out;
}

function compare(kind: Difference['kind'], want: Map<string, string>, have: Map<string, string>): Difference[] {
  const out: Difference[] = [];
  // each side walked, not both copied into one set: a full table has a million keys
  for (const [key, kernel] of want) {
    const fastPath = have.get(key);
    if (kernel !== fastPath) out.push({ kind, key, kernel, ...(fastPath !== undefined ? { fastPath } : {}) });
  }
  for (const [key, fastPath] of have) if (!want.has(key)) out.push({ kind, key, fastPath });
  return out;
}

const describeNeighbour = (n: { mac: string; valid: boolean; stale: boolean }): string =>
  `${n.mac} ${n.valid ? 'valid' : 'not-valid'}${n.stale ? ' stale' : ''}`;

export async function verify(
  fp: FastPath,
  snapshot: KernelSnapshot,
  options: { tables: number[]; interfaces: string[]; netfilter?: NetfilterScope } & DesiredOptions,
): Promise<Difference[]> {
  const state = new KernelState(options.tables);
  state.load(snapshot);
  const desired = new DesiredState(state, options.interfaces, options);
  desired.netfilter = options.netfilter ?? NO_NETFILTER;

  const nexthops = await fp.nexthops();
  const groups = await fp.groups();
  const nhKey = (id: number): string => {
    const nh = nexthops.get(id);
    return nh ? nexthopKey(nh) : `missing-nexthop-${id}`;
  };
  // a million routes through a few next hops and groups: each described once
  const described = new Map<string, string>();
  const describeOnce = (t: RouteTarget): string => {
    if (t.type !== 'unicast') return t.type;
    if ('nexthop' in t) return `via ${nhKey(t.nexthop)}`;
    const members = groups.get(t.group);
    return members ? `group ${members.map((m) => `${nhKey(m.nexthop)}*${m.weight}`).join(',')}` : `missing-group-${t.group}`;
  };
  const describe = (t: RouteTarget): string => {
    const id = t.type !== 'unicast' ? t.type : 'nexthop' in t ? `n${t.nexthop}` : `g${t.group}`;
    let text = described.get(id);
    if (text === undefined) described.set(id, (text = describeOnce(t)));
    return text;
  };
  const tries = await fp.routeDumps();
  const routes = compareRoutes(desired, tries, describe);

  const wantNeigh = new Map<string, string>();
  for (const key of state.neighbours.keys()) {
    const n = desired.neighbour(key);
    if (n) wantNeigh.set(key, describeNeighbour(n));
  }
  const haveNeigh = new Map([...(await fp.neighbours())].map(([k, n]) => [k, describeNeighbour(n)]));
  // The kernel moves a STALE entry to DELAY (and on to PROBE) without a
  // netlink notification, so the daemon still has it stale: harmless (one
  // more use handed to the kernel), and not a difference.
  for (const [key, want] of wantNeigh) {
    const unnotified = (state.neighbours.get(key)!.state & (NUD.DELAY | NUD.PROBE)) !== 0;
    if (unnotified && haveNeigh.get(key) === `${want} stale`) wantNeigh.set(key, `${want} stale`);
  }

  const wantIfaces = new Map<string, string>();
  for (const ifindex of state.links.keys()) {
    const spec = desired.iface(ifindex);
    if (spec) wantIfaces.set(String(ifindex), JSON.stringify(spec));
  }
  const haveIfaces = new Map([...(await fp.interfaces())].map(([k, v]) => [String(k), JSON.stringify(v)]));

  const wantLocal = new Map([...desired.locals().keys()].map((a) => [a, 'local']));
  const haveLocal = new Map((await fp.localAddresses()).map((a) => [a, 'local']));

  const index = [
    ...(await fp.fib4IndexMismatches(tries[0])).map((m) => ({ kind: 'ipv4-index' as const, ...m })),
    ...(await fp.fib6IndexMismatches(tries[1])).map((m) => ({ kind: 'ipv6-index' as const, ...m })),
  ].map((m): Difference => ({ kind: m.kind, key: m.address, kernel: m.trie ? describe(m.trie) : 'none', fastPath: m.index ? describe(m.index) : 'none' }));

  const entries = (await fp.staleNexthops()).map((m): Difference => ({ kind: 'nexthop-entry', key: String(m.id), kernel: m.want, fastPath: m.have }));

  return [
    ...routes,
    ...index,
    ...entries,
    ...compare('neighbour', wantNeigh, haveNeigh),
    ...compare('interface', wantIfaces, haveIfaces),
    ...compare('local-address', wantLocal, haveLocal),
  ];
}
