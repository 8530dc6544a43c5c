// What the fast path does with a packet to an address, decided in the
// program's order (bpf/xdp_router.c, bpf/lib/fib.h) from the maps it reads:
// the verdict carries the name of the counter the packet would bump.
import { formatAddress, maskAddress, requireAddress } from '../../dataplane/addr.js';
import type { FastPath, NexthopSpec } from '../../dataplane/fastpath.js';
import type { Reason } from '../../dataplane/layout.js';
import type { DesiredState } from '../sync/desired.js';
import type { KernelState } from '../sync/kernel-state.js';
import type { KernelNexthop, KernelRoute } from '../sync/model.js';
import { invalid } from './errors.js';

export type FastPathReader = Pick<FastPath, 'lookupRoute' | 'nexthop' | 'group' | 'neighbours' | 'interfaces' | 'localAddresses'>;

export interface LookupResult {
  /** the kernel's route of the longest prefix the fast path matches */
  route?: KernelRoute;
  selected?: KernelNexthop;
  /** '' when the fast path has no usable neighbour */
  neighborMac: string;
  /** FORWARD, PASS_..., DROP_... */
  action: string;
}

/** 'pass-no-route' -> 'PASS_NO_ROUTE'; the counter 'forwarded' reads FORWARD as a verdict. */
const verdict = (reason: Reason): string => (reason === 'forwarded' ? 'FORWARD' : reason.toUpperCase().replace(/-/g, '_'));

/** Where the program stops before it looks at a route, as the address alone decides. */
function addressVerdict(family: 4 | 6, addr: Buffer): Reason | undefined {
  if (family === 4) {
    if (addr[0]! >= 224 || addr.equals(Buffer.from([255, 255, 255, 255]))) return 'pass-multicast';
    if (addr[0] === 169 && addr[1] === 254) return 'pass-link-local';
    if (addr[0] === 0 || addr[0] === 127) return 'pass-martian';
    return undefined;
  }
  if (addr[0] === 0xff) return 'pass-multicast';
  if (addr[0] === 0xfe && (addr[1]! & 0xc0) === 0x80) return 'pass-link-local';
  if (addr.subarray(0, 15).every((b) => b === 0) && addr[15]! <= 1) return 'pass-martian';
  return undefined;
}

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

  async lookup(address: string, field = 'address'): Promise<LookupResult> {
    let a: { family: 4 | 6; addr: Buffer };
    try {
      a = requireAddress(address);
    } catch (err) {
      throw invalid(field, (err as Error).message);
    }
    const text = formatAddress(a.addr);
    const route = this.matchedRoute(a.family, a.addr);
    const result = (reason: Reason, more: Partial<LookupResult> = {}): LookupResult => ({
      ...(route ? { route } : {}),
      neighborMac: '',
      ...more,
      action: verdict(reason),
    });
    const early = addressVerdict(a.family, a.addr);
    if (early) return result(early);
    if ((await this.fp.localAddresses()).includes(text)) return result('pass-local');
    const target = this.fp.lookupRoute(text);
    if (!target) return result('pass-no-route');
    switch (target.type) {
      case 'blackhole':
        return result('drop-blackhole');
      case 'unreachable':
      case 'prohibit':
        return result('pass-unreachable');
      case 'kernel':
        return result('pass-kernel-route');
      case 'policy':
        return result('pass-policy');
    }
    let id: number | undefined;
    if ('nexthop' in target) id = target.nexthop;
    // multipath: the member depends on the flow's hash; the first one stands for the group
    else id = this.fp.group(target.group)?.[0]?.nexthop;
    const nh: NexthopSpec | undefined = id === undefined ? undefined : (this.fp.nexthop(id) ?? undefined);
    if (!nh) return result('pass-no-route');
    const weight = route?.nexthops.find((n) => n.ifindex === nh.ifindex && n.gateway === nh.gateway)?.weight ?? 1;
    const selected: KernelNexthop = { ifindex: nh.ifindex, weight, ...(nh.gateway ? { gateway: nh.gateway } : {}) };
    const iface = (await this.fp.interfaces()).get(nh.ifindex);
    if (!iface?.up) return result('pass-no-iface', { selected });
    if (iface.passes?.vrf) return result('pass-vrf', { selected });
    if (iface.passes?.netfilterOut) return result('pass-netfilter', { selected });
    const neighbour = (await this.fp.neighbours()).get(`${nh.ifindex}|${nh.gateway ?? text}`);
    if (!neighbour?.valid) return result('pass-no-neigh', { selected });
    return result('forwarded', { selected, neighborMac: neighbour.mac });
  }
}
