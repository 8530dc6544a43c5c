// `xdp-router route add` in iproute2's words -> the API's Route.
import { describe, expect, it } from 'vitest';
import { parseRouteAdd } from '../../router/cli/route-args.js';

describe('route add arguments', () => {
  it.each([
    ['198.51.100.0/24 via 192.0.2.1 dev eth1', { prefix: '198.51.100.0/24', nexthops: [{ gateway: '192.0.2.1', interface: 'eth1' }] }],
    ['198.51.100.0/24 dev eth1', { prefix: '198.51.100.0/24', nexthops: [{ interface: 'eth1' }] }],
    [
      '198.51.100.0/24 via 192.0.2.1 weight 2 nexthop via 192.0.2.9 dev eth2 weight 3 metric 7 table main',
      { prefix: '198.51.100.0/24', metric: 7, table: 254, nexthops: [{ gateway: '192.0.2.1', weight: 2 }, { gateway: '192.0.2.9', interface: 'eth2', weight: 3 }] },
    ],
    ['198.51.100.0/24 nexthop via 192.0.2.1 nexthop via 192.0.2.9', { nexthops: [{ gateway: '192.0.2.1' }, { gateway: '192.0.2.9' }] }],
    ['blackhole 2001:db8::/32', { prefix: '2001:db8::/32', type: 'ROUTE_TYPE_BLACKHOLE', nexthops: [] }],
    ['default via 192.0.2.1', { prefix: '0.0.0.0/0' }],
    ['default via 2001:db8::1', { prefix: '::/0' }],
    ['unreachable default -6', { prefix: '::/0', type: 'ROUTE_TYPE_UNREACHABLE' }],
    ['198.51.100.0/24 via 192.0.2.1 proto xdp-router', { protocol: 'xdp-router' }],
    // the names the config file accepts (config/route-tables.ts)
    ['198.51.100.0/24 via 192.0.2.1 table local', { table: 255 }],
  ])('%s', (line, expected) => {
    expect(parseRouteAdd(line.split(' '))).toMatchObject(expected);
  });

  it.each([
    ['', /needs a prefix/],
    ['198.51.100.0/24 via', /via needs a gateway address/],
    ['198.51.100.0/24 via 192.0.2.1 weight x', /weight takes a whole number/],
    ['198.51.100.0/24 via 192.0.2.1 table 0', /table takes a whole number from 1/],
    ['198.51.100.0/24 gateway 192.0.2.1', /unexpected "gateway"/],
  ])('refuses "%s"', (line, message) => {
    expect(() => parseRouteAdd(line.split(' ').filter(Boolean))).toThrow(message);
  });
});
