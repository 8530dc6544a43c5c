// `npm run bench -- grpc`: the gRPC API (issue 4) at work on the lab's
// router: the latency of one AddRoute, answered once the fast path has the
// route (read your writes); the rate of a bulk AddRoutes stream; the
// latency of LookupRoute and GetStats; DeleteRoute's.
import { connect, unary } from '../router/api/client.js';
import type { ApiClients } from '../router/api/client.js';
import type { AddRouteRequest } from '../router/api/generated/xdprouter/v1/AddRouteRequest.js';
import type { AddRoutesRequest } from '../router/api/generated/xdprouter/v1/AddRoutesRequest.js';
import type { AddRoutesResponse__Output } from '../router/api/generated/xdprouter/v1/AddRoutesResponse.js';
import type { Route } from '../router/api/generated/xdprouter/v1/Route.js';
import { ip } from '../router/lab/netns.js';
import { withRouterLab } from './router-lab.js';
import { formatPrefix4, ipv4Table } from './prefixes.js';
import { processCpuMs } from './process-stats.js';
import { progress, timed } from './progress.js';

export interface GrpcOptions {
  /** sequential calls per latency figure */
  calls: number;
  /** routes in the AddRoutes stream */
  bulkRoutes: number;
  /** routes per message of that stream (1: the one-route messages of a client of AddRouteRequest's shape) */
  routesPerMessage: number;
}

export const GRPC_DEFAULTS: GrpcOptions = { calls: 1_000, bulkRoutes: 300_000, routesPerMessage: 1_024 };

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
  addRoutes: {
    routes: number;
    routesPerMessage: number;
    added: number;
    failed: number;
    ms: number;
    routesPerSecond: number;
    inKernel: number;
    inFastPath: number;
    /** CPU time per route during the stream: the daemon's process (its syscalls' kernel work included), and the client's */
    cpuUsPerRoute: { daemon: number; client: number };
  };
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

/** One client stream of AddRoutes messages, written as fast as the stream takes them. */
async function addRoutes(api: ApiClients, messages: AddRoutesRequest[]): Promise<AddRoutesResponse__Output> {
  let stream: ReturnType<ApiClients['routes']['AddRoutes']> | undefined;
  const answer = unary<AddRoutesResponse__Output>((cb) => (stream = api.routes.AddRoutes(cb)));
  for (const m of messages) {
    if (!stream!.write(m)) await new Promise<void>((resolve) => stream!.once('drain', () => resolve()));
  }
  stream!.end();
  return answer;
}

/** The routes in messages of `size`: one as `route` (a message of AddRouteRequest's shape), more as `routes`. */
function messagesOf(routes: Route[], size: number): AddRoutesRequest[] {
  if (size === 1) return routes.map((route) => ({ route }));
  const out: AddRoutesRequest[] = [];
  for (let i = 0; i < routes.length; i += size) out.push({ routes: routes.slice(i, i + size) });
  return out;
}

export async function runGrpc(options: GrpcOptions = GRPC_DEFAULTS): Promise<GrpcResult> {
  return withRouterLab(`xrb-grpc-${process.pid}`, async ({ lab, daemon, fp }) => {
    const api = connect({ socket: daemon.apiSocket });
    try {
      const table = ipv4Table(options.calls + options.bulkRoutes, 44);
      const route = (i: number): Route => ({ prefix: formatPrefix4(table[i]!), nexthops: [{ gateway: lab.b.v4 }] });
      const request = (i: number): AddRouteRequest => ({ route: route(i) });

      progress(`grpc: ${options.calls} AddRoute calls, one after the other`);
      const addRoute = await latency(options.calls, (i) => unary((cb) => api.routes.AddRoute(request(i), cb)));
      const lookupRoute = await latency(options.calls, (i) => unary((cb) => api.routes.LookupRoute({ address: formatPrefix4(table[i]!).split('/')[0]! }, cb)));
      const getStats = await latency(Math.min(options.calls, 200), () => unary((cb) => api.status.GetStats({}, cb)));
      const deleteRoute = await latency(options.calls, (i) => unary((cb) => api.routes.DeleteRoute({ prefix: formatPrefix4(table[i]!) }, cb)));

      progress(`grpc: one AddRoutes stream of ${options.bulkRoutes} routes, ${options.routesPerMessage} per message`);
      // made before the clock starts: the figure is the API's, not the client's
      const routes = table.slice(options.calls).map((_, k) => route(options.calls + k));
      const messages = messagesOf(routes, options.routesPerMessage);
      // CPU time counts the work whatever else loads the machine: the daemon's (the kernel's share of its requests included) and this client's
      const daemonCpuMs = processCpuMs(daemon.pid);
      const clientCpu = process.cpuUsage();
      const bulk = await timed(() => addRoutes(api, messages));
      const clientCpuUs = process.cpuUsage(clientCpu);
      const cpuUsPerRoute = { daemon: ((processCpuMs(daemon.pid) - daemonCpuMs) * 1000) / routes.length, client: (clientCpuUs.user + clientCpuUs.system) / routes.length };
      const streamed = new Set(routes.map((r) => r.prefix!));
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
          routesPerMessage: options.routesPerMessage,
          added: bulk.value.added,
          failed: bulk.value.failed,
          ms: bulk.ms,
          routesPerSecond: bulk.value.added / (bulk.ms / 1000),
          inKernel,
          inFastPath,
          cpuUsPerRoute,
        },
      };
      progress(
        `grpc: AddRoute p50 ${addRoute.p50Ms.toFixed(2)} ms; AddRoutes ${Math.round(result.addRoutes.routesPerSecond)} routes/s, ` +
          `CPU per route: daemon ${cpuUsPerRoute.daemon.toFixed(1)} us, client ${cpuUsPerRoute.client.toFixed(1)} us`,
      );
      await ip(['route', 'flush', 'proto', String(ROUTER_PROTO)], lab.router.ns);
      return result;
    } finally {
      api.close();
    }
  });
}
