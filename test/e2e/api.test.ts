// The gRPC API on the namespace lab: routes added and deleted over it reach
// the kernel (with the router's protocol) and the fast path, and traffic
// follows; bad requests are refused with their status and change nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClients } from '../../router/api/client.js';
import type { FastPath } from '../../dataplane/fastpath.js';
import { ip } from '../../router/lab/netns.js';
import type { Lab } from '../../router/lab/topology.js';
import type { DaemonConfig } from '../../support/daemon.js';
import { startLabDaemon } from '../../support/lab-daemon.js';
import type { LabDaemon } from '../../support/lab-daemon.js';
import { routeOf } from '../helpers/router.js';
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { AddRoutesResponse__Output } from '../../router/api/generated/xdprouter/v1/AddRoutesResponse.js';
import type { GetStatsResponse__Output } from '../../router/api/generated/xdprouter/v1/GetStatsResponse.js';
import type { GetStatusResponse__Output } from '../../router/api/generated/xdprouter/v1/GetStatusResponse.js';
import type { ListInterfacesResponse__Output } from '../../router/api/generated/xdprouter/v1/ListInterfacesResponse.js';
import type { ListNeighborsResponse__Output } from '../../router/api/generated/xdprouter/v1/ListNeighborsResponse.js';
import type { RouteEvent__Output } from '../../router/api/generated/xdprouter/v1/RouteEvent.js';
import { addRoute, addRoutesOfOldShape, collect, kernelRoutes, refusal, streamQueue, unary } from '../helpers/api.js';
import { ping } from '../../router/lab/traffic.js';

const PREFIX = `xrt-api-${process.pid}`;

describe('the gRPC API on the namespace lab', () => {
  let h: LabDaemon | undefined;
  let lab: Lab;
  let config: DaemonConfig;
  let fp: FastPath;
  let api: ApiClients;
  let r1: number;

  beforeAll(async () => {
    h = await startLabDaemon({ prefix: PREFIX });
    ({ lab, config, fp, api } = h);
    r1 = lab.router.toB.ifindex;
  });

  afterAll(async () => {
    await h?.dispose();
  });

  it('listens on its unix socket, mode 0660', () => {
    expect(statSync(config.apiSocket).mode & 0o777).toBe(0o660);
  });

  it('health answers SERVING', async () => {
    const health = await unary<{ status: string }>((cb) => api.health.check({ service: '' }, cb));
    expect(health.status).toBe('SERVING');
    const routes = await unary<{ status: string }>((cb) => api.health.check({ service: 'xdprouter.v1.RouteService' }, cb));
    expect(routes.status).toBe('SERVING');
  });

  it('AddRoute installs in the kernel with the router protocol and in the fast path, traffic crosses by XDP; DeleteRoute removes it from both', async () => {
    const { prefix4 } = lab.remote;
    // the lab's own route to B's far network goes; the API's takes its place
    await ip(['route', 'del', prefix4], lab.router.ns);
    await expect.poll(() => routeOf(fp, lab.remote.v4)).toBe('none');
    expect(await ping(lab.a.ns, lab.remote.v4, 1)).toBe(0);

    const added = await addRoute(api, { route: { prefix: prefix4, nexthops: [{ gateway: lab.b.v4 }] } });
    expect(added.route).toMatchObject({ prefix: prefix4, protocol: 'xdp-router', table: 254, type: 'ROUTE_TYPE_UNICAST', nexthops: [{ gateway: lab.b.v4, interface: 'r1', weight: 1 }] });
    // read your writes: no waiting here
    expect(await routeOf(fp, lab.remote.v4)).toBe(`${r1}/${lab.b.v4}`);
    const kernel = JSON.parse(await ip(['-j', 'route', 'show', prefix4, 'proto', '250'], lab.router.ns)) as Array<{ dst: string; gateway: string; dev: string }>;
    expect(kernel).toMatchObject([{ dst: prefix4, gateway: lab.b.v4, dev: 'r1' }]);

    const forwarded = await fp.packets('forwarded', lab.router.toA.ifindex);
    expect(await ping(lab.a.ns, lab.remote.v4, 5)).toBe(5);
    expect(await fp.packets('forwarded', lab.router.toA.ifindex)).toBeGreaterThanOrEqual(forwarded + 4n);

    const listed = await collect(api.routes.ListRoutes({ family: 'ipv4', protocol: 'xdp-router' }));
    expect(listed.map((r) => r.prefix)).toEqual([prefix4]);
    const lookup = await unary((cb) => api.routes.LookupRoute({ address: lab.remote.v4 }, cb));
    expect(lookup).toMatchObject({ route: { prefix: prefix4 }, selected: { gateway: lab.b.v4, interface: 'r1' }, neighborMac: lab.b.mac, action: 'FORWARD' });

    await unary((cb) => api.routes.DeleteRoute({ prefix: prefix4 }, cb));
    expect(await routeOf(fp, lab.remote.v4)).toBe('none');
    expect(await ip(['route', 'show', prefix4], lab.router.ns)).toBe('');
    expect(await ping(lab.a.ns, lab.remote.v4, 1)).toBe(0);
    await ip(['route', 'add', prefix4, 'via', lab.b.v4, 'dev', 'r1'], lab.router.ns);
  });

  it('refuses every bad request with its status and a message naming the field, and changes nothing', async () => {
    const mine = '2001:db8:f00d::/48';
    await addRoute(api, { route: { prefix: mine, nexthops: [{ gateway: lab.b.v6 }] } });
    const kernelBefore = await kernelRoutes(lab.router.ns);
    const mapsBefore = JSON.stringify(await fp.routes());
    const gw = { gateway: lab.b.v4 };
    const add = (route: Parameters<typeof addRoute>[1]['route'], replace = false) => addRoute(api, { ...(route ? { route } : {}), replace });
    const del = (req: { prefix: string; table?: number; force?: boolean; metric?: number }) => unary((cb) => api.routes.DeleteRoute(req, cb));
    const cases: Array<[string, () => Promise<unknown>, string, RegExp]> = [
      ['no route at all', () => add(undefined), 'INVALID_ARGUMENT', /^route: missing/],
      ['empty prefix', () => add({ prefix: '', nexthops: [gw] }), 'INVALID_ARGUMENT', /^route\.prefix: empty/],
      ['malformed prefix', () => add({ prefix: '203.0.113.0/24x', nexthops: [gw] }), 'INVALID_ARGUMENT', /^route\.prefix: .*length/],
      ['octet out of range', () => add({ prefix: '203.0.113.300/32', nexthops: [gw] }), 'INVALID_ARGUMENT', /^route\.prefix: .*not an IPv4 or IPv6 address/],
      ['prefix length out of range', () => add({ prefix: '203.0.113.0/33', nexthops: [gw] }), 'INVALID_ARGUMENT', /^route\.prefix: .*0 to 32/],
      ['host bits set', () => add({ prefix: '203.0.113.1/24', nexthops: [gw] }), 'INVALID_ARGUMENT', /^route\.prefix: .*host bits set: did you mean 203\.0\.113\.0\/24/],
      ['unknown interface', () => add({ prefix: '203.0.113.128/25', nexthops: [{ ...gw, interface: 'eth9' }] }), 'INVALID_ARGUMENT', /^route\.nexthops\[0\]\.interface: no interface "eth9"/],
      ['gateway not on a connected network', () => add({ prefix: '203.0.113.128/25', nexthops: [{ gateway: '203.0.113.99' }] }), 'INVALID_ARGUMENT', /^route\.nexthops\[0\]\.gateway: 203\.0\.113\.99 is not on a connected network/],
      ['gateway on another interface', () => add({ prefix: '203.0.113.128/25', nexthops: [{ ...gw, interface: 'r0' }] }), 'INVALID_ARGUMENT', /^route\.nexthops\[0\]\.gateway: .*not on a connected network of r0/],
      ['gateway is the router itself', () => add({ prefix: '203.0.113.128/25', nexthops: [{ gateway: lab.router.toB.v4 }] }), 'INVALID_ARGUMENT', /^route\.nexthops\[0\]\.gateway: .*router's own/],
      ['IPv6 gateway for an IPv4 prefix', () => add({ prefix: '203.0.113.128/25', nexthops: [{ gateway: lab.b.v6 }] }), 'INVALID_ARGUMENT', /^route\.nexthops\[0\]\.gateway: .*IPv6, the route's prefix is IPv4/],
      ['IPv4 gateway in an IPv6 multipath route', () => add({ prefix: '2001:db8:f00e::/48', nexthops: [{ gateway: lab.b.v6 }, gw] }), 'INVALID_ARGUMENT', /^route\.nexthops\[1\]\.gateway: .*IPv4/],
      ['link-local gateway without an interface', () => add({ prefix: '2001:db8:f00e::/48', nexthops: [{ gateway: 'fe80::1' }] }), 'INVALID_ARGUMENT', /^route\.nexthops\[0\]\.interface: .*link-local/],
      ['unicast without next hops', () => add({ prefix: '203.0.113.128/25', nexthops: [] }), 'INVALID_ARGUMENT', /^route\.nexthops: empty/],
      ['next hops on a blackhole', () => add({ prefix: '203.0.113.128/25', type: 'ROUTE_TYPE_BLACKHOLE', nexthops: [gw] }), 'INVALID_ARGUMENT', /^route\.nexthops: a blackhole route has no next hops/],
      ['weight 0', () => add({ prefix: '203.0.113.128/25', nexthops: [{ ...gw, weight: 0 }] }), 'INVALID_ARGUMENT', /^route\.nexthops\[0\]\.weight: 0/],
      ['weight 257', () => add({ prefix: '203.0.113.128/25', nexthops: [gw, { gateway: '198.51.100.3', weight: 257 }] }), 'INVALID_ARGUMENT', /^route\.nexthops\[1\]\.weight: 257/],
      ['the same next hop twice', () => add({ prefix: '203.0.113.128/25', nexthops: [gw, gw] }), 'INVALID_ARGUMENT', /^route\.nexthops\[1\]: the same next hop as route\.nexthops\[0\]/],
      ['a table the router does not mirror', () => add({ prefix: '203.0.113.128/25', table: 100, nexthops: [gw] }), 'INVALID_ARGUMENT', /^route\.table: table 100 is not mirrored/],
      ["another daemon's protocol", () => add({ prefix: '203.0.113.128/25', protocol: 'bird', nexthops: [gw] }), 'INVALID_ARGUMENT', /^route\.protocol: "bird"/],
      ['an unknown route type', () => add({ prefix: '203.0.113.128/25', type: 9 as never, nexthops: [gw] }), 'INVALID_ARGUMENT', /^route\.type: 9 is not a route type/],
      ['a duplicate without replace', () => add({ prefix: mine, nexthops: [{ gateway: lab.b.v6 }] }), 'ALREADY_EXISTS', /2001:db8:f00d::\/48 .* already exists, installed by xdp-router; set replace/],
      ["replace of another protocol's route", () => add({ prefix: lab.remote.prefix4, nexthops: [gw] }, true), 'FAILED_PRECONDITION', /belongs to boot/],
      ['an oversized request', () => add({ prefix: '203.0.113.128/25', protocol: 'x'.repeat(100_000), nexthops: [gw] }), 'RESOURCE_EXHAUSTED', /larger than max/],
      ['delete of a malformed prefix', () => del({ prefix: '2001:db8::g/48' }), 'INVALID_ARGUMENT', /^prefix: /],
      ['delete of a route that does not exist', () => del({ prefix: '2001:db8:dead::/48' }), 'NOT_FOUND', /^prefix: no route 2001:db8:dead::\/48 in table 254/],
      ["delete of another protocol's route without force", () => del({ prefix: lab.remote.prefix4 }), 'FAILED_PRECONDITION', /^prefix: 203\.0\.113\.0\/24 .* belongs to boot, not to the router; set force/],
      ['delete in a table the router does not mirror', () => del({ prefix: mine, table: 100 }), 'INVALID_ARGUMENT', /^table: table 100 is not mirrored/],
      ['list of an unknown family', () => collect(api.routes.ListRoutes({ family: 'ipv5' })), 'INVALID_ARGUMENT', /^family: "ipv5"/],
      ['list of an unknown protocol', () => collect(api.routes.ListRoutes({ protocol: 'nope' })), 'INVALID_ARGUMENT', /^protocol: "nope"/],
      ['lookup of something not an address', () => unary((cb) => api.routes.LookupRoute({ address: '198.51.100' }, cb)), 'INVALID_ARGUMENT', /^address: /],
    ];
    const results = [];
    for (const [name, call, , ] of cases) results.push({ name, ...(await refusal(call())) });
    expect(results.map((r) => `${r.name}: ${r.code}`)).toEqual(cases.map(([name, , code]) => `${name}: ${code}`));
    results.forEach((r, i) => expect(r.details, r.name).toMatch(cases[i]![3]));
    expect(await kernelRoutes(lab.router.ns)).toBe(kernelBefore);
    expect(JSON.stringify(await fp.routes())).toBe(mapsBefore);
    await unary((cb) => api.routes.DeleteRoute({ prefix: mine }, cb));
  });

  it('WatchRoutes: the table first, then an ip route add made outside the daemon, then a gRPC delete', async () => {
    const beef = '2001:db8:beef::/48';
    const events = streamQueue<RouteEvent__Output>(api.routes.WatchRoutes({}));
    try {
      const snapshot = await events.until((e) => e.type === 'TYPE_SNAPSHOT_DONE');
      const listed = await collect(api.routes.ListRoutes({}));
      expect(snapshot.slice(0, -1).map((e) => [e.type, e.route?.prefix])).toEqual(listed.map((r) => ['TYPE_ADDED', r.prefix]));
      expect(listed.map((r) => r.prefix)).toEqual(expect.arrayContaining([lab.remote.prefix4, lab.nets.b4, lab.remote.prefix6]));

      await ip(['-6', 'route', 'add', beef, 'via', lab.b.v6], lab.router.ns);
      expect(await events.next((e) => e.route?.prefix === beef)).toMatchObject({
        type: 'TYPE_ADDED',
        route: { prefix: beef, protocol: 'boot', metric: 1024, nexthops: [{ gateway: lab.b.v6, interface: 'r1' }] },
      });
      await unary((cb) => api.routes.DeleteRoute({ prefix: beef, force: true }, cb));
      expect(await events.next((e) => e.route?.prefix === beef)).toMatchObject({ type: 'TYPE_DELETED', route: { prefix: beef, protocol: 'boot' } });
    } finally {
      events.cancel();
    }
  });

  it('AddRoutes from a client of the old shape (one AddRouteRequest per message) installs a stream of routes, lists the refused ones, and answers once the fast path has them all', async () => {
    const count = 2000;
    const prefixOf = (i: number): string => `2001:db8:1:${i.toString(16)}::/64`;
    const requests = Array.from({ length: count }, (_, i) => ({
      route: { prefix: i === 7 ? '2001:db8:1:7::1/64' : i === 9 ? prefixOf(0) : prefixOf(i), nexthops: [{ gateway: lab.b.v6 }] },
    }));
    const result = await addRoutesOfOldShape(config.apiSocket, requests);
    expect(result.added).toBe(count - 2);
    expect(result.failed).toBe(2);
    expect(result.errors).toMatchObject([
      { index: 7, prefix: '2001:db8:1:7::1/64', code: 'INVALID_ARGUMENT', message: expect.stringMatching(/^route\.prefix: .*host bits/) },
      { index: 9, prefix: prefixOf(0), code: 'ALREADY_EXISTS' },
    ]);
    // no waiting: both have them when the call returns
    const inMaps = (await fp.routes()).filter((r) => r.prefix.startsWith('2001:db8:1:'));
    expect(inMaps.length).toBe(count - 2);
    const inKernel = (await ip(['-6', 'route', 'show', 'proto', '250'], lab.router.ns)).trim().split('\n');
    expect(inKernel.length).toBe(count - 2);
    await ip(['-6', 'route', 'flush', 'proto', '250'], lab.router.ns);
  });

  it('AddRoutes of 10,000 routes in messages of up to 1,000 and in batches: the kernel refuses some at known indexes among the routes, each reported with its index and the kernel\'s words; all others in the kernel and the fast path', async () => {
    const count = 10_000;
    // over batch boundaries (2,048 routes each) and at both ends of the stream
    const refused = [0, 2047, 2048, 6000, count - 1];
    // an address without its prefix route: the daemon sees a connected network
    // there, but the kernel's route to a gateway on it is B's (not on the
    // link), so it refuses, and says why in its extended ACK
    const unrouted = { address: '203.0.113.201/29', gateway: '203.0.113.202' };
    const prefixOf = (i: number): string => (refused.includes(i) ? `203.0.113.${128 + 8 * refused.indexOf(i)}/29` : `2001:db8:2:${i.toString(16)}::/64`);
    const route = (i: number) => ({ prefix: prefixOf(i), nexthops: [{ gateway: refused.includes(i) ? unrouted.gateway : lab.b.v6 }] });
    await ip(['addr', 'add', unrouted.address, 'dev', lab.router.toB.dev, 'noprefixroute'], lab.router.ns);
    try {
      // until the daemon has the address: then the kernel, not the validation, refuses
      await expect.poll(async () => (await refusal(addRoute(api, { route: route(0) }))).details).toMatch(/the kernel refused/);
      // messages of one route, of `route` and `routes` together, and of `routes` alone, over the refused indexes
      const sizes = [1, 999, 1000, 48, 1];
      const result = await new Promise<AddRoutesResponse__Output>((resolve, reject) => {
        const call = api.routes.AddRoutes((err, res) => (err ? reject(err) : resolve(res!)));
        for (let i = 0, m = 0; i < count; m++) {
          const size = Math.min(count - i, sizes[m % sizes.length]!);
          const routes = Array.from({ length: size }, (_, k) => route(i + k));
          call.write(size === 1 ? { route: routes[0] } : m % 2 === 0 ? { route: routes[0], routes: routes.slice(1) } : { routes });
          i += size;
        }
        call.end();
      });
      expect(result.added).toBe(count - refused.length);
      expect(result.errors).toEqual(
        refused.map((index) => ({
          index,
          prefix: prefixOf(index),
          code: 'INVALID_ARGUMENT',
          message: `route: the kernel refused: add route ${prefixOf(index)} table 254 metric 0 via ${unrouted.gateway} ifindex ${r1}: network is unreachable (ENETUNREACH); the kernel says: Nexthop has invalid gateway`,
        })),
      );
      const inMaps = new Set((await fp.routes()).map((r) => r.prefix));
      const inKernel = new Set((await ip(['-6', 'route', 'show', 'proto', '250'], lab.router.ns)).trim().split('\n').map((line) => line.split(' ')[0]!));
      const wrong = [];
      for (let i = 0; i < count; i++) {
        const want = !refused.includes(i);
        if (inMaps.has(prefixOf(i)) !== want || inKernel.has(prefixOf(i)) !== want) wrong.push({ i, prefix: prefixOf(i), fastPath: inMaps.has(prefixOf(i)), kernel: inKernel.has(prefixOf(i)) });
      }
      expect(wrong).toEqual([]);
    } finally {
      await ip(['-6', 'route', 'flush', 'proto', '250'], lab.router.ns);
      await ip(['addr', 'del', unrouted.address, 'dev', lab.router.toB.dev], lab.router.ns);
    }
  });

  it('without punt rules in the config, punt calls and capture answer FAILED_PRECONDITION; the list is empty', async () => {
    for (const call of [
      unary((cb) => api.punt.AddPuntRule({ rule: { prefix: lab.remote.prefix4, protocol: 'udp' } }, cb)),
      unary((cb) => api.punt.DeletePuntRule({ prefix: lab.remote.prefix4 }, cb)),
      collect(api.status.CapturePackets({ filter: { maxPackets: 1 } })),
    ]) {
      const r = await refusal(call);
      expect(r.code).toBe('FAILED_PRECONDITION');
      expect(r.details).toMatch(/slow path is not running: the punt stage is only compiled into the fast path when the config has at least one punt rule/);
    }
    expect(await unary((cb) => api.punt.ListPuntRules({}, cb))).toEqual({ rules: [] });
  });

  it('StatusService: counters, attached interfaces, neighbours, status', async () => {
    expect(await ping(lab.a.ns, lab.b.v4, 2)).toBe(2);
    const stats = await unary<GetStatsResponse__Output>((cb) => api.status.GetStats({}, cb));
    expect(BigInt(stats.totals.find((c) => c.reason === 'forwarded')?.packets ?? 0)).toBeGreaterThan(0n);
    const r0 = stats.interfaces.find((i) => i.interface === 'r0');
    expect(r0?.index).toBe(lab.router.toA.ifindex);
    expect(BigInt(r0?.counters.find((c) => c.reason === 'forwarded')?.bytes ?? 0)).toBeGreaterThan(0n);

    const { interfaces } = await unary<ListInterfacesResponse__Output>((cb) => api.status.ListInterfaces({}, cb));
    expect(interfaces.map((i) => [i.name, i.index, i.state, i.mac])).toEqual([
      ['r0', lab.router.toA.ifindex, 'LINK_STATE_UP', lab.router.toA.mac],
      ['r1', lab.router.toB.ifindex, 'LINK_STATE_UP', lab.router.toB.mac],
    ]);
    expect(interfaces.every((i) => i.attachMode === 'ATTACH_MODE_NATIVE' || i.attachMode === 'ATTACH_MODE_GENERIC')).toBe(true);

    const { neighbors } = await unary<ListNeighborsResponse__Output>((cb) => api.status.ListNeighbors({}, cb));
    expect(neighbors).toContainEqual(expect.objectContaining({ address: lab.b.v4, interface: 'r1', mac: lab.b.mac, inFastPath: true }));

    const status = await unary<GetStatusResponse__Output>((cb) => api.status.GetStatus({}, cb));
    expect(status).toMatchObject({ version: expect.stringMatching(/^\d+\.\d+\.\d+/), routeProtocol: 250, tables: [254], resyncs: 0 });
    expect(status.fastPathRoutes).toBeGreaterThan(0);
    expect(status.kernelRoutes).toBeGreaterThanOrEqual(status.fastPathRoutes);
    expect(status.interfaces.map((i) => i.name)).toEqual(['r0', 'r1']);
  });

  it('server reflection lists both services and describes them', async () => {
    const reflectionDir = join(dirname(createRequire(import.meta.url).resolve('@grpc/reflection/package.json')), 'build', 'proto');
    const definition = protoLoader.loadSync('grpc/reflection/v1alpha/reflection.proto', { includeDirs: [reflectionDir], keepCase: true, defaults: true, oneofs: true });
    const pkg = grpc.loadPackageDefinition(definition) as unknown as {
      grpc: { reflection: { v1alpha: { ServerReflection: new (address: string, creds: grpc.ChannelCredentials) => grpc.Client & { ServerReflectionInfo(): grpc.ClientDuplexStream<object, Record<string, unknown>> } } } };
    };
    const client = new pkg.grpc.reflection.v1alpha.ServerReflection(`unix:${config.apiSocket}`, grpc.credentials.createInsecure());
    try {
      const ask = (request: object): Promise<Record<string, unknown>> =>
        new Promise((resolve, reject) => {
          const call = client.ServerReflectionInfo();
          call.once('data', (answer: Record<string, unknown>) => {
            resolve(answer);
            call.end();
          });
          call.once('error', reject);
          call.write(request);
        });
      const listed = (await ask({ list_services: '*' })) as { list_services_response: { service: Array<{ name: string }> } };
      expect(listed.list_services_response.service.map((s) => s.name)).toEqual(
        expect.arrayContaining(['xdprouter.v1.RouteService', 'xdprouter.v1.StatusService', 'xdprouter.v1.PuntService', 'grpc.health.v1.Health']),
      );
      const file = (await ask({ file_containing_symbol: 'xdprouter.v1.RouteService' })) as { file_descriptor_response: { file_descriptor_proto: Buffer[] } };
      const described = Buffer.concat(file.file_descriptor_response.file_descriptor_proto).toString('latin1');
      for (const name of ['AddRoute', 'WatchRoutes', 'AddRoutes', 'LookupRouteResponse']) expect(described).toContain(name);
    } finally {
      client.close();
    }
  });
});
