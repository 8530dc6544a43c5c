// More receive queues than the fast path's XSK map has slots: the slow path
// needs one AF_XDP socket per queue, so a daemon with punt rules refuses to
// start, naming the limit and the (interface, queue) pairs, before it has
// touched anything; the slow path on its own binds nothing either. Real
// veths with 40 queues each, 80 in all against 64 slots.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FastPath } from '../../dataplane/fastpath.js';
import { XSK_MAX } from '../../dataplane/layout.js';
import { addon } from '../../dataplane/native.js';
import { createNetns, deleteNetns, ifindexOf, ip, run } from '../../router/lab/netns.js';
import { createLogger } from '../../router/log.js';
import { SlowPath, SlowPathError } from '../../router/slowpath/service.js';
import { cli } from '../helpers/router.js';
import { freePort } from '../helpers/metrics.js';

const NS = `xrt-xskmax-${process.pid}`;
const PIN = `/sys/fs/bpf/${NS}`;
const QUEUES = 40;
const REFUSAL = new RegExp(
  `: ${2 * QUEUES}, for r0 queues 0-${QUEUES - 1}, r1 queues 0-${QUEUES - 1}; the fast path's XSK map has ${XSK_MAX} slots \\(XR_XSK_MAX\\), so r1 queues ${XSK_MAX - QUEUES}-${QUEUES - 1} would have none`,
);

describe('more receive queues than XSK map slots', () => {
  let dir: string;
  const ifindex: Record<string, number> = {};

  beforeAll(async () => {
    expect(2 * QUEUES).toBeGreaterThan(XSK_MAX);
    dir = mkdtempSync(join(tmpdir(), 'xrt-xskmax-'));
    await createNetns(NS);
    const q = ['numtxqueues', String(QUEUES), 'numrxqueues', String(QUEUES)];
    await ip(['link', 'add', 'r0', ...q, 'type', 'veth', 'peer', 'name', 'r1', ...q], NS);
    for (const dev of ['r0', 'r1']) {
      await run(['ethtool', '-K', dev, 'rxvlan', 'off'], NS);
      await ip(['link', 'set', dev, 'up'], NS);
      ifindex[dev] = await ifindexOf(NS, dev);
    }
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(PIN, { recursive: true, force: true });
    await deleteNetns(NS);
  });

  it('the daemon with a punt rule: exit 1, the limit and the pairs named, nothing touched', async () => {
    const file = join(dir, 'config.yaml');
    writeFileSync(file, `netns: ${NS}\npinDir: ${PIN}\ninterfaces: [r0, r1]\napi:\n  unix:\n    path: ${dir}/api.sock\nmetrics:\n  listen: "127.0.0.1:${await freePort()}"\npunt:\n  - prefix: 198.51.100.0/24\n`);
    const res = await cli(['run', '--config', file]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(REFUSAL);
    expect(res.stderr).not.toMatch(/"msg":"(attached|AF_XDP socket bound)"/);
    expect(existsSync(PIN)).toBe(false);
    for (const i of Object.values(ifindex)) expect(addon.queryXdp(i, `/run/netns/${NS}`).mode).toBe('none');
  });

  it('the slow path on its own: refused before the first socket, no XSKMAP slot taken', async () => {
    const fp = await FastPath.open({ netns: NS, punt: true });
    try {
      const slow = new SlowPath(fp, { netns: NS, interfaces: ['r0', 'r1'].map((name) => ({ name, ifindex: ifindex[name]! })), log: createLogger({ level: 'warn' }) });
      await expect(slow.start()).rejects.toThrow(SlowPathError);
      await expect(slow.start()).rejects.toThrow(REFUSAL);
      expect(slow.stats()).toEqual([]);
      expect(await fp.map('xr_xsk_slots').dump()).toEqual([]);
    } finally {
      fp.close();
    }
  });
});
