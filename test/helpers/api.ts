// The daemon's API from a test: helpers that turn calls into promises and
// refusals into their status (the client itself: LabDaemon.api).
import * as grpc from '@grpc/grpc-js';
import { unary, type ApiClients } from '../../router/api/client.js';
import type { AddRouteRequest } from '../../router/api/generated/xdprouter/v1/AddRouteRequest.js';
import type { AddRoutesResponse__Output } from '../../router/api/generated/xdprouter/v1/AddRoutesResponse.js';
import { loadApi } from '../../router/api/proto.js';
import type { Route__Output } from '../../router/api/generated/xdprouter/v1/Route.js';
import { ip } from '../../router/lab/netns.js';

export { collect, unary } from '../../router/api/client.js';

/** The status name and message of a refused call ('OK' when it was not refused). */
export async function refusal(call: Promise<unknown>): Promise<{ code: string; details: string }> {
  try {
    await call;
    return { code: 'OK', details: '' };
  } catch (err) {
    const e = err as grpc.ServiceError;
    return { code: grpc.status[e.code] ?? String(e.code), details: e.details };
  }
}

export function addRoute(api: ApiClients, request: AddRouteRequest): Promise<{ route: Route__Output | null }> {
  return unary((cb) => api.routes.AddRoute(request, cb));
}

/**
 * AddRoutes as a client built on the API before messages of many routes
 * sends it: a stream of AddRouteRequest, serialized as AddRouteRequest
 * (the shape AddRoutesRequest keeps in its fields 1 and 2).
 */
export function addRoutesOfOldShape(socket: string, requests: AddRouteRequest[]): Promise<AddRoutesResponse__Output> {
  const service = loadApi().definition['xdprouter.v1.RouteService'] as grpc.ServiceDefinition;
  const oldShape = { ...service.AddRoutes!, requestSerialize: service.AddRoute!.requestSerialize };
  const Client = grpc.makeGenericClientConstructor({ AddRoutes: oldShape }, 'RouteService');
  const client = new Client(`unix:${socket}`, grpc.credentials.createInsecure()) as unknown as grpc.Client & {
    AddRoutes(callback: grpc.requestCallback<AddRoutesResponse__Output>): grpc.ClientWritableStream<AddRouteRequest>;
  };
  return new Promise<AddRoutesResponse__Output>((resolve, reject) => {
    const call = client.AddRoutes((err, res) => (err ? reject(err) : resolve(res!)));
    for (const r of requests) call.write(r);
    call.end();
  }).finally(() => client.close());
}

/** The kernel's routes of a namespace's mirrored table, as `ip -j route` lists them (both families). */
export async function kernelRoutes(ns: string): Promise<string> {
  const v4 = await ip(['-j', 'route', 'show', 'table', 'main'], ns);
  const v6 = await ip(['-j', '-6', 'route', 'show', 'table', 'main'], ns);
  return `${v4}\n${v6}`;
}

/** Messages of a server stream as they come, taken in order by what a test waits for. */
export function streamQueue<T>(stream: grpc.ClientReadableStream<T>): {
  until(match: (m: T) => boolean, timeoutMs?: number): Promise<T[]>;
  next(match: (m: T) => boolean, timeoutMs?: number): Promise<T>;
  cancel(): void;
} {
  const buffered: T[] = [];
  let wake: (() => void) | undefined;
  let failure: Error | undefined;
  let cancelled = false;
  stream.on('data', (m: T) => {
    buffered.push(m);
    wake?.();
  });
  stream.on('error', (err: Error) => {
    if (!cancelled) failure = err;
    wake?.();
  });
  const until = async (match: (m: T) => boolean, timeoutMs = 5000): Promise<T[]> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = buffered.findIndex(match);
      if (i >= 0) return buffered.splice(0, i + 1);
      if (failure) throw failure;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`stream: no matching message within ${timeoutMs} ms; got ${JSON.stringify(buffered).slice(0, 500)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  };
  return {
    until,
    next: async (match, timeoutMs) => (await until(match, timeoutMs)).at(-1)!,
    cancel() {
      cancelled = true;
      stream.cancel();
    },
  };
}
