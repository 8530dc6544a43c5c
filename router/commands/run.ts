// `xdp-router run --config FILE`: the daemon in the foreground, as systemd
// runs it. SIGTERM and SIGINT stop it cleanly (XDP detached, pins removed),
// also when they come during the start.
import { Registry } from 'prom-client';
import type { RouterConfig } from '../../config/schema.js';
import { openBackends } from '../api/backends.js';
import { ApiServer } from '../api/server.js';
import { formatEndpoint } from '../../config/schema.js';
import { Daemon } from '../daemon.js';
import { createMetrics, serveMetrics } from '../metrics.js';
import { createLogger } from '../log.js';
import type { Logger } from '../log.js';
import { StopSignals } from './stop-signals.js';
import { isRunning, readPidFile, removePidFile, writePidFile } from './pidfile.js';

export interface RunHandle {
  daemon: Daemon;
  api: ApiServer;
  /** resolves when the daemon has stopped */
  stopped: Promise<void>;
  stop(): void;
}

/** Start the daemon; the handle's promise settles when a signal (or stop()) has stopped it. */
export async function startDaemon(config: RouterConfig, log: Logger = createLogger({ level: config.logLevel })): Promise<RunHandle> {
  const previous = readPidFile(config);
  if (previous !== undefined && previous !== process.pid && isRunning(previous)) {
    throw new Error(`another xdp-router (pid ${previous}) is running with this config; stop it first (xdp-router stop)`);
  }
  const signals = new StopSignals(log);
  try {
    const handle = await serve(config, log, signals);
    signals.started();
    return handle;
  } catch (err) {
    signals.release();
    throw err;
  }
}

/** The start proper, and the stop that follows the first signal or stop(). */
async function serve(config: RouterConfig, log: Logger, signals: StopSignals): Promise<RunHandle> {
  // one registry for /metrics: the API server, made before the daemon, counts its calls into it too
  const registry = new Registry();
  // listen first: a socket in use or a bad certificate stops us before the fast path is touched
  const api = await ApiServer.listen(config.api, log, registry);
  const daemon = new Daemon(config, log);
  // the metrics port too is taken before anything is touched
  const metrics = await serveMetrics(createMetrics(daemon, registry), config.metrics.listen).catch(async (err: Error) => {
    await api.close();
    throw new Error(`metrics: cannot listen on ${formatEndpoint(config.metrics.listen)} (config metrics.listen): ${err.message}`);
  });
  log.info('metrics served', { url: `http://${formatEndpoint(config.metrics.listen)}/metrics` });
  try {
    await daemon.start();
  } catch (err) {
    await new Promise((resolve) => metrics.close(resolve));
    await api.close();
    // what this run attached and pinned goes; what a previous run left stays
    await daemon.abortStart().catch((e: Error) => log.error('undoing the failed start', { err: e }));
    throw err;
  }
  // answered only now that the fast path is in sync with the kernel
  const backends = openBackends(daemon);
  api.serve(backends);

  writePidFile(config);
  const stopped = signals.requested
    .then(async () => {
      // watchers' streams end first, so the API's drain does not wait on them
      backends.close();
      await api.close();
      await new Promise((resolve) => metrics.close(resolve));
      await daemon.stop();
      removePidFile(config);
      log.info('stopped: XDP detached, the kernel forwards alone');
    })
    .finally(() => signals.release());
  return { daemon, api, stopped, stop: () => signals.request() };
}
