// The running daemon's pid, next to its API socket, for `xdp-router stop`.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { RouterConfig } from '../../config/schema.js';

export function pidFilePath(config: RouterConfig): string {
  return join(dirname(config.api.unix.path), 'xdp-router.pid');
}

export function writePidFile(config: RouterConfig): void {
  const path = pidFilePath(config);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${process.pid}\n`);
}

export function readPidFile(config: RouterConfig): number | undefined {
  try {
    const pid = Number(readFileSync(pidFilePath(config), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function removePidFile(config: RouterConfig): void {
  rmSync(pidFilePath(config), { force: true });
}

export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
