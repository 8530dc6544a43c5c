// The API's request metrics, as a server interceptor: each call is counted
// once, when it ends, by service, method and final status, and its duration
// observed. Streams end with their final status (or CANCELLED when the client
// goes away), so a WatchRoutes counts when its watcher leaves. Health checks
// and reflection are counted too: they are calls the server answers, and a
// prober's rate or failures are worth seeing next to the API's own. The
// daemon's own warm-up calls at start (warm-up.ts) are not counted.
import * as grpc from '@grpc/grpc-js';
import { Counter, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';
import { WARM_UP_METADATA } from './warm-up.js';

/** From a status read (~100 µs) to a large AddRoutes stream (seconds); long-lived watches land in +Inf. */
const BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** "/pkg.Service/Method" as grpc-js names a call's method. */
function splitPath(path: string): { service: string; method: string } {
  const [, service = '', method = ''] = path.split('/');
  return { service, method };
}

export function metricsInterceptor(registry: Registry): grpc.ServerInterceptor {
  const requests = new Counter({
    name: 'xdp_router_grpc_requests_total',
    help: 'gRPC calls the API server finished, by service, method and status code (a stream counts once, when it ends)',
    labelNames: ['service', 'method', 'code'] as const,
    registers: [registry],
  });
  const durations = new Histogram({
    name: 'xdp_router_grpc_request_duration_seconds',
    help: 'Time from a gRPC call arriving to its final status, by service and method (a stream: its whole life)',
    labelNames: ['service', 'method'] as const,
    buckets: BUCKETS,
    registers: [registry],
  });

  return (definition, call) => {
    const labels = splitPath(definition.path);
    const started = performance.now();
    let ended = false;
    let warmUp = false;
    const end = (code: grpc.status): void => {
      if (ended || warmUp) return;
      ended = true;
      requests.inc({ ...labels, code: grpc.status[code] ?? String(code) });
      durations.observe(labels, (performance.now() - started) / 1000);
    };
    // grpc-js ends some calls itself, inside the call we are handed and
    // below any interceptor's responder: a deadline, a request too large or
    // undecodable. Watching the status where that call sends it sees those
    // too, which a responder would only see as a cancel.
    const sendStatus = call.sendStatus.bind(call);
    call.sendStatus = (status) => {
      end(status.code);
      sendStatus(status);
    };
    // grpc-js signals a cancel at the end of every call, after its status:
    // only a call that sent none (the client left) counts as CANCELLED
    return new grpc.ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMetadata: (metadata, pass) => {
            warmUp = metadata.get(WARM_UP_METADATA).length > 0;
            pass(metadata);
          },
          onCancel: () => end(grpc.status.CANCELLED),
        }),
    });
  };
}
