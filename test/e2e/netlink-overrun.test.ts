// A lost netlink event, for real: the daemon's event socket opened with a
// buffer of a few KiB, then a burst of route changes from `ip -batch` in the
// router's namespace. The kernel drops what the buffer cannot hold and says
// so (ENOBUFS); the reader reports it, the daemon resyncs, and the fast path
// ends in agreement with the kernel (`xdp-router verify`). The daemon runs in
// this process so that its source can be given the small buffer.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../router/commands/load-config.js';
import { Daemon } from '../../router/daemon.js';
import { createLab, destroyLab, setKernelForwarding, type Lab } from '../../router/lab/topology.js';
import { createLogger } from '../../router/log.js';
import { NetlinkSource } from '../../router/sync/netlink.js';
import { writeDaemonConfig, type DaemonConfig } from '../../support/daemon.js';
import { cli, routeOf, within } from '../helpers/router.js';
import { freePort } from '../helpers/metrics.js';

const PREFIX = `xrt-ovr-${process.pid}`;
/** the smallest buffer the kernel grants is about this: a handful of route messages */
const TINY_BUFFER_BYTES = 4096;
const ROUTES6 = 3000;
const ROUTES4 = 250;

describe('a receive overrun on the event socket', () => {
  let lab: Lab | undefined;
  let config: DaemonConfig | undefined;
  let daemon: Daemon | undefined;
  let dir: string | undefined;
  const logged: string[] = [];

  beforeAll(async () => {
    lab = await createLab(PREFIX);
    await setKernelForwarding(lab, true);
    config = writeDaemonConfig({
      netns: lab.router.ns,
      interfaces: [lab.router.toA.dev, lab.router.toB.dev],
      logLevel: 'debug',
      extraConfig: `metrics:\n  listen: "127.0.0.1:${await freePort()}"\n`,
    });
    const routerConfig = loadConfig(config.file);
    const log = createLogger({ level: 'info', json: true, stream: { write: (line: string) => logged.push(line) } });
    daemon = new Daemon(routerConfig, log);
    const source = new NetlinkSource({ netns: `/run/netns/${lab.router.ns}`, tables: routerConfig.tables, eventBufferBytes: TINY_BUFFER_BYTES });
    await daemon.start(source);
  });

  afterAll(async () => {
    try {
      await daemon?.stop();
    } finally {
      if (dir) rmSync(dir, { recursive: true, force: true });
      config?.remove();
      await destroyLab(PREFIX);
    }
  });

  /** `xdp-router verify` in a process of its own: exit 0 once the maps equal the kernel's tables. */
  const verifies = async (): Promise<boolean> => (await cli(['verify', '--config', config!.file])).code === 0;

  it('the burst loses events, the daemon resyncs, and the fast path agrees with the kernel', async () => {
    const l = lab!;
    dir = mkdtempSync(join(tmpdir(), 'xrt-ovr-'));
    const batch = join(dir, 'routes');
    writeFileSync(
      batch,
      [
        ...Array.from({ length: ROUTES6 }, (_, i) => `route add 2001:db8:f00d::${(i + 1).toString(16)}/128 via ${l.b.v6}`),
        ...Array.from({ length: ROUTES4 }, (_, i) => `route add 203.0.113.${i + 1}/32 via ${l.b.v4}`),
      ].join('\n') + '\n',
    );
    const before = daemon!.resyncs;
    // the JS thread waits here; the reader thread cannot drain a few KiB as fast as ip fills it
    execFileSync('ip', ['-n', l.router.ns, '-batch', batch]);
    await within(10_000, () => daemon!.resyncs > before, 'a resync after the overrun');
    expect(logged.join('')).toMatch(/"msg":"full resync".*ENOBUFS/);

    const last4 = `203.0.113.${ROUTES4}`;
    await within(20_000, async () => (await routeOf(daemon!.fp!, last4)) !== 'none' && logged.some((line) => line.includes('"msg":"resync done"')), 'the resync done');
    await within(30_000, verifies, 'xdp-router verify: fast path and kernel agree');
    expect(await routeOf(daemon!.fp!, `2001:db8:f00d::${ROUTES6.toString(16)}`)).not.toBe('none');
  });
});
