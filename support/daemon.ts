// The product under test and under measurement: `xdp-router run` as its own
// process on a lab's router namespace, with a config written for the run,
// stopped by SIGTERM as systemd would. Its peak resident memory comes from
// the kernel (VmHWM).
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../dataplane/package-root.js';
import { DAEMON_NODE_FLAGS } from '../router/node-flags.js';

export const CLI = join(packageRoot(import.meta.url), 'bin', 'xdp-router.js');

/** How long a stop waits for the daemon's own clean stop before SIGKILL. */
const STOP_GRACE_MS = 20_000;
/** How long start() waits for the daemon to drive its interfaces (a loaded machine takes its time). */
const START_TIMEOUT_MS = 60_000;
/** The log lines of a daemon that drives an interface: attached now, or adopted from a killed run. */
const DRIVING = /"msg":"(attached|kept the program a previous run attached)"/g;

export interface DaemonConfigOptions {
  /** the router's namespace */
  netns: string;
  /** the interfaces to attach to; r0 and r1, the lab's, unless given */
  interfaces?: string[];
  /** /sys/fs/bpf/<netns> unless given */
  pinDir?: string;
  /** info, as in service (what the benchmarks measure), unless given */
  logLevel?: 'debug' | 'info';
  /**
   * More config (YAML lines) after the API's `api:` block, such as punt
   * rules; one with its own `metrics:` section replaces the default port.
   */
  extraConfig?: string;
}

export interface DaemonConfig {
  file: string;
  pinDir: string;
  /** the API's unix socket, beside the file */
  apiSocket: string;
  interfaces: string[];
  /** Remove the file and, since a killed daemon leaves them, the pins. */
  remove(): void;
}

/**
 * A port for /metrics below the ephemeral range, of this namespace's own:
 * the default (9469) may be held by a router or lab running on the machine.
 */
function metricsPortFor(netns: string): number {
  let hash = 2166136261;
  for (const c of netns) hash = Math.imul(hash ^ c.charCodeAt(0), 16777619) >>> 0;
  return 20000 + (hash % 10000);
}

/** A config in a directory of its own (the API socket goes there too). */
export function writeDaemonConfig(options: DaemonConfigOptions): DaemonConfig {
  const dir = mkdtempSync(join(tmpdir(), 'xr-daemon-'));
  const interfaces = options.interfaces ?? ['r0', 'r1'];
  const pinDir = options.pinDir ?? `/sys/fs/bpf/${options.netns}`;
  const apiSocket = join(dir, 'xdp-router.sock');
  const extra = options.extraConfig ?? '';
  const file = join(dir, 'config.yaml');
  writeFileSync(
    file,
    [
      `interfaces: [${interfaces.join(', ')}]`,
      `netns: ${options.netns}`,
      `pinDir: ${pinDir}`,
      `logLevel: ${options.logLevel ?? 'info'}`,
      ...(/^metrics:/m.test(extra) ? [] : ['metrics:', `  listen: "127.0.0.1:${metricsPortFor(options.netns)}"`]),
      'api:',
      '  unix:',
      `    path: ${apiSocket}`,
      extra,
      '',
    ].join('\n'),
  );
  return {
    file,
    pinDir,
    apiSocket,
    interfaces,
    remove() {
      rmSync(dir, { recursive: true, force: true });
      rmSync(pinDir, { recursive: true, force: true });
    },
  };
}

/** A log message (its "msg" field) that start() waits to see `count` times. */
export interface LogWait {
  msg: string;
  count: number;
}

export interface StartOptions {
  /** messages to wait for besides driving every interface, such as "AF_XDP socket bound" */
  waitFor?: LogWait[];
  /** commands in front of node: prlimit, setpriv... */
  wrapper?: string[];
  /** how long the start may take; a full table's adoption takes minutes (60 s unless given) */
  startTimeoutMs?: number;
}

/** Daemons not stopped yet, for an interrupted run to stop before it removes their labs. */
const running = new Set<RouterDaemon>();

export class RouterDaemon {
  private child: ChildProcess;
  private logText = '';

  private constructor(
    readonly config: DaemonConfig,
    /** whether stop() removes the config, which start() wrote for this daemon alone */
    private readonly ownsConfig: boolean,
    private readonly options: StartOptions,
  ) {
    this.child = this.spawn();
  }

  /** Write a config for this daemon alone, start it, and wait until it drives every interface; stop() removes the config. */
  static start(options: DaemonConfigOptions & StartOptions): Promise<RouterDaemon> {
    return RouterDaemon.launch(writeDaemonConfig(options), true, options);
  }

  /** Start a daemon on a config the caller keeps (and removes), and wait until it drives every interface. */
  static run(config: DaemonConfig, options: StartOptions = {}): Promise<RouterDaemon> {
    return RouterDaemon.launch(config, false, options);
  }

  private static async launch(config: DaemonConfig, ownsConfig: boolean, options: StartOptions): Promise<RouterDaemon> {
    const daemon = new RouterDaemon(config, ownsConfig, options);
    running.add(daemon);
    await daemon.untilDriving(options.waitFor ?? []);
    return daemon;
  }

  private spawn(): ChildProcess {
    const [command, ...args] = [...(this.options.wrapper ?? []), 'node', ...DAEMON_NODE_FLAGS, CLI, 'run', '--config', this.config.file];
    const child = spawn(command!, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d: Buffer) => (this.logText += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (this.logText += d.toString()));
    return child;
  }

  /** Resolves once the daemon drives every interface and has logged each awaited message; stops it and throws when it exits or time runs out. */
  private async untilDriving(awaited: LogWait[]): Promise<void> {
    const timeoutMs = this.options.startTimeoutMs ?? START_TIMEOUT_MS;
    const deadline = Date.now() + timeoutMs;
    const seen = (msg: string): number => this.logText.split(`"msg":"${msg}"`).length - 1;
    const ready = (): boolean => (this.logText.match(DRIVING) ?? []).length >= this.config.interfaces.length && awaited.every((w) => seen(w.msg) >= w.count);
    while (!ready()) {
      if (this.exited()) {
        await this.stop();
        throw new Error(`xdp-router run exited with ${this.child.exitCode ?? this.child.signalCode} before it drove ${this.config.interfaces.join(', ')}:\n${this.logText}`);
      }
      if (Date.now() > deadline) {
        await this.stop();
        const wanted = [`${this.config.interfaces.length} interfaces driven`, ...awaited.map((w) => `${w.count} "${w.msg}"`)].join(', ');
        throw new Error(`xdp-router run did not log ${wanted} within ${timeoutMs} ms:\n${this.logText}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  private exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /** Whether this run is still alive (a crash, a stop or a failed restart ends it). */
  get running(): boolean {
    return !this.exited();
  }

  /** kill -9, as a crash or the OOM killer would: XDP stays attached and the maps pinned. */
  async crash(): Promise<void> {
    if (this.exited()) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGKILL');
    await exited;
  }

  /** Start again on the same config (after a crash or a stop); resolves once the new run drives every interface. */
  async restart(): Promise<void> {
    if (this.running) throw new Error(`xdp-router (pid ${this.pid}) still runs: crash() or stop() it before restart()`);
    this.logText = '';
    this.child = this.spawn();
    running.add(this);
    await this.untilDriving([]);
  }

  /**
   * kill -9, then start again on the same config: the new run adopts the
   * attached program and the pinned maps. Resolves with the milliseconds
   * from the kill to the new run driving every interface with the fast path
   * in sync.
   */
  async crashAndRestart(): Promise<number> {
    const started = performance.now();
    await this.crash();
    await this.restart();
    return performance.now() - started;
  }

  get configFile(): string {
    return this.config.file;
  }

  get pinDir(): string {
    return this.config.pinDir;
  }

  get apiSocket(): string {
    return this.config.apiSocket;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Everything this run logged so far. */
  log(): string {
    return this.logText;
  }

  /** The daemon's resident set now (VmRSS), bytes. */
  rss(): number {
    return this.status('VmRSS');
  }

  /** The daemon's peak resident set so far (VmHWM), bytes. */
  peakRss(): number {
    return this.status('VmHWM');
  }

  private status(field: 'VmRSS' | 'VmHWM'): number {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${this.pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : NaN;
  }

  /**
   * Send `signal` (a clean stop: XDP detached, pins removed), SIGKILL after
   * 20 s; remove the config if start() wrote it. Resolves with the exit
   * code, null when a signal ended the run (this one or an earlier one).
   */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    running.delete(this);
    let code = this.child.exitCode;
    if (!this.exited()) {
      const exited = new Promise<number | null>((resolve) => this.child.once('exit', (c) => resolve(c)));
      this.child.kill(signal);
      const killer = setTimeout(() => this.child.kill('SIGKILL'), STOP_GRACE_MS);
      code = await exited;
      clearTimeout(killer);
    }
    if (this.ownsConfig) this.config.remove();
    return code;
  }
}

/** Stop every daemon not stopped yet: what an interrupted benchmark does before it removes its labs. */
export async function stopEveryDaemon(): Promise<void> {
  await Promise.all([...running].map((d) => d.stop()));
}
