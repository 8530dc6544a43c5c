// Reading the router from a test: its command line, its maps (adopted from
// the pins of a daemon the test started), where they send an address, and
// polling until something holds.
import { spawn } from 'node:child_process';
import { Dir6 } from '../../dataplane/dir6.js';
import { FastPath } from '../../dataplane/fastpath.js';
import { CLI } from '../../support/daemon.js';

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

/** The IPv6 index's entry for an address (16 bytes), read from the mapped arrays as the program reads them. */
export function indexEntry6(fp: FastPath, addr: Uint8Array): number {
  return Dir6.read({ tbl24: new Uint32Array(fp.map('xr_fib6_tbl24').memory()), lines: new Uint32Array(fp.map('xr_fib6_lines').memory()) }, addr);
}
