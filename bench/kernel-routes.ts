// Many routes into a namespace's kernel FIB at once, through
// `ip -batch`: one process, one netlink socket, a line per route.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ip } from '../router/lab/netns.js';

/**
 * Run `ip -n NS -batch` over the given commands ("route add ..." lines).
 * Resolves once every line has been applied; rejects on the first failure.
 */
export async function ipBatch(ns: string, lines: string[]): Promise<void> {
  if (lines.length === 0) return;
  const dir = mkdtempSync(join(tmpdir(), 'xrb-batch-'));
  const file = join(dir, 'routes.batch');
  try {
    writeFileSync(file, `${lines.join('\n')}\n`);
    await ip(['-batch', file], ns);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** routes as `ip route add` takes them: "PREFIX via GATEWAY dev DEVICE [proto N]" */
export function addRoutes(ns: string, routes: string[]): Promise<void> {
  return ipBatch(
    ns,
    routes.map((r) => `route add ${r}`),
  );
}
