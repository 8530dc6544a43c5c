// What the fast path should hold, derived from the kernel's state: the
// one place that decides which routes, neighbours and interfaces the fast
// path handles and which it leaves to the kernel. The reconciler writes it;
// `verify` compares the maps with it.
import type { InterfacePasses, InterfaceSpec, RouteTarget } from '../../dataplane/fastpath.js';
import { MAX_GROUP_MEMBERS } from '../../dataplane/layout.js';
import { neighbourKey, type KernelState } from './kernel-state.js';
import { NUD, NUD_USABLE } from './model.js';
import type { KernelNexthop, KernelRouteType } from './model.js';
import type { Family } from '../../dataplane/addr.js';
import { planPolicy, prefixCovers } from './policy.js';
import type { PolicyPlan } from './policy.js';

/**
 * Interfaces whose traffic netfilter rules could touch (router/netfilter/):
 * by name as the rules match them (nft's `eth*` is a prefix), or all.
 */
export interface NetfilterScope {
  ingress: ReadonlySet<string>;
  egress: ReadonlySet<string>;
  all: boolean;
}

function matchesName(patterns: ReadonlySet<string>, name: string): boolean {
  if (patterns.has(name)) return true;
  for (const p of patterns) if (p.endsWith('*') && name.startsWith(p.slice(0, -1))) return true;
  return false;
}

export const NO_NETFILTER: NetfilterScope = { ingress: new Set(), egress: new Set(), all: false };

/** A route as the fast path should hold it, with the shared entries it uses. */
export interface DesiredRoute {
  /** ids are filled in by whoever writes it */
  target: RouteTarget;
  nexthops: Array<{ key: string; ifindex: number; gateway?: string }>;
  /** weighted members, when a group is needed */
  group?: Array<{ key: string; weight: number }>;
}

export interface DesiredNeighbour {
  ifindex: number;
  address: string;
  mac: string;
  valid: boolean;
  /** STALE in the kernel: a use must be handed to the kernel (see neighbour-liveness.ts) */
  stale: boolean;
}

function isMulticast(address: string): boolean {
  if (address.includes(':')) return address.toLowerCase().startsWith('ff');
  const first = Number(address.split('.')[0]);
  return first >= 224 && first <= 239;
}

export const nexthopKey = (n: Pick<KernelNexthop, 'ifindex' | 'gateway'>): string => `${n.ifindex}|${n.gateway ?? ''}`;

/** Signatures of the desired routes that many routes share (DesiredState's memo): made once each. */
const signatures = new WeakMap<object, string>();

/** A route's meaning independent of ids: equal signatures forward alike. */
export function signature(d: Pick<DesiredRoute, 'target' | 'nexthops' | 'group'>): string {
  if (d.target.type !== 'unicast') return d.target.type;
  let sig = signatures.get(d);
  if (sig === undefined) {
    sig = d.group ? `group ${d.group.map((m) => `${m.key}*${m.weight}`).join(',')}` : `via ${d.nexthops[0]!.key}`;
    signatures.set(d, sig);
  }
  return sig;
}

export interface DesiredOptions {
  /** net.ipv4.fib_multipath_use_neigh of the router's namespace */
  multipathUseNeigh?: boolean;
}

export class DesiredState {
  private readonly interfaceNames: Set<string>;
  private policyPlan: PolicyPlan;
  private netfilterScope: NetfilterScope = NO_NETFILTER;
  readonly multipathUseNeigh: boolean;
  /**
   * What a unicast route through a (shared) next-hop list comes to, by family,
   * while the links and neighbours stay as they were (KernelState.generation):
   * a full table has a million routes over a handful of lists, and each would
   * build the same answer. Never changed in place.
   */
  private memo = new WeakMap<readonly KernelNexthop[], { generation: number; 4?: DesiredRoute; 6?: DesiredRoute }>();

  constructor(
    private readonly state: KernelState,
    interfaces: string[],
    options: DesiredOptions = {},
  ) {
    this.interfaceNames = new Set(interfaces);
    this.policyPlan = planPolicy(state.rules.values());
    this.multipathUseNeigh = options.multipathUseNeigh ?? false;
  }

  /** How the kernel's policy rules are handled, as of the last replan(). */
  get policy(): PolicyPlan {
    return this.policyPlan;
  }

  /** Read the rules again (after a load or a rule event); returns the plan it replaced. */
  replanPolicy(): PolicyPlan {
    const before = this.policyPlan;
    this.policyPlan = planPolicy(this.state.rules.values());
    return before;
  }

  get netfilter(): NetfilterScope {
    return this.netfilterScope;
  }

  set netfilter(scope: NetfilterScope) {
    this.netfilterScope = scope;
  }

  /**
   * Every "family|prefix" the fast path should hold an entry for, once: the
   * kernel's and the policy rules' destinations. Walked, not collected: a
   * full table's keys are not copied.
   */
  *routeKeys(): Generator<string> {
    yield* this.state.routes.keys();
    for (const d of this.policyPlan.destinations) if (!this.state.routes.has(d)) yield d;
  }

  /** Whether routeKeys() has the key. */
  hasRouteKey(key: string): boolean {
    return this.state.routes.has(key) || this.policyPlan.destinations.has(key);
  }

  /** Enslaved to a VRF (l3mdev): the VRF's table, not main, answers for it. */
  inVrf(ifindex: number): boolean {
    const link = this.state.links.get(ifindex);
    // a VLAN interface has a master of its own: its lower device's does not count
    return link?.master !== undefined && this.state.links.get(link.master)?.kind === 'vrf';
  }

  /** Which of an interface's traffic the kernel must see, by why. */
  passes(ifindex: number, name: string): InterfacePasses | undefined {
    const p: InterfacePasses = {};
    const nf = this.netfilterScope;
    if (this.inVrf(ifindex)) p.vrf = true;
    if (this.policyPlan.all !== null || this.policyPlan.ingress.has(name)) p.policyIn = true;
    if (nf.all || matchesName(nf.ingress, name)) p.netfilterIn = true;
    if (matchesName(nf.egress, name)) p.netfilterOut = true;
    return Object.keys(p).length > 0 ? p : undefined;
  }

  /**
   * A next hop the kernel's IPv4 multipath selection takes with
   * fib_multipath_use_neigh (fib_good_nh): on-link, or a gateway whose
   * neighbour entry is absent or valid. INCOMPLETE and FAILED are not.
   */
  goodNexthop(n: Pick<KernelNexthop, 'ifindex' | 'gateway'>): boolean {
    if (n.gateway === undefined) return true;
    const neigh = this.state.neighbours.get(neighbourKey({ ifindex: n.ifindex, address: n.gateway }));
    return !neigh || (neigh.state & NUD_USABLE) !== 0;
  }

  /**
   * With fib_multipath_use_neigh, the kernel skips a member whose gateway
   * is not good, and the flows that hash to it take the next good member
   * (the first good one past the end); the other members keep their flows
   * (fib_select_multipath). Giving a bad member's share to that next member
   * does the same. With no good member the kernel takes the first, whose
   * neighbour the fast path passes up: the group stays as it is.
   */
  private withoutBadMembers(family: number, members: Array<{ key: string; weight: number }>, hops: KernelNexthop[]): Array<{ key: string; weight: number }> {
    if (family !== 4 || !this.multipathUseNeigh) return members;
    const good = hops.map((n) => this.goodNexthop(n));
    if (!good.includes(true)) return members;
    return members.map((m, i) => {
      if (good[i]) return m;
      let j = (i + 1) % members.length;
      while (!good[j]) j = (j + 1) % members.length;
      return { key: members[j]!.key, weight: m.weight };
    });
  }

  /** Links the fast path sends on: the attached interfaces and VLANs riding on them. */
  drives(ifindex: number): boolean {
    const link = this.state.links.get(ifindex);
    if (!link) return false;
    if (this.interfaceNames.has(link.name)) return true;
    return link.vlan !== undefined && this.drives(link.vlan.lowerIfindex);
  }

  usable(ifindex: number): boolean {
    const link = this.state.links.get(ifindex);
    return !!link && link.adminUp && link.carrier && this.drives(ifindex);
  }

  iface(ifindex: number): InterfaceSpec | undefined {
    const link = this.state.links.get(ifindex);
    if (!link || !link.mac || !this.drives(ifindex)) return undefined;
    const passes = this.passes(ifindex, link.name);
    return {
      mac: link.mac,
      mtu: link.mtu,
      up: link.adminUp && link.carrier,
      ...(link.vlan ? { vlan: { id: link.vlan.id, lowerIfindex: link.vlan.lowerIfindex } } : {}),
      ...(passes ? { passes } : {}),
    };
  }

  /** Every address of the router, on any link, is delivered locally by the kernel. */
  locals(): Map<string, number> {
    const wanted = new Map<string, number>();
    for (const a of this.state.addresses.values()) {
      wanted.set(a.address, a.ifindex);
      if (a.broadcast) wanted.set(a.broadcast, a.ifindex);
    }
    return wanted;
  }

  /** A neighbour on a link that is down, or without a MAC, is left to the kernel. */
  neighbour(key: string): DesiredNeighbour | undefined {
    const n = this.state.neighbours.get(key);
    // multicast "neighbours" (33:33:..., 01:00:5e:...) serve nothing the fast path forwards
    if (!n || !n.mac || !this.usable(n.ifindex) || isMulticast(n.address)) return undefined;
    return { ifindex: n.ifindex, address: n.address, mac: n.mac, valid: (n.state & NUD_USABLE) !== 0, stale: (n.state & NUD.STALE) !== 0 };
  }

  /** What the fast path should do for the kernel's best route of "family|prefix". */
  route(familyPrefix: string): DesiredRoute | undefined {
    if (this.inPolicyDestination(familyPrefix)) return { target: { type: 'policy' }, nexthops: [] };
    const slot = this.state.routes.slotOf(familyPrefix);
    return slot < 0 ? undefined : this.kernelRoute(slot);
  }

  /** The same by the prefix's slot (KernelState.routes): its text made only if policy rules have destinations. */
  routeAt(slot: number): DesiredRoute | undefined {
    if (this.policyPlan.destinations.size > 0 && this.inPolicyDestination(this.state.routes.prefixes.keyOf(slot))) return { target: { type: 'policy' }, nexthops: [] };
    return this.kernelRoute(slot);
  }

  /** A policy rule's destination, and every longer prefix in it, or the longer one would take its traffic. */
  private inPolicyDestination(familyPrefix: string): boolean {
    for (const d of this.policyPlan.destinations) if (prefixCovers(d, familyPrefix)) return true;
    return false;
  }

  private kernelRoute(slot: number): DesiredRoute | undefined {
    const routes = this.state.routes;
    // a prefix's one plain route is read from its columns, with no route object made
    const type = routes.columnType(slot);
    if (type !== undefined) return this.forRoute(routes.prefixes.family(slot), type, routes.columnTos(slot), routes.columnHops(slot));
    const r = this.state.bestRouteAt(slot);
    if (!r) return undefined;
    // whichever route wins: a source-specific one still takes its sources' traffic, so only the kernel can tell
    if (this.state.hasKernelOnlyAt(slot)) return { target: { type: 'kernel' }, nexthops: [] };
    return this.forRoute(r.family, r.type, r.tos, r.nexthops);
  }

  private forRoute(family: Family, type: KernelRouteType, tos: number, hops: readonly KernelNexthop[]): DesiredRoute {
    if (type === 'blackhole' || type === 'unreachable' || type === 'prohibit') return { target: { type }, nexthops: [] };
    // TOS-selected routes and local/throw/nat/multicast routes stay the kernel's
    if (type !== 'unicast' || tos !== 0 || hops.length === 0) return { target: { type: 'kernel' }, nexthops: [] };
    let memo = this.memo.get(hops);
    if (memo?.generation !== this.state.generation) this.memo.set(hops, (memo = { generation: this.state.generation }));
    return (memo[family] ??= this.unicast(family, hops));
  }

  private unicast(family: Family, hops: readonly KernelNexthop[]): DesiredRoute {
    const kernel: DesiredRoute = { target: { type: 'kernel' }, nexthops: [] };
    // an egress the fast path does not drive: the kernel forwards, or flows would move
    if (hops.some((n) => !this.drives(n.ifindex))) return kernel;
    const alive = hops.filter((n) => this.usable(n.ifindex));
    if (alive.length === 0 || alive.length > MAX_GROUP_MEMBERS) return kernel;
    const nexthops = alive.map((n) => ({ key: nexthopKey(n), ifindex: n.ifindex, ...(n.gateway ? { gateway: n.gateway } : {}) }));
    if (alive.length === 1) return { target: { type: 'unicast', nexthop: 0 }, nexthops };
    const group = this.withoutBadMembers(family, alive.map((n) => ({ key: nexthopKey(n), weight: n.weight })), alive);
    return {
      target: { type: 'unicast', group: 0 },
      nexthops: nexthops.filter((n) => group.some((m) => m.key === n.key)),
      group,
    };
  }
}
