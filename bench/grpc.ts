// `npm run bench -- grpc`: the gRPC API (issue 4) at work on the lab's
// router: the latency of one AddRoute, answered once the fast path has the
// route (read your writes); the rate of a bulk AddRoutes stream; the
// latency of LookupRoute and GetStats; DeleteRoute's.
import { connect, unary } from '../router/api/client.js';
import type { ApiClients } from '../router/api/client.js';
import type { AddRouteRequest } from '../router/api/generated/xdprouter/v1/AddRouteRequest.js';
import type { AddRoutesResponse__Output } from '../router/api/generated/xdprouter/v1/AddRoutesResponse.js';
import { ip } from '../router/lab/netns.js';
import { withRouterLab } from './router-lab.js';
import { formatPrefix4, ipv4Table } from './prefixes.js';
import { progress, timed } from './progress.js';

export interface GrpcOptions {
  /** sequential calls per latency figure */
  calls: number;
  /** routes in the AddRoutes stream */
  bulkRoutes: number;
}

export const GRPC_DEFAULTS: GrpcOptions = { calls: 1_000, bulkRoutes: 300_000 };

export interface Latency {
  calls: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
}

export interface GrpcResult {
  options: GrpcOptions;
  addRoute: Latency;
  deleteRoute: Latency;
  lookupRoute: Latency;
  getStats: Latency;
  /** one AddRoutes stream: all in the fast path when it answers, which inKernel and inFastPath (read right after) check */
  addRoutes: { routes: number; added: number; failed: number; ms: number; routesPerSecond: number; inKernel: number; inFastPath: number };
}

/** the daemon's own route protocol: the routes the API installs carry it */
const ROUTER_PROTO = 250;

async function latency(calls: number, call: (i: number) => Promise<unknown>): Promise<Latency> {
  const ms: number[] = [];
  for (let i = 0; i < calls; i++) ms.push((await timed(() => call(i))).ms);
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { calls, p50Ms: at(0.5), p99Ms: at(0.99), meanMs: ms.reduce((s, v) => s + v, 0) / ms.length };
}

/** One client stream of AddRoute requests, written as fast as the stream takes them. */
async function addRoutes(api: ApiClients, requests: AddRouteRequest[]): Promise<AddRoutesResponse__Output> {
  let stream: ReturnType<ApiClients['routes']['AddRoutes']> | undefined;
  const answer = unary<AddRoutesResponse__Output>((cb) => (stream = api.routes.AddRoutes(cb)));
  for (const r of requests) {
    if (!stream!.write(r)) await new Promise<void>((resolve) => stream!.once('drain', () => resolve()));
  }
  stream!.end();
  return answer;
}

export async function runGrpc(options: GrpcOptions = GRPC_DEFAULTS): Promise<GrpcResult> {
  return withRouterLab(`xrb-grpc-${process.pid}`, async ({ lab, daemon, fp }) => {
    const api = connect({ socket: daemon.apiSocket });
    try {
      const table = ipv4Table(options.calls + options.bulkRoutes, 44);
      const request = (i: number): AddRouteRequest => ({ route: { prefix: formatPrefix4(table[i]!), nexthops: [{ gateway: lab.b.v4 }] } });

      progress(`grpc: ${options.calls} AddRoute calls, one after the other`);
      const addRoute = await latency(options.calls, (i) => unary((cb) => api.routes.AddRoute(request(i), cb)));
      const lookupRoute = await latency(options.calls, (i) => unary((cb) => api.routes.LookupRoute({ address: formatPrefix4(table[i]!).split('/')[0]! }, cb)));
      const getStats = await latency(Math.min(options.calls, 200), () => unary((cb) => api.status.GetStats({}, cb)));
      const deleteRoute = await latency(options.calls, (i) => unary((cb) => api.routes.DeleteRoute({ prefix: formatPrefix4(table[i]!) }, cb)));

      progress(`grpc: one AddRoutes stream of ${options.bulkRoutes} routes`);
      // made before the clock starts: the figure is the API's, not the client's
      const requests = table.slice(options.calls).map((_, k) => request(options.calls + k));
      const bulk = await timed(() => addRoutes(api, requests));
      const streamed = new Set(requests.map((r) => r.route!.prefix!));
      // `ip route` writes a /32 as the bare address
      const shown = (line: string): string => (line.split(' ')[0]!.includes('/') ? line.split(' ')[0]! : `${line.split(' ')[0]!}/32`);
      const inKernel = (await ip(['-4', 'route', 'show', 'proto', String(ROUTER_PROTO)], lab.router.ns)).split('\n').filter((line) => streamed.has(shown(line))).length;
      const inFastPath = (await fp.routes()).filter((r) => streamed.has(r.prefix)).length;
      const result: GrpcResult = {
        options,
        addRoute,
        deleteRoute,
        lookupRoute,
        getStats,
        addRoutes: {
          routes: options.bulkRoutes,
          added: bulk.value.added,
          failed: bulk.value.failed,
          ms: bulk.ms,
          routesPerSecond: bulk.value.added / (bulk.ms / 1000),
          inKernel,
          inFastPath,
        },
      };
      progress(`grpc: AddRoute p50 ${addRoute.p50Ms.toFixed(2)} ms; AddRoutes ${Math.round(result.addRoutes.routesPerSecond)} routes/s`);
      await ip(['route', 'flush', 'proto', String(ROUTER_PROTO)], lab.router.ns);
      return result;
    } finally {
      api.close();
    }
  });
}
