// Run the real daemon (`xdp-router run`) as a separate process on a lab's
// router namespace, and read the maps it pinned.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FastPath } from '../../dataplane/fastpath.js';
import { addon } from '../../dataplane/native.js';
import { ip } from '../../router/lab/netns.js';
import { destroyLab, type Lab } from '../../router/lab/topology.js';

const CLI = join(__dirname, '..', '..', 'bin', 'xdp-router.js');

export interface DaemonProcess {
  child: ChildProcess;
  /** everything the daemon logged so far */
  log(): string;
}

/**
 * A port of the test's own for /metrics, below the ephemeral range: the
 * default (9469) may be held by a router or lab running on the machine.
 */
function metricsPortFor(prefix: string): number {
  let hash = 2166136261;
  for (const c of prefix) hash = Math.imul(hash ^ c.charCodeAt(0), 16777619) >>> 0;
  return 20000 + (hash % 10000);
}

/** A config for the lab's router, with test-specific pins, socket and metrics port (unless `extra` sets one). */
export function writeLabConfig(prefix: string, extra = ''): { file: string; pinDir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'xrt-cfg-'));
  const pinDir = `/sys/fs/bpf/${prefix}`;
  const file = join(dir, 'config.yaml');
  writeFileSync(
    file,
    [
      'interfaces: [r0, r1]',
      `netns: ${prefix}-r`,
      `pinDir: ${pinDir}`,
      'logLevel: debug',
      ...(/^metrics:/m.test(extra) ? [] : ['metrics:', `  listen: "127.0.0.1:${metricsPortFor(prefix)}"`]),
      'api:',
      '  unix:',
      `    path: ${dir}/xdp-router.sock`,
      extra,
    ].join('\n'),
  );
  return {
    file,
    pinDir,
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
      rmSync(pinDir, { recursive: true, force: true });
    },
  };
}

/** Run a CLI command to completion; `wrapper` goes in front of node (prlimit, setpriv...). */
export function cli(args: string[], wrapper: string[] = []): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const [command, ...rest] = [...wrapper, 'node', CLI, ...args];
    const child = spawn(command!, rest, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Start `xdp-router run` (behind `wrapper`, if any) and wait until it has attached to every interface. */
export async function startDaemonProcess(configFile: string, interfaces = 2, wrapper: string[] = []): Promise<DaemonProcess> {
  const [command, ...rest] = [...wrapper, 'node', CLI, 'run', '--config', configFile];
  const child = spawn(command!, rest, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  const deadline = Date.now() + 20_000;
  const ready = (): boolean =>
    (log.match(/"msg":"(attached|kept the program a previous run attached)"/g) ?? []).length >= interfaces;
  while (!ready()) {
    if (child.exitCode !== null) throw new Error(`xdp-router run exited with ${child.exitCode}:\n${log}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`xdp-router run did not attach within 20 s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, log: () => log };
}

export async function stopProcess(d: DaemonProcess | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  // gone already (exited, or killed by a signal, which leaves exitCode null): its 'exit' will not come again
  if (!d || d.child.exitCode !== null || d.child.signalCode !== null) return d?.child.exitCode ?? null;
  const exited = new Promise<number | null>((resolve) => d.child.once('exit', (code) => resolve(code)));
  d.child.kill(signal);
  return exited;
}

/** The daemon's maps, adopted from their pins (read-only use). */
export function openPinned(ns: string, pinDir: string): Promise<FastPath> {
  return FastPath.open({ netns: ns, pinDir, adoptOnly: true });
}

/** Poll until check() holds; resolves with the milliseconds it took, rejects after timeoutMs. */
export async function within(timeoutMs: number, check: () => boolean | Promise<boolean>, what: string): Promise<number> {
  const start = performance.now();
  for (;;) {
    if (await check()) return performance.now() - start;
    if (performance.now() - start > timeoutMs) throw new Error(`${what}: not seen within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Where the fast path sends an address: "IFINDEX/GATEWAY", the members of a group, a route type, or "none". */
export async function routeOf(fp: FastPath, address: string): Promise<string> {
  const t = fp.lookupRoute(address);
  if (!t) return 'none';
  if (t.type !== 'unicast') return t.type;
  const show = (id: number): string => {
    const nh = fp.nexthop(id);
    return `${nh?.ifindex}/${nh?.gateway ?? 'onlink'}`;
  };
  if ('nexthop' in t) return show(t.nexthop);
  return (fp.group(t.group) ?? []).map((m) => show(m.nexthop)).join(' ');
}

/**
 * The end of a lab test: stop the daemon, take off the program a killed
 * daemon or a failed test left attached, remove the config and the lab.
 */
export async function tearDownLab(prefix: string, lab: Lab | undefined, config: { cleanup(): void } | undefined, daemon: DaemonProcess | undefined): Promise<void> {
  try {
    await stopProcess(daemon);
    for (const side of [lab?.router.toA, lab?.router.toB]) {
      if (side && addon.queryXdp(side.ifindex, `/run/netns/${lab!.router.ns}`).mode !== 'none') await ip(['link', 'set', side.dev, 'xdp', 'off'], lab!.router.ns);
    }
  } finally {
    config?.cleanup();
    await destroyLab(prefix);
  }
}

