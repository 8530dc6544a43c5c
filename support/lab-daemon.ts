// The namespace lab with xdp-router running on its router: what most
// end-to-end tests and the benchmarks start from. One call builds it, one
// dispose() takes all of it away, whatever state a failed test left.
import { connect, type ApiClients } from '../router/api/client.js';
import { FastPath } from '../dataplane/fastpath.js';
import { addon } from '../dataplane/native.js';
import { ip } from '../router/lab/netns.js';
import { createLab, destroyLab, setKernelForwarding } from '../router/lab/topology.js';
import type { Lab } from '../router/lab/topology.js';
import { RouterDaemon, writeDaemonConfig } from './daemon.js';
import type { DaemonConfig, LogWait } from './daemon.js';

export interface LabDaemonOptions {
  /** names the namespaces and the pins: xrt-<test>-<pid> for a test, xrb-<bench>-<pid> for a benchmark */
  prefix: string;
  /** the router's kernel forwarding; on unless false (hosts resolve neighbours through it) */
  kernelForwarding?: boolean;
  /** set-up between the lab and the daemon: addresses, sysctls, the kernel-alone half of a comparison */
  beforeDaemon?: (lab: Lab) => Promise<void>;
  /** config lines after the API's block: punt rules, a metrics port */
  extraConfig?: string;
  /** debug unless given: a failed test shows every event the daemon saw */
  logLevel?: 'debug' | 'info';
  /** log messages to wait for besides the attachments */
  waitFor?: LogWait[];
}

export interface LabDaemon {
  lab: Lab;
  config: DaemonConfig;
  daemon: RouterDaemon;
  /** the daemon's maps, adopted from their pins (read-only use); they outlive a crash and restart */
  fp: FastPath;
  /** a client of the daemon's API on its unix socket, made on first use */
  readonly api: ApiClients;
  /** Stop the daemon, take off what a killed one left attached, remove the config, the pins and the lab. */
  dispose(): Promise<void>;
}

/** Take off the program a killed daemon (or a failed test) left attached to the router's interfaces. */
async function detachLeftovers(lab: Lab): Promise<void> {
  for (const side of [lab.router.toA, lab.router.toB]) {
    if (addon.queryXdp(side.ifindex, `/run/netns/${lab.router.ns}`).mode !== 'none') await ip(['link', 'set', side.dev, 'xdp', 'off'], lab.router.ns);
  }
}

/** Undo in reverse order, every step even when one throws; rethrow the first failure. */
async function undoAll(steps: Array<() => unknown>): Promise<void> {
  let first: unknown;
  for (const step of steps.reverse()) {
    try {
      await step();
    } catch (err) {
      first ??= err;
    }
  }
  if (first !== undefined) throw first;
}

/** Build the lab, start the daemon on its router and open its maps; a failure part-way removes what was made. */
export async function startLabDaemon(options: LabDaemonOptions): Promise<LabDaemon> {
  const undo: Array<() => unknown> = [() => destroyLab(options.prefix)];
  try {
    const lab = await createLab(options.prefix);
    await setKernelForwarding(lab, options.kernelForwarding ?? true);
    await options.beforeDaemon?.(lab);
    const config = writeDaemonConfig({
      netns: lab.router.ns,
      interfaces: [lab.router.toA.dev, lab.router.toB.dev],
      logLevel: options.logLevel ?? 'debug',
      ...(options.extraConfig ? { extraConfig: options.extraConfig } : {}),
    });
    undo.push(() => config.remove());
    undo.push(() => detachLeftovers(lab));
    const daemon = await RouterDaemon.run(config, options.waitFor ? { waitFor: options.waitFor } : {});
    undo.push(() => daemon.stop());
    const fp = await FastPath.open({ netns: lab.router.ns, pinDir: config.pinDir, adoptOnly: true });
    undo.push(() => fp.close());
    let api: ApiClients | undefined;
    undo.push(() => api?.close());
    return {
      lab,
      config,
      daemon,
      fp,
      get api() {
        api ??= connect({ socket: config.apiSocket });
        return api;
      },
      dispose: () => undoAll(undo.splice(0)),
    };
  } catch (err) {
    await undoAll(undo).catch(() => undefined);
    throw err;
  }
}

/** fn on a lab with the daemon running; everything is removed after it. */
export async function withLabDaemon<T>(options: LabDaemonOptions, fn: (h: LabDaemon) => Promise<T>): Promise<T> {
  const h = await startLabDaemon(options);
  try {
    return await fn(h);
  } finally {
    await h.dispose();
  }
}
