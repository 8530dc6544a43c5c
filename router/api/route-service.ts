// RouteService: protobuf in, RouteManager call, protobuf out. No route
// logic here (see router/routes/).
import type * as grpc from '@grpc/grpc-js';
import type { Logger } from '../log.js';
import { RequestError } from '../routes/errors.js';
import type { BulkItem } from '../routes/bulk-add.js';
import { APPLY_TIMEOUT_MS, type ChangeOptions } from '../routes/flow-control.js';
import type { RouteManager } from '../routes/manager.js';
import { decodeAddRoutesRequest } from './add-routes-decode.js';
import { replier, serviceError } from './errors.js';
import type { AddRoutesResponse } from './generated/xdprouter/v1/AddRoutesResponse.js';
import type { RouteEvent } from './generated/xdprouter/v1/RouteEvent.js';
import type { RouteServiceHandlers } from './generated/xdprouter/v1/RouteService.js';
import { nexthopToProto, routeToProto, specFromProto } from './translate.js';

/** A watcher this far behind is cut off rather than let the daemon's memory grow. */
const WATCH_BACKLOG = 100_000;

/** The call's deadline as a timeout for the wait on the fast path, and its cancellation as a signal. */
function changeOptions(call: grpc.ServerUnaryCall<unknown, unknown>): ChangeOptions {
  const abort = new AbortController();
  call.once('cancelled', () => abort.abort());
  const deadline = call.getDeadline();
  const ms = deadline instanceof Date ? deadline.getTime() - Date.now() : Number.isFinite(deadline) ? deadline - Date.now() : undefined;
  return { signal: abort.signal, ...(ms !== undefined && ms < APPLY_TIMEOUT_MS ? { timeoutMs: Math.max(0, ms) } : {}) };
}

/** RouteService's handlers; AddRoutes reads its messages as decodeAddRoutesRequest makes them (routeServiceDefinition). */
export type RouteServiceImplementation = Pick<RouteServiceHandlers, 'AddRoute' | 'DeleteRoute' | 'ListRoutes' | 'LookupRoute' | 'WatchRoutes'> & {
  AddRoutes: grpc.handleClientStreamingCall<BulkItem[], AddRoutesResponse>;
};

/** RouteService as the server registers it: AddRoutes' messages decoded straight into their routes, not into protobuf objects. */
export function routeServiceDefinition(generated: grpc.ServiceDefinition): grpc.ServiceDefinition {
  return { ...generated, AddRoutes: { ...generated.AddRoutes!, requestDeserialize: decodeAddRoutesRequest } };
}

export function routeService(routes: () => RouteManager, log: Logger): RouteServiceImplementation {
  const reply = replier(log);

  return {
    AddRoute(call, callback) {
      reply(callback, async () => {
        const view = await routes().addRoute(specFromProto(call.request.route), call.request.replace, changeOptions(call));
        return { route: routeToProto(view) };
      });
    },

    DeleteRoute(call, callback) {
      const r = call.request;
      reply(callback, async () => {
        await routes().deleteRoute({ prefix: r.prefix, table: r.table, force: r.force, ...(r._metric === 'metric' ? { metric: r.metric ?? 0 } : {}) }, changeOptions(call));
        return {};
      });
    },

    ListRoutes(call) {
      try {
        for (const view of routes().listRoutes(call.request)) call.write(routeToProto(view));
        call.end();
      } catch (err) {
        call.emit('error', serviceError(err));
      }
    },

    LookupRoute(call, callback) {
      reply(callback, async () => {
        const r = await routes().lookupRoute(call.request.address);
        return {
          ...(r.route ? { route: routeToProto(r.route) } : {}),
          ...(r.selected ? { selected: nexthopToProto(r.selected) } : {}),
          neighborMac: r.neighborMac,
          action: r.action,
        };
      });
    },

    WatchRoutes(call) {
      let watch: ReturnType<RouteManager['watchRoutes']>;
      let backlog = WATCH_BACKLOG;
      const send = (event: RouteEvent): void => {
        if (call.writableLength <= backlog) {
          call.write(event);
          return;
        }
        watch.close();
        call.emit('error', serviceError(new RequestError('RESOURCE_EXHAUSTED', `the watcher fell ${WATCH_BACKLOG} events behind; watch again`)));
      };
      try {
        watch = routes().watchRoutes(
          (c) => send({ type: c.type === 'added' ? 'TYPE_ADDED' : 'TYPE_DELETED', route: routeToProto(c.route) }),
          // the daemon stops: end the stream cleanly rather than cut it
          () => call.end(),
        );
      } catch (err) {
        call.emit('error', serviceError(err));
        return;
      }
      // the snapshot is written at once: it is already in memory
      backlog += watch.snapshot.length;
      for (const route of watch.snapshot) call.write({ type: 'TYPE_ADDED', route: routeToProto(route) });
      call.write({ type: 'TYPE_SNAPSHOT_DONE' });
      const stop = (): void => watch.close();
      call.once('cancelled', stop);
      call.once('close', stop);
    },

    AddRoutes(call, callback) {
      reply(callback, async () => {
        const result = await routes().addRoutes(call as AsyncIterable<BulkItem[]>);
        return {
          added: result.added,
          failed: result.failed,
          errors: result.errors.map((e) => ({ index: e.index, prefix: e.prefix, code: e.status, message: e.message })),
        };
      });
    },
  };
}
