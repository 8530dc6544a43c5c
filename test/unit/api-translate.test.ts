// protobuf <-> route views: a source-specific route is shown with its
// source, and cannot be asked for.
import { describe, expect, it } from 'vitest';
import type { Route__Output } from '../../router/api/generated/xdprouter/v1/Route.js';
import { routeToProto, specFromProto } from '../../router/api/translate.js';

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
