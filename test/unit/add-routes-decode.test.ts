// AddRoutes' own decoder (router/api/add-routes-decode.ts) against the
// generated one: on random messages, each read from the same bytes, the
// routes and refusals it makes are those the generated decoder's objects
// are translated into (specFromProto, `route` then `routes`, a message with
// neither refused as missing).
import type * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { decodeAddRoutesRequest } from '../../router/api/add-routes-decode.js';
import type { AddRoutesRequest, AddRoutesRequest__Output } from '../../router/api/generated/xdprouter/v1/AddRoutesRequest.js';
import type { NextHop } from '../../router/api/generated/xdprouter/v1/NextHop.js';
import type { Route, Route__Output } from '../../router/api/generated/xdprouter/v1/Route.js';
import { loadApi } from '../../router/api/proto.js';
import { missingRoute, specFromProto } from '../../router/api/translate.js';
import { seededRandom } from '../../router/lab/random.js';
import type { BulkItem } from '../../router/routes/bulk-add.js';

const method = (loadApi().definition['xdprouter.v1.RouteService'] as grpc.ServiceDefinition).AddRoutes!;
const serialize = (m: AddRoutesRequest): Buffer => method.requestSerialize(m);
const generated = (bytes: Buffer): AddRoutesRequest__Output => method.requestDeserialize(bytes) as AddRoutesRequest__Output;

/** What the daemon made of a message before its own decoder: the generated objects, translated route by route. */
function reference(m: AddRoutesRequest__Output): BulkItem[] {
  const item = (route: Route__Output | null): BulkItem => {
    try {
      return { spec: specFromProto(route), replace: m.replace };
    } catch (err) {
      return { refused: err as ReturnType<typeof missingRoute>, prefix: route?.prefix ?? '' };
    }
  };
  return [...(m.route || m.routes.length === 0 ? [item(m.route)] : []), ...m.routes.map(item)];
}

/** Refusals compared by status and message. */
const comparable = (items: BulkItem[]): unknown[] =>
  items.map((i) => ('refused' in i ? { refused: { status: i.refused.status, message: i.refused.message }, prefix: i.prefix } : i));

function randomMessage(random: () => number): AddRoutesRequest {
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
  const chance = (p: number): boolean => random() < p;
  const text = (): string => pick(['', '198.51.100.0/24', '2001:db8:1::/64', '203.0.113.7', 'xdp-router', 'boot', 'r1', 'é/ü', 'x'.repeat(200)]);
  const u32 = (): number => pick([0, 1, 254, 1024, 0x7fffffff, 0xffffffff, Math.floor(random() * 2 ** 32)]);
  const nexthop = (): NextHop => ({
    ...(chance(0.7) ? { gateway: text() } : {}),
    ...(chance(0.5) ? { interface: text() } : {}),
    ...(chance(0.5) ? { weight: pick([0, 1, 3, 256, 257, 0xffffffff]) } : {}),
  });
  const route = (): Route => ({
    ...(chance(0.9) ? { prefix: text() } : {}),
    nexthops: Array.from({ length: pick([0, 1, 1, 2, 5]) }, nexthop),
    // 5 and 6 are numbers the enum does not name
    ...(chance(0.5) ? { type: pick([0, 1, 2, 3, 4, 5, 6]) as Route['type'] } : {}),
    ...(chance(0.5) ? { table: u32() } : {}),
    ...(chance(0.5) ? { metric: u32() } : {}),
    ...(chance(0.3) ? { protocol: text() } : {}),
    ...(chance(0.1) ? { source: text() } : {}),
  });
  return {
    ...(chance(0.5) ? { route: route() } : {}),
    ...(chance(0.5) ? { replace: chance(0.5) } : {}),
    routes: Array.from({ length: pick([0, 0, 1, 3, 40]) }, route),
  };
}

/** Fields this API does not have, of each wire type: a newer client's, which both decoders skip. */
const UNKNOWN_FIELDS = Buffer.from([
  (10 << 3) | 0, 0x96, 0x01, // varint 150
  (11 << 3) | 1, 1, 2, 3, 4, 5, 6, 7, 8, // fixed64
  (12 << 3) | 2, 3, 0x61, 0x62, 0x63, // bytes "abc"
  (13 << 3) | 5, 1, 2, 3, 4, // fixed32
  // a field number past 15 takes a tag of two bytes
  0xa0, 0x01, 7, // field 20, varint 7
]);

describe('decodeAddRoutesRequest', () => {
  it('makes what the generated decoder and specFromProto make, on 3,000 random messages', () => {
    const random = seededRandom(15);
    for (let n = 0; n < 3000; n++) {
      const bytes = serialize(randomMessage(random));
      expect(comparable(decodeAddRoutesRequest(bytes)), `message ${n}: ${bytes.toString('hex')}`).toEqual(comparable(reference(generated(bytes))));
    }
  });

  it('skips fields it does not know, and reads a field given twice as its last value', () => {
    const random = seededRandom(16);
    for (let n = 0; n < 300; n++) {
      const message = randomMessage(random);
      const bytes = Buffer.concat([UNKNOWN_FIELDS, serialize(message), UNKNOWN_FIELDS, serialize({ replace: !message.replace })]);
      expect(comparable(decodeAddRoutesRequest(bytes))).toEqual(comparable(reference(generated(bytes))));
    }
  });

  it('counts `route` first, then `routes` in order, each with the message\'s replace; a message of the old shape is its one route; an empty one, one refusal', () => {
    const route = (prefix: string): Route => ({ prefix, nexthops: [{ gateway: '2001:db8::1' }] });
    const listed = (m: AddRoutesRequest): string[] =>
      decodeAddRoutesRequest(serialize(m)).map((i) => ('spec' in i ? `${i.spec.prefix} replace=${i.replace}` : `refused ${i.refused.message}`));
    expect(listed({ route: route('2001:db8:1::/48'), replace: true, routes: [route('2001:db8:2::/48'), route('2001:db8:3::/48')] })).toEqual([
      '2001:db8:1::/48 replace=true',
      '2001:db8:2::/48 replace=true',
      '2001:db8:3::/48 replace=true',
    ]);
    expect(listed({ routes: [route('2001:db8:2::/48')] })).toEqual(['2001:db8:2::/48 replace=false']);
    expect(listed({ route: route('2001:db8:1::/48') })).toEqual(['2001:db8:1::/48 replace=false']);
    expect(listed({})).toEqual([`refused ${missingRoute('route').message}`]);
  });

  it('refuses bytes that are no message', () => {
    for (const bytes of [Buffer.from([0x0a, 0x05, 0x0a]), Buffer.from([0x08]), Buffer.from([0x0b]), Buffer.from([0x08, ...Array(11).fill(0xff)])]) {
      expect(() => decodeAddRoutesRequest(bytes), bytes.toString('hex')).toThrow(/^malformed AddRoutesRequest: /);
    }
  });
});
