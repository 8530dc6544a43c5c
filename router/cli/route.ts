// `xdp-router route ...`: the RouteService from the command line.
import type { ClientReadableStream } from '@grpc/grpc-js';
import type { ApiClients } from '../api/client.js';
import { collect, unary } from '../api/client.js';
import type { RouteEvent__Output } from '../api/generated/xdprouter/v1/RouteEvent.js';
import type { LookupRouteResponse__Output } from '../api/generated/xdprouter/v1/LookupRouteResponse.js';
import { CONNECTION_HELP, readCommandLine, withApi } from './connection.js';
import { formatNexthop, formatRoute, toJson } from './format.js';
import { parseRouteAdd, parseTable, resolveDefault } from './route-args.js';
import { UsageError, parseInteger } from './usage.js';
import type { CommandIo } from './command-io.js';

export const ROUTE_HELP = `usage: xdp-router route COMMAND ...

Routes in the kernel's mirrored tables, and what the fast path does with them.
Routes added here are installed in the kernel with the router's protocol
(xdp-router) and are in the fast path when the command returns.

  route add [TYPE] PREFIX [via GW] [dev IF] [weight N] [metric N] [table N]
                          [nexthop [via GW] [dev IF] [weight N]]...
      TYPE: unicast (default), blackhole, unreachable, prohibit.
      PREFIX: CIDR, or default. Several next hops make a multipath route.
  route replace ...       as add, taking the place of the route of
                          (table, prefix, metric)
  route del PREFIX [metric N] [table N] [--force]
      --force deletes a route another protocol installed
  route list [-4|-6] [table N] [proto NAME] [--json]
  route get ADDRESS [--json]
      the route the fast path matches, its next hop and neighbour, and the
      verdict (FORWARD, PASS_..., DROP_...)
  route watch [--json]
      the current routes, then every change as it reaches the fast path

${CONNECTION_HELP}`;


function listFilter(words: string[]): { table: number; family: string; protocol: string } {
  const filter = { table: 0, family: words.includes('-4') ? 'ipv4' : words.includes('-6') ? 'ipv6' : '', protocol: '' };
  const rest = words.filter((w) => w !== '-4' && w !== '-6');
  for (let i = 0; i < rest.length; i++) {
    const w = rest[i];
    if (w === 'table') filter.table = parseTable(rest[++i]);
    else if (w === 'proto' || w === 'protocol') filter.protocol = rest[++i] ?? '';
    else throw new UsageError(`unexpected "${w}"; expected -4, -6, table N or proto NAME`);
  }
  return filter;
}

function deleteRequest(words: string[], force: boolean): { prefix: string; table?: number; metric?: number; force: boolean } {
  const [prefix, ...rest] = words;
  if (prefix === undefined) throw new UsageError('route del needs a prefix');
  const req: { prefix: string; table?: number; metric?: number; force: boolean } = { prefix: resolveDefault(prefix, false), force };
  for (let i = 0; i < rest.length; i++) {
    const w = rest[i];
    if (w === 'table') req.table = parseTable(rest[++i]);
    else if (w === 'metric' || w === 'priority') req.metric = parseInteger(rest[++i], 'metric', 0, 2 ** 32 - 1);
    else throw new UsageError(`unexpected "${w}"; expected table N or metric N`);
  }
  return req;
}

/** Print a watch until the daemon ends it or we are interrupted. */
function printWatch(stream: ClientReadableStream<RouteEvent__Output>, json: boolean, io: CommandIo): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.on('data', (e: RouteEvent__Output) => {
      if (json) io.out(JSON.stringify(e));
      else if (e.type === 'TYPE_SNAPSHOT_DONE') io.out('# the routes above were in place; changes follow');
      else if (e.route) io.out(`${e.type === 'TYPE_DELETED' ? 'Deleted ' : ''}${formatRoute(e.route)}`);
    });
    stream.on('error', reject);
    stream.on('end', resolve);
    io.onInterrupt(() => {
      stream.cancel();
      resolve();
    });
  });
}

export async function routeCommand(args: string[], io: CommandIo): Promise<number> {
  const line = readCommandLine(args, { '--json': 'flag', '--force': 'flag' }, ROUTE_HELP, io, true);
  if (!line) return 0;
  const { options, words } = line;
  const [verb, ...rest] = words;
  if (verb === undefined) throw new UsageError('which route command? add, replace, del, list, get or watch');
  const json = options.has('--json');
  switch (verb) {
    case 'add':
    case 'replace': {
      const route = parseRouteAdd(rest);
      return withApi(options, async (api) => {
        const added = await unary<{ route: typeof route | null }>((cb) => api.routes.AddRoute({ route, replace: verb === 'replace' }, cb));
        if (json) io.out(toJson(added.route));
        return 0;
      });
    }
    case 'del':
    case 'delete': {
      const req = deleteRequest(rest, options.has('--force'));
      return withApi(options, async (api) => {
        await unary((cb) => api.routes.DeleteRoute(req, cb));
        return 0;
      });
    }
    case 'list':
    case 'show': {
      const filter = listFilter(rest);
      return withApi(options, async (api) => {
        const routes = await collect(api.routes.ListRoutes(filter));
        if (json) io.out(toJson(routes));
        for (const r of json ? [] : routes) io.out(formatRoute(r));
        return 0;
      });
    }
    case 'get': {
      const [address, ...extra] = rest;
      if (address === undefined || extra.length > 0) throw new UsageError('route get takes one address');
      return withApi(options, (api) => printLookup(api, address, json, io));
    }
    case 'watch':
    case 'monitor': {
      if (rest.length > 0) throw new UsageError(`unexpected "${rest[0]}"`);
      return withApi(options, async (api) => {
        await printWatch(api.routes.WatchRoutes({}), json, io);
        return 0;
      });
    }
  }
  throw new UsageError(`unknown route command "${verb}"; expected add, replace, del, list, get or watch`);
}

async function printLookup(api: ApiClients, address: string, json: boolean, io: CommandIo): Promise<number> {
  const r = await unary<LookupRouteResponse__Output>((cb) => api.routes.LookupRoute({ address }, cb));
  if (json) {
    io.out(toJson(r));
    return 0;
  }
  const head = [address, r.selected ? formatNexthop(r.selected) : '', r.neighborMac ? `lladdr ${r.neighborMac}` : '', r.action].filter(Boolean);
  io.out(head.join(' '));
  io.out(r.route ? `    route ${formatRoute(r.route).replace(/\n/g, '\n    ')}` : '    no route');
  return 0;
}
