// A client of the API: the command line's, the tests' and the benchmark's
// way in, over the unix socket or TCP (TLS, or plain text on loopback).
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';
import { loadApi } from './proto.js';
import type { PuntServiceClient } from './generated/xdprouter/v1/PuntService.js';
import type { RouteServiceClient } from './generated/xdprouter/v1/RouteService.js';
import type { StatusServiceClient } from './generated/xdprouter/v1/StatusService.js';

export interface ClientTarget {
  /** a unix socket path */
  socket?: string;
  /** host:port over TCP */
  server?: string;
  /** PEM files: the CA that signed the server's certificate, and this client's own certificate and key */
  tls?: { ca?: string; cert?: string; key?: string };
}

export interface HealthClient extends grpc.Client {
  check(request: { service: string }, callback: grpc.requestCallback<{ status: string }>): grpc.ClientUnaryCall;
}

export interface ApiClients {
  routes: RouteServiceClient;
  status: StatusServiceClient;
  punt: PuntServiceClient;
  health: HealthClient;
  close(): void;
}

function credentials(target: ClientTarget): grpc.ChannelCredentials {
  if (!target.tls) return grpc.credentials.createInsecure();
  const read = (path: string | undefined): Buffer | null => (path === undefined ? null : readFileSync(path));
  return grpc.credentials.createSsl(read(target.tls.ca), read(target.tls.key), read(target.tls.cert));
}

export function connect(target: ClientTarget): ApiClients {
  const address = target.server ?? `unix:${target.socket ?? '/run/xdp-router/xdp-router.sock'}`;
  const creds = credentials(target);
  const { api } = loadApi();
  // grpc-js keeps the messages of a client stream for retries and slices that
  // buffer on every message sent: its default 1 MiB makes a long AddRoutes
  // stream quadratic (100,000 routes: 6 s instead of 1 s in grpc-js alone)
  const routes = new api.RouteService(address, creds, { 'grpc.per_rpc_retry_buffer_size': 8192 });
  // one channel for all of them: the clients share it
  const channelOverride = routes.getChannel();
  const status = new api.StatusService(address, creds, { channelOverride });
  const punt = new api.PuntService(address, creds, { channelOverride });
  const Health = grpc.makeGenericClientConstructor(healthService, 'Health') as unknown as new (...a: ConstructorParameters<typeof grpc.Client>) => HealthClient;
  const health = new Health(address, creds, { channelOverride });
  return {
    routes,
    status,
    punt,
    health,
    close() {
      routes.close();
    },
  };
}

/** A unary call as a promise: `unary<R>((cb) => client.Method(req, cb))`. */
export function unary<T>(invoke: (callback: grpc.requestCallback<T>) => unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    invoke((err, value) => (err ? reject(err) : resolve(value as T)));
  });
}

/** Every message of a server stream. */
export function collect<T>(stream: grpc.ClientReadableStream<T>): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const out: T[] = [];
    stream.on('data', (m: T) => out.push(m));
    stream.on('error', reject);
    stream.on('end', () => resolve(out));
  });
}
