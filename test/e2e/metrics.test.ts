// Prometheus metrics of a running daemon: scraped over HTTP on loopback,
// the fast path's counters move with the traffic that crosses the lab, and
// the API's request counters with the calls made to it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ip } from '../../router/lab/netns.js';
import type { Lab } from '../../router/lab/topology.js';
import { startLabDaemon } from '../../support/lab-daemon.js';
import type { LabDaemon } from '../../support/lab-daemon.js';
import { addRoute, refusal, unary } from '../helpers/api.js';
import { within } from '../helpers/router.js';
import { freePort, samples, scrape, sum, value } from '../helpers/metrics.js';
import { ping, udpStream } from '../../router/lab/traffic.js';

const PREFIX = `xrt-m-${process.pid}`;

describe('metrics', () => {
  let h: LabDaemon | undefined;
  let lab: Lab;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    // its warm-up calls made and answered before any test scrapes
    h = await startLabDaemon({ prefix: PREFIX, extraConfig: `metrics:\n  listen: "127.0.0.1:${port}"\n`, waitFor: [{ msg: 'API warmed up', count: 1 }] });
    ({ lab } = h);
  });

  afterAll(async () => {
    await h?.dispose();
  });

  it("leaves out the daemon's own warm-up calls: no call is counted before a client makes one", async () => {
    const text = await scrape(port);
    expect(text).toContain('# TYPE xdp_router_grpc_requests_total counter');
    expect(samples(text, 'xdp_router_grpc_requests_total')).toEqual([]);
    expect(samples(text, 'xdp_router_grpc_request_duration_seconds_count')).toEqual([]);
  });

  it('serves the fast path, sync and table metrics under Prometheus names', async () => {
    const text = await scrape(port);
    for (const name of ['xdp_router_packets_total', 'xdp_router_bytes_total', 'xdp_router_routes', 'xdp_router_neighbours', 'xdp_router_sync_resyncs_total', 'xdp_router_sync_last_age_seconds', 'xdp_router_interface_attached', 'xdp_router_fib4_groups']) {
      expect(text).toContain(`# TYPE ${name} `);
    }
    expect(value(text, 'xdp_router_routes{family="ipv4"}')).toBeGreaterThanOrEqual(3);
    expect(value(text, 'xdp_router_interface_attached{interface="r0",mode="native"}')).toBe(1);
  });

  it('the IPv4 index\'s groups follow the routes longer than /24', async () => {
    const used = async (): Promise<number> => value(await scrape(port), 'xdp_router_fib4_groups{state="used"}');
    const free = async (): Promise<number> => value(await scrape(port), 'xdp_router_fib4_groups{state="free"}');
    const total = (await used()) + (await free());
    expect(total).toBe(65536);
    const before = await used();
    await ip(['route', 'add', '203.0.113.77/32', 'via', lab.b.v4], lab.router.ns);
    await within(2000, async () => (await used()) === before + 1, 'a group for 203.0.113.0/24');
    expect(await free()).toBe(total - before - 1);
    await ip(['route', 'del', '203.0.113.77/32'], lab.router.ns);
    await within(2000, async () => (await used()) === before, 'the group freed');
  });

  it('forwarded packets and bytes move with the traffic', async () => {
    expect(await ping(lab.a.ns, lab.b.v4, 1)).toBe(1);
    const series = 'xdp_router_packets_total{interface="r0",reason="forwarded"}';
    const before = value(await scrape(port), series);
    const r = await udpStream(lab.a.ns, lab.b.ns, lab.b.v4, 1000, 1000);
    expect(r.unique).toBe(1000);
    const text = await scrape(port);
    expect(value(text, series) - before).toBeGreaterThanOrEqual(1000);
    expect(value(text, 'xdp_router_bytes_total{interface="r0",reason="forwarded"}')).toBeGreaterThan(0);
  });

  it('without punt rules the slow path families are there, with no series', async () => {
    const text = await scrape(port);
    for (const name of ['xdp_router_xsk_rx_packets_total', 'xdp_router_xsk_tx_packets_total', 'xdp_router_xsk_rx_ring_full_total', 'xdp_router_slowpath_packets_total', 'xdp_router_punt_packets_total']) {
      expect(text).toContain(`# TYPE ${name} counter`);
      expect(samples(text, name)).toEqual([]);
    }
  });

  it('counts gRPC calls by service, method and status code, once each, and times them', async () => {
    const { api } = h!;
    const status = { service: 'xdprouter.v1.StatusService', method: 'GetStatus' };
    const add = { service: 'xdprouter.v1.RouteService', method: 'AddRoute' };
    const before = await scrape(port);
    expect(before).toContain('# TYPE xdp_router_grpc_requests_total counter');
    expect(before).toContain('# TYPE xdp_router_grpc_request_duration_seconds histogram');

    await unary((cb) => api.status.GetStatus({}, cb));
    await unary((cb) => api.status.GetStatus({}, cb));
    expect(await refusal(addRoute(api, { route: { prefix: '203.0.113.300/32', nexthops: [{ gateway: lab.b.v4 }] } }))).toMatchObject({ code: 'INVALID_ARGUMENT' });

    const after = await scrape(port);
    const rise = (name: string, labels: Record<string, string> = {}): number => sum(after, name, labels) - sum(before, name, labels);
    expect(rise('xdp_router_grpc_requests_total', { ...status, code: 'OK' })).toBe(2);
    expect(rise('xdp_router_grpc_requests_total', { ...add, code: 'INVALID_ARGUMENT' })).toBe(1);
    // nothing else was called, and nothing counted twice
    expect(rise('xdp_router_grpc_requests_total')).toBe(3);
    expect(rise('xdp_router_grpc_request_duration_seconds_count', status)).toBe(2);
    expect(rise('xdp_router_grpc_request_duration_seconds_count', add)).toBe(1);
    expect(rise('xdp_router_grpc_request_duration_seconds_bucket', { ...status, le: '+Inf' })).toBe(2);
    expect(rise('xdp_router_grpc_request_duration_seconds_sum', status)).toBeGreaterThan(0);
  });
});
