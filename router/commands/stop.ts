// `xdp-router stop --config FILE`: SIGTERM to the running daemon, then wait
// until it has detached and exited.
import type { RouterConfig } from '../../config/schema.js';
import { isRunning, readPidFile } from './pidfile.js';

export async function stopDaemon(config: RouterConfig, timeoutMs = 15_000): Promise<number> {
  const pid = readPidFile(config);
  if (pid === undefined || !isRunning(pid)) throw new Error('no xdp-router is running with this config (no live pid file)');
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (isRunning(pid)) {
    if (Date.now() > deadline) throw new Error(`xdp-router (pid ${pid}) did not stop within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return pid;
}
