// Route adds written straight into one buffer per batch: each message is
// whole (header, rtmsg, attributes in iproute2's order), decodes back to the
// route it was written from, and a route the encoder refuses leaves the
// buffer as it was.
import { describe, expect, it } from 'vitest';
import { parseAddress, parsePrefix } from '../../dataplane/addr.js';
import type { KernelRoute } from '../../router/sync/model.js';
import { decodeRoute } from '../../router/sync/rtnl-decode.js';
import { RequestBuffer, RouteSpecError, appendRouteAdd, routeAddPayload } from '../../router/sync/rtnl-encode.js';
import { NLM_F, RTA, RTM, attr, attrU32, readMessages, requestMessage } from '../../router/sync/rtnl-wire.js';

const PROTOCOL = 250;
const ADD = NLM_F.CREATE | NLM_F.EXCL;
const filter = { tables: new Set([254, 1000]) };

const route = (prefix: string, nexthops: KernelRoute['nexthops'], more: Partial<KernelRoute> = {}): KernelRoute => ({
  family: prefix.includes(':') ? 6 : 4, table: 254, prefix, metric: 0, protocol: PROTOCOL, type: 'unicast', nexthops, tos: 0, ...more,
});

const routes: KernelRoute[] = [
  route('198.51.100.0/24', [{ ifindex: 2, gateway: '192.0.2.1', weight: 1 }]),
  route('203.0.113.0/25', [{ ifindex: 2, gateway: '192.0.2.1', weight: 1 }], { metric: 20, table: 1000 }),
  route('0.0.0.0/0', [{ ifindex: 3, weight: 1 }]),
  route('2001:db8:1::/48', [{ ifindex: 2, gateway: '2001:db8::1', weight: 1 }], { metric: 1024 }),
  route('2001:db8:2::/48', [{ ifindex: 2, gateway: '2001:db8::1', weight: 2 }, { ifindex: 3, gateway: '2001:db8::2', weight: 1 }], { metric: 1024 }),
  route('198.51.100.128/25', [{ ifindex: 2, gateway: '192.0.2.1', weight: 3 }, { ifindex: 3, gateway: '192.0.2.9', weight: 1 }]),
  route('192.0.2.128/26', [], { type: 'blackhole' }),
];

describe('RequestBuffer and appendRouteAdd', () => {
  it('lays out an IPv4 route via a gateway as iproute2 does: rtmsg, TABLE, DST, PRIORITY, OIF, GATEWAY', () => {
    const r = route('198.51.100.0/24', [{ ifindex: 2, gateway: '192.0.2.1', weight: 1 }], { metric: 20 });
    const out = new RequestBuffer(1);
    appendRouteAdd(out, r, PROTOCOL, ADD);
    const rtmsg = Buffer.from([2, 24, 0, 0, 254, PROTOCOL, 0, 1, 0, 0, 0, 0]);
    const attrs = [attrU32(RTA.TABLE, 254), attr(RTA.DST, parseAddress('198.51.100.0')!.addr), attrU32(RTA.PRIORITY, 20), attrU32(RTA.OIF, 2), attr(RTA.GATEWAY, parseAddress('192.0.2.1')!.addr)];
    expect(out.bytes).toEqual(requestMessage(RTM.NEWROUTE, ADD, Buffer.concat([rtmsg, ...attrs])));
    expect(out.count).toBe(1);
  });

  it('writes a batch as one buffer of whole messages, each decoding to its route, growing past its first size', () => {
    const out = new RequestBuffer(2);
    for (const r of routes) appendRouteAdd(out, r, PROTOCOL, ADD);
    const messages = readMessages(out.bytes);
    expect(out.count).toBe(routes.length);
    expect(messages.map((m) => [m.type, m.flags])).toEqual(routes.map(() => [RTM.NEWROUTE, ADD]));
    expect(messages.map((m) => decodeRoute(m.data, filter)?.route)).toEqual(routes);
    // the single-route payload is the same bytes as the batch's message
    routes.forEach((r, i) => expect(routeAddPayload(r, PROTOCOL)).toEqual(messages[i]!.data));
    // and so are the messages written from prefixes the caller parsed
    const fromParsed = new RequestBuffer(2);
    for (const r of routes) appendRouteAdd(fromParsed, r, PROTOCOL, ADD, parsePrefix(r.prefix));
    expect(fromParsed.bytes).toEqual(out.bytes);
  });

  it('leaves the buffer as it was when it refuses a route', () => {
    const out = new RequestBuffer(1);
    appendRouteAdd(out, routes[0]!, PROTOCOL, ADD);
    const before = Buffer.from(out.bytes);
    const refused: KernelRoute[] = [
      route('198.51.100.1/24', [{ ifindex: 2, gateway: '192.0.2.1', weight: 1 }]),
      route('198.51.100.0/24', []),
      route('198.51.100.0/24', [{ ifindex: 2, gateway: 'nowhere', weight: 1 }]),
      route('198.51.100.0/24', [{ ifindex: 2, gateway: '192.0.2.1', weight: 0 }, { ifindex: 3, gateway: '192.0.2.2', weight: 1 }]),
      route('198.51.100.0/24', [{ ifindex: 2, gateway: '192.0.2.1', weight: 1 }], { table: 0 }),
    ];
    for (const r of refused) expect(() => appendRouteAdd(out, r, PROTOCOL, ADD)).toThrow(RouteSpecError);
    expect(out.bytes).toEqual(before);
    expect(out.count).toBe(1);
  });
});
