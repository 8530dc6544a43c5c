// `xdp-router verify`: compare what the fast path holds with what the
// kernel's tables say it should hold, entry by entry.
import type { FastPath, RouteTarget } from '../../dataplane/fastpath.js';
import { parsePrefix, type Family } from '../../dataplane/addr.js';
import { findPrefix, findPrefix6, prefixOrder4 } from '../../dataplane/prefix-order.js';
import { prefixText, routeCode, routeTarget, type TrieDump } from '../../dataplane/route-dump.js';
import { DesiredState, NO_NETFILTER, nexthopKey, signature } from './desired.js';
import type { DesiredOptions, DesiredRoute, NetfilterScope } from './desired.js';
import { KernelState } from './kernel-state.js';
import { NUD } from './model.js';
import type { KernelSnapshot } from './model.js';

const IPV6_WORDS = 4;

export interface Difference {
  /**
   * ipv4-index, ipv6-index: the program's index arrays against the trie, at
   * an address ("kernel" is the trie's answer). nexthop-entry: a next hop's
   * copy of its interface and neighbour against those entries ("kernel" is
   * what they make of it). ingress-word: a device's xr_ingress word against
   * its untagged xr_ifaces entry, by ifindex (likewise). local6-filter:
   * a router's IPv6 address (in xr_local6) whose xr_local6_filter bit is
   * clear, so that the program would forward what is sent to it.
   */
  kind: 'route' | 'ipv4-index' | 'ipv6-index' | 'nexthop-entry' | 'ingress-word' | 'neighbour' | 'interface' | 'local-address' | 'local6-filter';
  key: string;
  /** what the kernel's state asks for; undefined: nothing */
  kernel?: string;
  /** what the maps hold; undefined: nothing */
  fastPath?: string;
}

/**
 * The routes the kernel asks for against the tries' entries, each found by
 * binary search in its trie's dump (prefix-order.ts): a full table is a
 * million of each, and neither side is copied into a Map. Prefixes are
 * walked by slot and found by their packed address words; text is made
 * only for a difference.
 */
function compareRoutes(desired: DesiredState, state: KernelState, tries: readonly [TrieDump, TrieDump], describe: (t: RouteTarget) => string): Difference[] {
  const seen = tries.map((t) => new Uint8Array(t.entries.count));
  const out: Difference[] = [];
  // a million entries over a few distinct routes: each described once
  const byCode = new Map<number, string>();
  const describeAt = (trie: TrieDump, i: number): string => {
    const code = routeCode(trie, i);
    let text = byCode.get(code);
    if (text === undefined) byCode.set(code, (text = describe(routeTarget(trie, i))));
    return text;
  };
  const address = new Uint32Array(IPV6_WORDS);
  const check = (d: DesiredRoute, family: Family, length: number, key: () => string): void => {
    const v6 = family === 6 ? 1 : 0;
    const at = v6 ? findPrefix6(tries[1], address, length) : findPrefix(prefixOrder4(tries[0]), address[0]!, length);
    const kernel = signature(d);
    const fastPath = at >= 0 ? describeAt(tries[v6], at) : undefined;
    if (at >= 0) seen[v6]![at] = 1;
    if (kernel !== fastPath) out.push({ kind: 'route', key: key(), kernel, ...(fastPath !== undefined ? { fastPath } : {}) });
  };
  const prefixes = state.routes.prefixes;
  const slots = state.routes.slotList();
  for (let i = 0; i < slots.length; i++) {
    const slot = slots[i]!;
    const d = desired.routeAt(slot);
    if (!d) continue;
    for (let k = 0; k < IPV6_WORDS; k++) address[k] = prefixes.word(slot, k);
    check(d, prefixes.family(slot), prefixes.length(slot), () => prefixes.prefix(slot));
  }
  // the policy rules' destinations the kernel has no route for: a handful, by text
  for (const familyKey of desired.policy.destinations) {
    const d = state.routes.has(familyKey) ? undefined : desired.route(familyKey);
    if (!d) continue;
    const p = parsePrefix(familyKey.slice(2));
    for (let k = 0; k < IPV6_WORDS; k++) address[k] = k * 4 < p.addr.length ? p.addr.readUInt32BE(k * 4) : 0;
    check(d, p.family, p.length, () => familyKey.slice(2));
  }
  tries.forEach((trie, side) => {
    for (let i = 0; i < trie.entries.count; i++) {
      if (!seen[side]![i]) out.push({ kind: 'route', key: prefixText(trie, i), fastPath: describeAt(trie, i) });
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
  const routes = compareRoutes(desired, state, tries, describe);

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
  const words = (await fp.ingressMismatches()).map((m): Difference => ({ kind: 'ingress-word', key: String(m.ifindex), kernel: m.want, fastPath: m.have }));
  const filter = (await fp.local6FilterMismatches()).map((a): Difference => ({ kind: 'local6-filter', key: a, kernel: 'local', fastPath: 'filter bit clear' }));

  return [
    ...routes,
    ...index,
    ...entries,
    ...words,
    ...filter,
    ...compare('neighbour', wantNeigh, haveNeigh),
    ...compare('interface', wantIfaces, haveIfaces),
    ...compare('local-address', wantLocal, haveLocal),
  ];
}
