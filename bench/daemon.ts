// The product under test: `xdp-router run` as its own process on a
// namespace, with a config written for the run, stopped by SIGTERM as
// systemd would. Its peak resident memory comes from the kernel (VmHWM).
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLab, destroyLab, setKernelForwarding } from '../router/lab/topology.js';
import type { Lab } from '../router/lab/topology.js';
import { onInterrupt } from './cleanup.js';
import { CLI } from './paths.js';
import { sleep } from './progress.js';

export interface RouterDaemonOptions {
  /** the router's namespace and the interfaces to attach to */
  netns: string;
  interfaces: string[];
  /** more config (YAML lines), such as punt rules */
  extraConfig?: string;
  /** log messages (the "msg" field) start() waits for besides the attachments, such as "AF_XDP socket bound" */
  waitFor?: Array<{ msg: string; count: number }>;
  /** how long start() waits for all that */
  startTimeoutMs?: number;
}

export class RouterDaemon {
  private log = '';
  private release: () => void = () => undefined;

  private constructor(
    private child: ChildProcess,
    private readonly dir: string,
    readonly configFile: string,
    readonly pinDir: string,
  ) {
    this.listen();
  }

  private listen(): void {
    this.child.stdout!.on('data', (d: Buffer) => (this.log += d.toString()));
    this.child.stderr!.on('data', (d: Buffer) => (this.log += d.toString()));
  }

  /** Start the daemon; resolves once it has attached to every interface. */
  static async start(options: RouterDaemonOptions): Promise<RouterDaemon> {
    const dir = mkdtempSync(join(tmpdir(), 'xrb-daemon-'));
    const pinDir = `/sys/fs/bpf/${options.netns}`;
    const configFile = join(dir, 'config.yaml');
    writeFileSync(
      configFile,
      [
        `interfaces: [${options.interfaces.join(', ')}]`,
        `netns: ${options.netns}`,
        `pinDir: ${pinDir}`,
        'logLevel: info',
        'api:',
        '  unix:',
        `    path: ${dir}/api.sock`,
        'metrics:',
        // a port of its own, so a concurrent daemon (tests, the lab) does not collide
        `  listen: "127.0.0.1:${20000 + (process.pid % 20000)}"`,
        options.extraConfig ?? '',
        '',
      ].join('\n'),
    );
    const child = spawn('node', [CLI, 'run', '--config', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    const daemon = new RouterDaemon(child, dir, configFile, pinDir);
    daemon.release = onInterrupt(() => daemon.stop());
    const awaited = [{ msg: 'attached', count: options.interfaces.length }, { msg: 'API listening', count: 1 }, ...(options.waitFor ?? [])];
    await daemon.waitForLog(awaited, options.startTimeoutMs ?? 60_000);
    return daemon;
  }

  /** Resolves once the log holds each message as often as asked; stops the daemon and throws when it exits or time runs out. */
  private async waitForLog(awaited: Array<{ msg: string; count: number }>, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const seen = (msg: string): number => this.log.split(`"msg":"${msg}"`).length - 1;
    while (awaited.some((w) => seen(w.msg) < w.count)) {
      if (this.child.exitCode !== null || Date.now() > deadline) {
        await this.stop();
        throw new Error(`xdp-router run did not log ${awaited.map((w) => `${w.count} "${w.msg}"`).join(', ')} in time:\n${this.log}`);
      }
      await sleep(50);
    }
  }

  /**
   * kill -9, as a crash or the OOM killer would, then start again on the same
   * config: the new run adopts the attached program and the pinned maps.
   * Resolves with the milliseconds from the kill to the new run serving its
   * API with the fast path in sync.
   */
  async crashAndRestart(interfaces: number, timeoutMs = 60_000): Promise<number> {
    const started = performance.now();
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGKILL');
    await exited;
    this.log = '';
    this.child = spawn('node', [CLI, 'run', '--config', this.configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.listen();
    await this.waitForLog([{ msg: 'kept the program a previous run attached', count: interfaces }, { msg: 'API listening', count: 1 }], timeoutMs);
    return performance.now() - started;
  }

  /** the API's unix socket */
  get apiSocket(): string {
    return join(this.dir, 'api.sock');
  }

  get pid(): number {
    return this.child.pid!;
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

  output(): string {
    return this.log;
  }

  /** SIGTERM (clean stop: XDP detached, pins removed), SIGKILL after 20 s; then remove the config. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
      this.child.kill('SIGTERM');
      const killer = setTimeout(() => this.child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(this.dir, { recursive: true, force: true });
    rmSync(this.pinDir, { recursive: true, force: true });
    this.release();
  }
}

/**
 * The project's lab with kernel forwarding on and xdp-router running on its
 * router; fn gets both, and everything is removed after it (also on Ctrl-C).
 */
export async function withRouterLab<T>(prefix: string, fn: (lab: Lab, daemon: RouterDaemon) => Promise<T>): Promise<T> {
  const release = onInterrupt(() => destroyLab(prefix));
  const lab = await createLab(prefix);
  try {
    await setKernelForwarding(lab, true);
    const daemon = await RouterDaemon.start({ netns: lab.router.ns, interfaces: [lab.router.toA.dev, lab.router.toB.dev] });
    try {
      return await fn(lab, daemon);
    } finally {
      await daemon.stop();
    }
  } finally {
    await destroyLab(prefix);
    release();
  }
}
