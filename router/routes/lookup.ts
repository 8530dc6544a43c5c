// What the fast path does with a packet to an address, asked of the program
// itself: a made-up datagram to it (probe-frame.ts) through the program's
// dry run (FastPath.decide), so the verdict is the program's own, in its own
// order, with the name of the counter the packet would bump; the next hop
// is read from the frame the program rewrote.
import { formatMac, formatAddress, maskAddress, requireAddress } from '../../dataplane/addr.js';
import type { FastPath, InterfaceSpec, NexthopSpec } from '../../dataplane/fastpath.js';
import type { Reason } from '../../dataplane/layout.js';
import type { DesiredState } from '../sync/desired.js';
import type { KernelState } from '../sync/kernel-state.js';
import type { KernelNexthop, KernelRoute } from '../sync/model.js';
import { parsePacket } from '../slowpath/frame.js';
import { invalid } from './errors.js';
import { probeFrame } from './probe-frame.js';

export type FastPathReader = Pick<FastPath, 'decide' | 'lookupRoute' | 'nexthop' | 'group' | 'neighbours' | 'interfaces'>;

export interface LookupResult {
  /** the kernel's route of the longest prefix the fast path matches */
  route?: KernelRoute;
  selected?: KernelNexthop;
  /** '' when the fast path has no usable neighbour */
  neighborMac: string;
  /** FORWARD, PASS_..., DROP_..., PUNTED */
  action: string;
}

/** 'pass-no-route' -> 'PASS_NO_ROUTE'; the counter 'forwarded' reads FORWARD as a verdict. */
const verdict = (reason: Reason): string => (reason === 'forwarded' ? 'FORWARD' : reason.toUpperCase().replace(/-/g, '_'));

const VLAN_VID_MASK = 0xfff;
/** Verdicts the program gives after it chose a next hop: the answer names it. */
const AFTER_NEXTHOP: ReadonlySet<Reason> = new Set<Reason>([
  'forwarded',
  'pass-no-neigh',
  'pass-no-iface',
  'pass-mtu',
  'punted',
  'pass-punt-no-socket',
  'drop-rewrite',
  // also at the ingress, for an interface that passes all it receives (see passesAtIngress)
  'pass-vrf',
  'pass-netfilter',
]);

/** An interface the program passes everything from (xr_ingress_pass): no next hop was chosen. */
const passesAtIngress = (iface: InterfaceSpec): boolean => !!(iface.passes?.vrf || iface.passes?.policyIn || iface.passes?.netfilterIn);

export class RouteLookup {
  constructor(
    private readonly fp: FastPathReader,
    private readonly state: KernelState,
    private readonly desired: DesiredState,
  ) {}

  /** The kernel route whose prefix the fast path's longest-prefix match finds. */
  private matchedRoute(family: 4 | 6, addr: Buffer): KernelRoute | undefined {
    for (let length = family === 4 ? 32 : 128; length >= 0; length--) {
      const key = `${family}|${formatAddress(maskAddress(addr, length))}/${length}`;
      if (this.state.routes.has(key) && this.desired.route(key)) return this.state.bestRoute(key);
    }
    return undefined;
  }

  /** The next hops the fast path's route for the address may take: one, or a group's members. */
  private candidates(address: string): NexthopSpec[] {
    const target = this.fp.lookupRoute(address);
    if (!target || target.type !== 'unicast') return [];
    const ids = 'nexthop' in target ? [target.nexthop] : (this.fp.group(target.group) ?? []).map((m) => m.nexthop);
    return ids.map((id) => this.fp.nexthop(id)).filter((nh): nh is NexthopSpec => nh !== null && nh !== undefined);
  }

  /**
   * Where the frame arrives: the first driven interface (lowest ifindex) that
   * is up and is not where the route leaves, so the answer is for traffic
   * the router forwards between two of its interfaces.
   */
  private static ingress(ifaces: Map<number, InterfaceSpec>, egress: number | undefined): [number, InterfaceSpec] | undefined {
    const up = [...ifaces].filter(([, i]) => i.up).sort(([a], [b]) => a - b);
    return up.find(([ifindex]) => ifindex !== egress) ?? up[0];
  }

  async lookup(address: string, field = 'address'): Promise<LookupResult> {
    let a: { family: 4 | 6; addr: Buffer };
    try {
      a = requireAddress(address);
    } catch (err) {
      throw invalid(field, (err as Error).message);
    }
    const text = formatAddress(a.addr);
    const route = this.matchedRoute(a.family, a.addr);
    const candidates = this.candidates(text);
    const ifaces = await this.fp.interfaces();
    const ingress = RouteLookup.ingress(ifaces, candidates[0]?.ifindex);
    const result = (reason: Reason, more: Partial<LookupResult> = {}): LookupResult => ({
      ...(route ? { route } : {}),
      neighborMac: '',
      ...more,
      action: verdict(reason),
    });
    // no interface to arrive on: whatever arrives is on one the fast path does not know
    if (!ingress) return result('pass-no-iface');
    const [ifindex, iface] = ingress;
    const decision = await this.fp.decide(probeFrame(a.family, a.addr, iface), iface.vlan?.lowerIfindex ?? ifindex);
    if (candidates.length === 0 || passesAtIngress(iface) || !AFTER_NEXTHOP.has(decision.reason)) return result(decision.reason);
    const neighbours = await this.fp.neighbours();
    const neighbourOf = (nh: NexthopSpec): string | undefined => {
      const n = neighbours.get(`${nh.ifindex}|${nh.gateway ?? text}`);
      return n?.valid ? n.mac : undefined;
    };
    let chosen = candidates[0]!;
    let neighborMac = '';
    if (decision.reason === 'forwarded') {
      // the member the flow hash chose: the one whose interface and neighbour the rewritten frame carries
      const out = parsePacket(decision.frame);
      const dstMac = formatMac(decision.frame.subarray(0, 6));
      const srcMac = formatMac(decision.frame.subarray(6, 12));
      const vlan = out?.vlanTci === undefined ? undefined : out.vlanTci & VLAN_VID_MASK;
      chosen =
        candidates.find((nh) => {
          const egress = ifaces.get(nh.ifindex);
          return egress?.mac === srcMac && egress.vlan?.id === vlan && neighbourOf(nh) === dstMac;
        }) ?? chosen;
      neighborMac = dstMac;
    }
    const weight = route?.nexthops.find((n) => n.ifindex === chosen.ifindex && n.gateway === chosen.gateway)?.weight ?? 1;
    const selected: KernelNexthop = { ifindex: chosen.ifindex, weight, ...(chosen.gateway ? { gateway: chosen.gateway } : {}) };
    return result(decision.reason, { selected, neighborMac });
  }
}
