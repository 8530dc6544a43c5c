// protobuf <-> route views: a source-specific route is shown with its
// source, and cannot be asked for; an AddRoutes message's routes in the
// order their indexes count them.
import { describe, expect, it } from 'vitest';
import type { Route__Output } from '../../router/api/generated/xdprouter/v1/Route.js';
import { bulkItemsFromProto, routeToProto, specFromProto } from '../../router/api/translate.js';

const request = (source: string): Route__Output => ({
  prefix: '2001:db8:9::/48', nexthops: [], type: 'ROUTE_TYPE_UNICAST', table: 0, metric: 0, protocol: '', source,
});

describe('the source prefix of a route', () => {
  it('is shown on a source-specific route and empty on the others', () => {
    const view = { prefix: '2001:db8:9::/48', type: 'unicast' as const, table: 254, metric: 1024, protocol: 'boot', nexthops: [] };
    expect(routeToProto({ ...view, source: '2001:db8:5::/48' }).source).toBe('2001:db8:5::/48');
    expect(routeToProto(view).source).toBe('');
  });

  it('is refused in a request, naming the field', () => {
    expect(() => specFromProto(request('2001:db8:5::/48'))).toThrow(/route\.source: .*ip -6 route add \.\.\. from/);
    expect(specFromProto(request('')).prefix).toBe('2001:db8:9::/48');
  });
});

describe('the routes of an AddRoutes message', () => {
  const route = (prefix: string): Route__Output => ({ ...request(''), prefix });
  const listed = (items: ReturnType<typeof bulkItemsFromProto>): string[] =>
    items.map((i) => ('spec' in i ? `${i.spec.prefix} replace=${i.replace}` : `refused ${i.refused.message}`));

  it('are `route`, then `routes` in order, each with the message\'s replace', () => {
    expect(listed(bulkItemsFromProto({ route: route('2001:db8:1::/48'), replace: true, routes: [route('2001:db8:2::/48'), route('2001:db8:3::/48')] }))).toEqual([
      '2001:db8:1::/48 replace=true',
      '2001:db8:2::/48 replace=true',
      '2001:db8:3::/48 replace=true',
    ]);
    expect(listed(bulkItemsFromProto({ route: null, replace: false, routes: [route('2001:db8:2::/48')] }))).toEqual(['2001:db8:2::/48 replace=false']);
  });

  it('of an AddRouteRequest of the old shape: its one route; of a message with none: one route refused as missing', () => {
    expect(listed(bulkItemsFromProto({ route: route('2001:db8:1::/48'), replace: false, routes: [] }))).toEqual(['2001:db8:1::/48 replace=false']);
    expect(listed(bulkItemsFromProto({ route: null, replace: false, routes: [] }))).toEqual(['refused route: missing; the request needs a route']);
  });
});
