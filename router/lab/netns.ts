// Thin wrappers over iproute2 for the lab and the tests: run a command in a
// named network namespace, create and remove namespaces.
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

export class CommandError extends Error {
  constructor(
    readonly command: string[],
    readonly stderr: string,
    readonly exitCode: number | null,
  ) {
    super(`\`${command.join(' ')}\` failed (exit ${exitCode}): ${stderr.trim()}`);
    this.name = 'CommandError';
  }
}

/** Run a command, in a namespace when ns is given; resolve with stdout. */
export async function run(argv: string[], ns?: string): Promise<string> {
  const full = ns ? ['ip', 'netns', 'exec', ns, ...argv] : argv;
  try {
    const { stdout } = await execFileP(full[0]!, full.slice(1), { maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; code?: number | string };
    throw new CommandError(full, e.stderr ?? String(err), typeof e.code === 'number' ? e.code : null);
  }
}

/** `ip ARGS` in a namespace. */
export function ip(args: string[], ns?: string): Promise<string> {
  return run(ns ? ['ip', '-n', ns, ...args] : ['ip', ...args]);
}

/** Start a long-running command in a namespace. */
export function spawnIn(ns: string, argv: string[], options: SpawnOptions = {}): ChildProcess {
  return spawn('ip', ['netns', 'exec', ns, ...argv], { stdio: ['ignore', 'pipe', 'pipe'], ...options });
}

export async function listNetns(): Promise<string[]> {
  const out = await run(['ip', 'netns', 'list']);
  return out
    .split('\n')
    .map((l) => l.split(' ')[0]!)
    .filter((n) => n.length > 0);
}

export async function createNetns(name: string): Promise<void> {
  await run(['ip', 'netns', 'add', name]);
  await ip(['link', 'set', 'lo', 'up'], name);
}

/** Remove a namespace; its veth ends go with it. Absent is fine. */
export async function deleteNetns(name: string): Promise<void> {
  if ((await listNetns()).includes(name)) await run(['ip', 'netns', 'del', name]);
}

export async function sysctl(ns: string, key: string, value: string | number): Promise<void> {
  await run(['sysctl', '-qw', `${key}=${value}`], ns);
}

export async function ifindexOf(ns: string, dev: string): Promise<number> {
  const out = await ip(['-j', 'link', 'show', 'dev', dev], ns);
  const links = JSON.parse(out) as Array<{ ifindex: number }>;
  return links[0]!.ifindex;
}

export async function macOf(ns: string, dev: string): Promise<string> {
  const out = await ip(['-j', 'link', 'show', 'dev', dev], ns);
  const links = JSON.parse(out) as Array<{ address: string }>;
  return links[0]!.address;
}
