// A lost netlink event, for real: the daemon's event socket configured with
// a buffer of a few KiB (netlinkBufferBytes), the daemon stopped (SIGSTOP)
// while a burst of route changes from `ip -batch` arrives in the router's
// namespace, then let go. Nothing reads the socket meanwhile, so the kernel
// drops what the buffer cannot hold and says so (ENOBUFS) on the next read,
// whatever the machine's load: the reader reports it, the daemon resyncs,
// and the fast path ends in agreement with the kernel (`xdp-router verify`).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLabDaemon, type LabDaemon } from '../../support/lab-daemon.js';
import { cli, routeOf, within } from '../helpers/router.js';

const PREFIX = `xrt-ovr-${process.pid}`;
/** the smallest buffer the config takes (the kernel grants about that): a handful of route messages */
const TINY_BUFFER_BYTES = 4096;
const ROUTES6 = 3000;
const ROUTES4 = 250;

describe('a receive overrun on the event socket', () => {
  let h: LabDaemon | undefined;
  let dir: string | undefined;

  beforeAll(async () => {
    h = await startLabDaemon({ prefix: PREFIX, logLevel: 'info', extraConfig: `netlinkBufferBytes: ${TINY_BUFFER_BYTES}` });
  });

  afterAll(async () => {
    try {
      if (h?.daemon.running) process.kill(h.daemon.pid, 'SIGCONT');
      await h?.dispose();
    } finally {
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  });

  /** `xdp-router verify` in a process of its own: exit 0 once the maps equal the kernel's tables. */
  const verifies = async (): Promise<boolean> => (await cli(['verify', '--config', h!.config.file])).code === 0;

  it('the burst loses events, the daemon resyncs, and the fast path agrees with the kernel', async () => {
    const { lab, daemon, fp } = h!;
    dir = mkdtempSync(join(tmpdir(), 'xrt-ovr-'));
    const batch = join(dir, 'routes');
    writeFileSync(
      batch,
      [
        ...Array.from({ length: ROUTES6 }, (_, i) => `route add 2001:db8:f00d::${(i + 1).toString(16)}/128 via ${lab.b.v6}`),
        ...Array.from({ length: ROUTES4 }, (_, i) => `route add 203.0.113.${i + 1}/32 via ${lab.b.v4}`),
      ].join('\n') + '\n',
    );
    process.kill(daemon.pid, 'SIGSTOP');
    try {
      execFileSync('ip', ['-n', lab.router.ns, '-batch', batch]);
    } finally {
      process.kill(daemon.pid, 'SIGCONT');
    }
    await within(10_000, () => /"msg":"full resync".*ENOBUFS/.test(daemon.log()), 'a full resync after the overrun (ENOBUFS)');

    const last4 = `203.0.113.${ROUTES4}`;
    await within(20_000, async () => (await routeOf(fp, last4)) !== 'none' && daemon.log().includes('"msg":"resync done"'), 'the resync done');
    await within(30_000, verifies, 'xdp-router verify: fast path and kernel agree');
    expect(await routeOf(fp, `2001:db8:f00d::${ROUTES6.toString(16)}`)).not.toBe('none');
  });
});
