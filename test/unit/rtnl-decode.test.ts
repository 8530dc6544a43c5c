// Route messages the model cannot carry: decoded as routes of their
// destination prefix marked kernelOnly (never left out), so the fast path
// leaves that prefix to the kernel instead of to a covering route.
import { describe, expect, it } from 'vitest';
import { parseAddress } from '../../dataplane/addr.js';
import type { KernelRoute } from '../../router/sync/model.js';
import { decodeRoute, routesOfDump } from '../../router/sync/rtnl-decode.js';
import { routeAddPayload } from '../../router/sync/rtnl-encode.js';
import { HEADER, RTA, RTAX_MTU, attr, attrU32, writeU16 } from '../../router/sync/rtnl-wire.js';

const RTA_ENCAP = 22;
const RTN_UNICAST = 1;
const filter = { tables: new Set([254]) };

const plain = (prefix: string, nexthops: KernelRoute['nexthops']): KernelRoute => ({
  family: prefix.includes(':') ? 6 : 4, table: 254, prefix, metric: 1024, protocol: 4, type: 'unicast', nexthops, tos: 0,
});

/** The route's RTM_NEWROUTE payload, with a source prefix and extra attributes as the kernel would add them. */
function message(route: KernelRoute, extra: Buffer[] = [], source?: string): Buffer {
  const out = Buffer.concat([routeAddPayload(route, 4), ...extra]);
  if (!source) return out;
  const [addr, length] = source.split('/');
  out[2] = Number(length);
  return Buffer.concat([out, attr(RTA.SRC, parseAddress(addr!)!.addr)]);
}

/** A unicast route's payload with no next-hop attributes yet (the encoder refuses one, so it is built as a blackhole). */
function unicastWithout(route: KernelRoute): Buffer {
  const out = routeAddPayload({ ...route, type: 'blackhole', nexthops: [] }, 4);
  out[7] = RTN_UNICAST;
  return out;
}

/** struct rtnexthop {u16 len; u8 flags; u8 hops; i32 ifindex} and its attributes */
function rtnexthop(ifindex: number, attrs: Buffer[]): Buffer {
  const out = Buffer.concat([Buffer.alloc(HEADER.rtnexthop), ...attrs]);
  writeU16(out, out.length, 0);
  out.writeInt32LE(ifindex, 4);
  return out;
}

const decode = (data: Buffer): KernelRoute => decodeRoute(data, filter)!.route;
const v6 = plain('2001:db8:9::/48', [{ ifindex: 3, gateway: '2001:db8:1::2', weight: 1 }]);

describe('routes the model cannot carry', () => {
  it('a source-specific route keeps its source and next hops, and is the kernel\'s', () => {
    const r = decode(message(v6, [], '2001:db8:5::/48'));
    expect(r).toMatchObject({ prefix: '2001:db8:9::/48', source: '2001:db8:5::/48', kernelOnly: 'source prefix 2001:db8:5::/48' });
    expect(r.nexthops).toEqual(v6.nexthops);
  });

  it('a route through a next-hop object names it for the object table, and is the kernel\'s only for what it has itself', () => {
    const nhOnly = Buffer.concat([unicastWithout(v6), attrU32(RTA.NH_ID, 7)]);
    const decoded = decodeRoute(nhOnly, filter)!;
    expect(decoded.route).toMatchObject({ type: 'unicast', nexthops: [], nhid: 7 });
    expect(decoded.route.kernelOnly).toBeUndefined();
    expect([...routesOfDump([decoded])]).toHaveLength(1);
    const withMtu = Buffer.concat([nhOnly, attr(RTA.METRICS, attrU32(RTAX_MTU, 1400))]);
    expect(decode(withMtu)).toMatchObject({ nhid: 7, kernelOnly: 'MTU of its own' });
  });

  it('an encapsulation, on the route or on one of its next hops, is the kernel\'s', () => {
    expect(decode(message(v6, [attr(RTA_ENCAP, Buffer.alloc(8))])).kernelOnly).toBe(`route attribute ${RTA_ENCAP}`);
    const gateway = (a: string): Buffer => attr(RTA.GATEWAY, parseAddress(a)!.addr);
    const multipath = attr(RTA.MULTIPATH, Buffer.concat([rtnexthop(3, [gateway('2001:db8:1::2')]), rtnexthop(3, [gateway('2001:db8:1::3'), attr(RTA_ENCAP, Buffer.alloc(4))])]));
    const grown = Buffer.concat([unicastWithout(v6), multipath]);
    expect(decode(grown).kernelOnly).toBe(`next-hop attribute ${RTA_ENCAP}`);
  });

  it('a route MTU is the kernel\'s; preferred source and other metrics are modelled', () => {
    expect(decode(message(v6, [attr(RTA.METRICS, attrU32(RTAX_MTU, 1400))])).kernelOnly).toBe('MTU of its own');
    const advmss = 8;
    const r = decode(message(v6, [attr(RTA.PREFSRC, parseAddress('2001:db8:1::1')!.addr), attr(RTA.METRICS, attrU32(advmss, 1200))]));
    expect(r.kernelOnly).toBeUndefined();
  });

  it('a dump keeps a source-specific route apart from the plain route of the same (table, prefix, metric)', () => {
    const routes = [...routesOfDump([decodeRoute(message(v6), filter)!, decodeRoute(message(v6, [], '2001:db8:5::/48'), filter)!])];
    expect(routes.map((r) => r.source ?? 'plain')).toEqual(['plain', '2001:db8:5::/48']);
  });
});
