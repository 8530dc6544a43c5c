// The API server: RouteService, StatusService and PuntService, grpc.health.v1 and server
// reflection, on the unix socket and the optional TCP listener. It listens
// before the daemon starts, so a bad listen stops the daemon before it
// touches anything; until serve() it answers UNAVAILABLE and health says
// NOT_SERVING.
import { rmSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation, protoPath as healthProtoPath } from 'grpc-health-check';
import type { Registry } from 'prom-client';
import { formatEndpoint, type ApiConfig } from '../../config/schema.js';
import type { Logger } from '../log.js';
import type { PuntManager } from '../punt/manager.js';
import type { RouteManager } from '../routes/manager.js';
import type { StatusReader } from '../status/reader.js';
import { notReady } from './errors.js';
import { ApiListenError, prepareUnixSocket, tcpCredentials } from './listen.js';
import { metricsInterceptor } from './metrics-interceptor.js';
import { LOADER_OPTIONS, MAX_MESSAGE_BYTES, SERVICE_NAMES, loadApi } from './proto.js';
import { capturePackets, puntService } from './punt-service.js';
import { routeService, routeServiceDefinition } from './route-service.js';
import { statusService } from './status-service.js';
import { warmUp } from './warm-up.js';

export { ApiListenError };

export interface ApiBackends {
  routes: RouteManager;
  status: StatusReader;
  punt: PuntManager;
}

/** How long a stop waits for calls in progress before it cuts them. */
const DRAIN_MS = 2000;

function bind(server: grpc.Server, address: string, credentials: grpc.ServerCredentials): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(address, credentials, (err, port) => (err ? reject(new ApiListenError(`cannot listen on ${address}: ${err.message}`)) : resolve(port)));
  });
}

export class ApiServer {
  private backends: ApiBackends | undefined;
  private readonly health: HealthImplementation;
  private warming: Promise<void> | undefined;

  private constructor(
    private readonly server: grpc.Server,
    private readonly config: ApiConfig,
    private readonly log: Logger,
  ) {
    this.health = new HealthImplementation(Object.fromEntries(['', ...SERVICE_NAMES].map((s) => [s, 'NOT_SERVING'])));
  }

  /**
   * Listen as configured; throws ApiListenError with the config key at fault.
   * Calls are counted into `metrics`, the registry /metrics serves.
   */
  static async listen(config: ApiConfig, log: Logger, metrics: Registry): Promise<ApiServer> {
    const tcpCreds = config.tcp ? tcpCredentials(config.tcp) : undefined;
    const server = new grpc.Server({
      'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
      interceptors: [metricsInterceptor(metrics)],
    });
    const api = new ApiServer(server, config, log);
    api.addServices();
    const finishSocket = await prepareUnixSocket(config.unix);
    try {
      await bind(server, `unix:${config.unix.path}`, grpc.ServerCredentials.createInsecure());
      finishSocket();
      if (config.tcp && tcpCreds) {
        const port = await bind(server, formatEndpoint(config.tcp.listen), tcpCreds);
        log.info('API listening on TCP', { address: formatEndpoint({ ...config.tcp.listen, port }), tls: !!config.tcp.tls, clientCertificates: !!config.tcp.tls?.clientCa });
      }
    } catch (err) {
      server.forceShutdown();
      rmSync(config.unix.path, { force: true });
      throw err;
    }
    log.info('API listening', { socket: config.unix.path, mode: `0${config.unix.mode.toString(8)}` });
    return api;
  }

  private backend(): ApiBackends {
    if (!this.backends) throw notReady();
    return this.backends;
  }

  private addServices(): void {
    const { api, definition } = loadApi();
    this.server.addService(routeServiceDefinition(api.RouteService.service), routeService(() => this.backend().routes, this.log));
    const punt = (): PuntManager => this.backend().punt;
    this.server.addService(api.StatusService.service, { ...statusService(() => this.backend().status, this.log), CapturePackets: capturePackets(punt) });
    this.server.addService(api.PuntService.service, puntService(punt, this.log));
    this.health.addToServer(this.server);
    // reflection describes the health service too, for grpcurl and friends
    const health = protoLoader.loadSync(healthProtoPath, LOADER_OPTIONS);
    new ReflectionService({ ...definition, ...health }).addToServer(this.server);
  }

  /** The daemon is in sync: answer calls, and make the status methods' first calls (warm-up.ts). */
  serve(backends: ApiBackends): void {
    this.backends = backends;
    for (const s of ['', ...SERVICE_NAMES]) this.health.setStatus(s, 'SERVING');
    this.warming = warmUp(this.config.unix.path, this.log);
  }

  /** Stop answering (health NOT_SERVING), let calls in progress finish briefly, remove the socket. */
  async close(): Promise<void> {
    for (const s of ['', ...SERVICE_NAMES]) this.health.setStatus(s, 'NOT_SERVING');
    this.backends = undefined;
    await this.warming;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, DRAIN_MS);
      this.server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    rmSync(this.config.unix.path, { force: true });
  }
}
