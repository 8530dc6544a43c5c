// What the API serves, made from a started daemon: route management over
// its reconciler and a route writer in its namespace, the status reader, and
// punt rules and capture over its fast path and slow path.
import { PuntManager } from '../punt/manager.js';
import { RouteManager } from '../routes/manager.js';
import { StatusReader } from '../status/reader.js';
import { interfaceName, type DaemonStatus } from '../status/view.js';
import { KernelRouteWriter } from '../sync/routes-writer.js';
import { VERSION } from '../version.js';
import type { ApiBackends } from './server.js';

export function openBackends(daemon: DaemonStatus): ApiBackends & { close(): void } {
  const { fp, reconciler, config } = daemon;
  if (!fp || !reconciler) throw new Error('the API needs a started daemon');
  const writer = new KernelRouteWriter(config.netns ? { netns: `/run/netns/${config.netns}` } : {});
  const routes = new RouteManager({
    state: reconciler.state,
    desired: reconciler.desired,
    onRoutesApplied: (listener) => reconciler.onRoutesApplied(listener),
    fullSyncRunning: () => reconciler.fullSyncRunning,
    mapsBehind: () => reconciler.mapsBehind,
    fp,
    writer,
    tables: config.tables,
    routeProtocol: config.routeProtocol,
  });
  const status = new StatusReader({
    daemon,
    fp,
    state: reconciler.state,
    desired: reconciler.desired,
    fastPathRoutes: () => reconciler.routeCount,
    tables: config.tables,
    routeProtocol: config.routeProtocol,
    netfilterMode: config.netfilter,
    version: VERSION,
    startedAt: Date.now() - process.uptime() * 1000,
  });
  const punt = new PuntManager({
    fp,
    slowPath: () => daemon.slowPath,
    interfaceName: (ifindex) => interfaceName(daemon, ifindex),
  });
  return {
    routes,
    status,
    punt,
    close() {
      routes.close();
      writer.close();
    },
  };
}
