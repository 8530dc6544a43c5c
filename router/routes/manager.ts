// Route management for the API: validate a request, install or remove the
// route in the kernel over rtnetlink with the router's own protocol, and
// answer once the fast path has it (the daemon's sync carries it there, and
// the reconciler says when it has written it). Reads come from the sync's
// copy of the kernel, which is what the fast path is made from.
import { formatPrefix } from '../../dataplane/addr.js';
import type { AddRouteOptions, RouteKey } from '../sync/routes-writer.js';
import type { DesiredState } from '../sync/desired.js';
import { routeFamilyKey, type KernelState } from '../sync/kernel-state.js';
import type { KernelNexthop, KernelRoute } from '../sync/model.js';
import type { RoutesAppliedListener } from '../sync/reconciler.js';
import { AppliedRoutes, type Wait } from './applied.js';
import { addInBulk, type BatchInstall, type BulkItem, type BulkResult, type BulkRoute } from './bulk-add.js';
import { RequestError, fromKernel, invalid } from './errors.js';
import { RouteFeed, type RouteChange } from './feed.js';
import { settle, Window, type ChangeOptions } from './flow-control.js';
import { RouteLookup, type FastPathReader } from './lookup.js';
import type { NexthopView, RouteSpec, RouteView } from './model.js';
import { RouteProtocols } from './protocols.js';
import { ResolvedNexthops, checkPrefix, checkTable, kernelMetric, routeFromSpec, type RoutePolicy } from './validate.js';

/**
 * Single changes (AddRoute, DeleteRoute) in flight at once, over all
 * calls. The writer's socket sends the changes that wait while its last
 * transaction runs as the next one, many per sendmsg (sync/rtnl-socket.ts);
 * AddRoutes sends batches of its own (bulk-add.ts).
 */
const KERNEL_WINDOW = 32;

export interface RouteWriter {
  addRoute(route: KernelRoute, options: AddRouteOptions): Promise<void>;
  /** one transaction; each route's failure, null where the kernel took it */
  addRoutes(changes: readonly BulkRoute[], protocol: number): Promise<Array<Error | null>>;
  deleteRoute(key: RouteKey): Promise<void>;
}

export interface RouteManagerDeps {
  state: KernelState;
  desired: DesiredState;
  onRoutesApplied: (listener: RoutesAppliedListener) => () => void;
  /** a full sync is writing the maps: the state is ahead of them (Reconciler.fullSyncRunning) */
  fullSyncRunning: () => boolean;
  /** the maps are behind the state: a full sync, or a batch of events still being written (Reconciler.mapsBehind) */
  mapsBehind: () => boolean;
  fp: FastPathReader;
  writer: RouteWriter;
  tables: readonly number[];
  routeProtocol: number;
}

export interface DeleteRequest {
  prefix: string;
  /** 0: main */
  table: number;
  metric?: number;
  force: boolean;
}

export interface ListFilter {
  /** 0: every mirrored table */
  table: number;
  /** '', 'ipv4' or 'ipv6' */
  family: string;
  /** '' or a protocol name or id */
  protocol: string;
}

export interface LookupView {
  route?: RouteView;
  selected?: NexthopView;
  neighborMac: string;
  action: string;
}

/** The same next hops: unique within a route (validate.ts), so equal counts and each found means the same set. */
function sameNexthops(a: readonly KernelNexthop[], b: readonly KernelNexthop[]): boolean {
  return a.length === b.length && a.every((n) => b.some((m) => m.ifindex === n.ifindex && m.gateway === n.gateway && m.weight === n.weight));
}

/** Everything that makes a route what it is, to tell "the fast path has this one" from "has another". */
function sameRoute(a: KernelRoute, b: KernelRoute): boolean {
  if (a.table !== b.table || a.metric !== b.metric || a.tos !== b.tos || a.type !== b.type || a.protocol !== b.protocol) return false;
  return sameNexthops(a.nexthops, b.nexthops);
}

const routeText = (r: Pick<KernelRoute, 'prefix' | 'table' | 'metric'>): string => `${r.prefix} (table ${r.table}, metric ${r.metric})`;

/** Routes in `ip route` order: IPv4 first, then by address, length, table, metric. */
function sortRoutes(routes: KernelRoute[]): KernelRoute[] {
  // parse each prefix once: a full table is 100,000s of routes
  const keyed = routes.map((r) => ({ r, p: checkPrefix(r.prefix, 'prefix') }));
  keyed.sort(({ r: a, p: pa }, { r: b, p: pb }) => a.family - b.family || pa.addr.compare(pb.addr) || pa.length - pb.length || a.table - b.table || a.metric - b.metric);
  return keyed.map((k) => k.r);
}

export class RouteManager {
  readonly protocols: RouteProtocols;
  private readonly policy: RoutePolicy;
  private readonly applied: AppliedRoutes;
  private readonly feed: RouteFeed;
  private readonly lookup: RouteLookup;
  private readonly kernel = new Window(KERNEL_WINDOW);

  constructor(private readonly deps: RouteManagerDeps) {
    this.protocols = new RouteProtocols(deps.routeProtocol);
    this.policy = { tables: deps.tables, protocols: this.protocols };
    this.applied = new AppliedRoutes(deps.onRoutesApplied, deps.mapsBehind);
    this.feed = new RouteFeed(deps.state, deps.onRoutesApplied);
    this.lookup = new RouteLookup(deps.fp, deps.state, deps.desired);
  }

  /** The routes of a prefix that the API adds and deletes: not the source-specific ones, which share its (table, metric) in the kernel. */
  private routesOf(key: string): KernelRoute[] {
    return [...(this.deps.state.routes.get(key)?.values() ?? [])].filter((r) => r.source === undefined);
  }

  /** The route of the API's kind that holds (table, prefix, metric) in the kernel, if any. */
  private slotOf(key: string, route: KernelRoute): KernelRoute | undefined {
    for (const r of this.deps.state.routes.get(key)?.values() ?? []) {
      if (r.source === undefined && r.table === route.table && r.metric === route.metric && r.tos === 0) return r;
    }
    return undefined;
  }

  /**
   * Whether the fast path has this very route: the sync's copy of the
   * kernel has it, and no full sync is still writing the maps from it.
   */
  private holds(key: string, route: KernelRoute): boolean {
    if (this.deps.fullSyncRunning()) return false;
    // asked for every route of a bulk add: the slot's one plain route is made alone, not a map of the slot's routes
    const routes = this.deps.state.routes;
    const slot = routes.slotOf(key);
    if (slot < 0) return false;
    // the slot's one plain route read from its columns: no route object or prefix text made
    const type = routes.columnType(slot);
    if (type !== undefined) {
      if (type !== route.type || routes.columnTable(slot) !== route.table || routes.columnMetric(slot) !== route.metric) return false;
      return routes.columnTos(slot) === route.tos && routes.columnProtocol(slot) === route.protocol && sameNexthops(routes.columnHops(slot), route.nexthops);
    }
    for (const r of routes.overflowAt(slot)?.values() ?? []) if (r.source === undefined && sameRoute(r, route)) return true;
    return false;
  }

  /** The route as clients see it: interface and protocol names. */
  view(r: KernelRoute): RouteView {
    return {
      prefix: r.prefix,
      type: r.type,
      table: r.table,
      metric: r.metric,
      protocol: this.protocols.name(r.protocol),
      nexthops: r.nexthops.map((n) => this.nexthopView(n)),
      ...(r.source === undefined ? {} : { source: r.source }),
    };
  }

  private nexthopView(n: KernelRoute['nexthops'][number]): NexthopView {
    const name = this.deps.state.links.get(n.ifindex)?.name ?? String(n.ifindex);
    return { ...(n.gateway ? { gateway: n.gateway } : {}), interface: name, weight: n.weight };
  }

  /** The kernel route a request asks for; refuses what the kernel would refuse, with the reason in the client's words. */
  private check(spec: RouteSpec, replace: boolean, resolved?: ResolvedNexthops): BulkRoute {
    const { route, prefix } = routeFromSpec(spec, this.deps.state, this.policy, 'route', resolved);
    const checked = { route, replace, prefix, key: routeFamilyKey(route) };
    const existing = this.slotOf(checked.key, route);
    if (!existing) return checked;
    const owner = this.protocols.name(existing.protocol);
    if (!replace) {
      throw new RequestError('ALREADY_EXISTS', `route: ${routeText(route)} already exists, installed by ${owner}; set replace to take its place`);
    }
    if (existing.protocol !== this.protocols.own) {
      throw new RequestError(
        'FAILED_PRECONDITION',
        `route: ${routeText(route)} belongs to ${owner}; replace takes over only the router's own routes (delete it with force first)`,
      );
    }
    return checked;
  }

  /** Ask the kernel; resolves with the wait for the fast path once the kernel has acknowledged. */
  private async install({ route, replace, key }: BulkRoute): Promise<Wait> {
    const wait = this.applied.waitFor(key, () => this.holds(key, route));
    try {
      await this.kernel.run(() => this.deps.writer.addRoute(route, { replace, protocol: this.protocols.own }));
    } catch (err) {
      wait.cancel();
      throw fromKernel(err, 'route');
    }
    wait.check();
    return wait;
  }

  /** Ask the kernel for a batch in one transaction; resolves with each refusal and the wait for the fast path on the rest. */
  private async installBatch(routes: readonly BulkRoute[]): Promise<BatchInstall> {
    const keys = routes.map((r) => r.key);
    const wait = this.applied.waitForAll(keys, (i) => this.holds(keys[i]!, routes[i]!.route));
    let answers: Array<Error | null>;
    try {
      answers = await this.deps.writer.addRoutes(routes, this.protocols.own);
    } catch (err) {
      wait.cancel();
      throw fromKernel(err, 'route');
    }
    const refusals = answers.map((answer, i) => {
      if (!answer) return null;
      wait.drop(i);
      return fromKernel(answer, 'route');
    });
    wait.check();
    return { refusals, wait };
  }

  async addRoute(spec: RouteSpec, replace: boolean, options: ChangeOptions = {}): Promise<RouteView> {
    const checked = this.check(spec, replace);
    const { route } = checked;
    const wait = await this.install(checked);
    await settle(wait, options, `route ${routeText(route)} is in the kernel, but the fast path did not apply it`);
    return this.view(route);
  }

  async deleteRoute(req: DeleteRequest, options: ChangeOptions = {}): Promise<void> {
    const parsed = checkPrefix(req.prefix, 'prefix');
    const prefix = formatPrefix(parsed);
    const table = checkTable(req.table, this.deps.tables, 'table');
    const key = `${parsed.family}|${prefix}`;
    const metric = req.metric === undefined ? undefined : kernelMetric(parsed.family, req.metric);
    const candidates = this.routesOf(key).filter((r) => r.table === table && (metric === undefined || r.metric === metric));
    const route = candidates[0];
    if (!route) {
      throw new RequestError('NOT_FOUND', `prefix: no route ${prefix} in table ${table}${req.metric === undefined ? '' : ` with metric ${metric}`}`);
    }
    if (candidates.length > 1 && metric === undefined) {
      throw invalid('metric', `${prefix} has ${candidates.length} routes in table ${table} (metrics ${candidates.map((r) => r.metric).join(', ')}); name one`);
    }
    if (route.protocol !== this.protocols.own && !req.force) {
      throw new RequestError(
        'FAILED_PRECONDITION',
        `prefix: ${routeText(route)} belongs to ${this.protocols.name(route.protocol)}, not to the router; set force to delete it anyway`,
      );
    }
    const gone = (): boolean => !this.deps.fullSyncRunning() && !this.routesOf(key).some((r) => r.table === route.table && r.metric === route.metric && r.protocol === route.protocol);
    const wait = this.applied.waitFor(key, gone);
    try {
      await this.kernel.run(() => this.deps.writer.deleteRoute({ family: route.family, table, prefix, metric: route.metric, protocol: route.protocol }));
    } catch (err) {
      wait.cancel();
      throw fromKernel(err, 'prefix');
    }
    wait.check();
    await settle(wait, options, `route ${routeText(route)} is gone from the kernel, but the fast path did not follow`);
  }

  /**
   * AddRoute for each route of a stream (yielded a client message at a
   * time), installed in batches; refusals are collected, not thrown
   * (bulk-add.ts).
   */
  addRoutes(requests: AsyncIterable<readonly BulkItem[]>): Promise<BulkResult> {
    const resolved = new ResolvedNexthops();
    return addInBulk(requests, {
      check: (spec, replace) => this.check(spec, replace, resolved),
      install: (routes) => {
        resolved.clear();
        return this.installBatch(routes);
      },
    });
  }

  listRoutes(filter: ListFilter): RouteView[] {
    const table = filter.table === 0 ? undefined : checkTable(filter.table, this.deps.tables, 'table');
    const families: Record<string, number | undefined> = { '': undefined, ipv4: 4, ipv6: 6 };
    if (!(filter.family in families)) throw invalid('family', `"${filter.family}"; expected "ipv4", "ipv6" or "" for both`);
    const family = families[filter.family];
    const protocol = filter.protocol === '' ? undefined : this.protocols.id(filter.protocol);
    if (filter.protocol !== '' && protocol === undefined) {
      throw invalid('protocol', `"${filter.protocol}" is neither a route protocol name (kernel, boot, static, xdp-router, ...) nor an id 0..255`);
    }
    const out: KernelRoute[] = [];
    for (const byId of this.deps.state.routes.values()) {
      for (const r of byId.values()) {
        if ((table === undefined || r.table === table) && (family === undefined || r.family === family) && (protocol === undefined || r.protocol === protocol)) {
          out.push(r);
        }
      }
    }
    return sortRoutes(out).map((r) => this.view(r));
  }

  async lookupRoute(address: string): Promise<LookupView> {
    const r = await this.lookup.lookup(address);
    return {
      ...(r.route ? { route: this.view(r.route) } : {}),
      ...(r.selected ? { selected: this.nexthopView(r.selected) } : {}),
      neighborMac: r.neighborMac,
      action: r.action,
    };
  }

  /** The current routes, then each change, as views; `ended` when the manager closes. */
  watchRoutes(
    listener: (change: { type: RouteChange['type']; route: RouteView }) => void,
    ended?: () => void,
  ): { snapshot: RouteView[]; close(): void } {
    const watch = this.feed.watch((c) => listener({ type: c.type, route: this.view(c.route) }), ended);
    return { snapshot: sortRoutes(watch.snapshot).map((r) => this.view(r)), close: () => watch.close() };
  }

  close(): void {
    this.applied.close();
    this.feed.close();
  }
}
