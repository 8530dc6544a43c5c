// The systemd unit's capabilities are enough, and each one it keeps for a
// reason is needed: the daemon runs with exactly the unit's bounding set
// (forwarding in XDP and in the AF_XDP slow path, clean stop), and fails
// cleanly, naming the operation, without the capabilities it keeps.
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addon } from '../../dataplane/native.js';
import { createLab, destroyLab, setKernelForwarding } from '../../router/lab/topology.js';
import type { Lab } from '../../router/lab/topology.js';
import { RouterDaemon, writeDaemonConfig } from '../../support/daemon.js';
import type { DaemonConfig } from '../../support/daemon.js';
import { freePort } from '../helpers/metrics.js';
import { cli, within } from '../helpers/router.js';
import { ping } from '../../router/lab/traffic.js';

const PREFIX = `xrt-cap-${process.pid}`;

/** CapabilityBoundingSet of config/xdp-router.service, as setpriv's names (bpf, net_admin, ...). */
function unitCapabilities(): string[] {
  const unit = readFileSync(new URL('../../config/xdp-router.service', import.meta.url), 'utf8');
  const line = /^CapabilityBoundingSet=(.*)$/m.exec(unit);
  if (!line) throw new Error('config/xdp-router.service has no CapabilityBoundingSet line');
  return line[1]!.trim().split(/\s+/).map((c) => c.replace(/^CAP_/, '').toLowerCase());
}

/**
 * setpriv limiting the daemon to `caps`. CAP_IPC_LOCK stands in for the
 * unit's LimitMEMLOCK=infinity, which exempts the AF_XDP UMEM from
 * RLIMIT_MEMLOCK the same way: root on this machine lacks CAP_SYS_RESOURCE
 * and cannot raise the limit as systemd does.
 */
const limitedTo = (caps: string[]): string[] => ['setpriv', `--bounding-set=-all,${[...caps, 'ipc_lock'].map((c) => `+${c}`).join(',')}`];

describe('the systemd unit\'s capabilities', () => {
  let lab: Lab;
  let config: DaemonConfig;
  let daemon: RouterDaemon | undefined;
  const caps = unitCapabilities();

  beforeAll(async () => {
    lab = await createLab(PREFIX);
    await setKernelForwarding(lab, true);
    // the remote IPv4 prefix crosses the slow path, B's own address XDP
    config = writeDaemonConfig({ netns: lab.router.ns, extraConfig: `punt:\n  - prefix: ${lab.remote.prefix4}\n    protocol: icmp\nmetrics:\n  listen: "127.0.0.1:${await freePort()}"\n` });
  });

  afterAll(async () => {
    try {
      await daemon?.stop();
    } finally {
      config?.remove();
      await destroyLab(PREFIX);
    }
  });

  const puntedPackets = async (): Promise<number> => {
    const listed = await cli(['punt', 'list', '--config', config.file]);
    const packets = /(\d+) packets/.exec(listed.stdout)?.[1];
    if (packets === undefined) throw new Error(`xdp-router punt list gave no packet count: ${listed.stdout}${listed.stderr}`);
    return Number(packets);
  };

  const nothingLeft = (): void => {
    for (const dev of [lab.router.toA, lab.router.toB]) expect(addon.queryXdp(dev.ifindex, `/run/netns/${lab.router.ns}`).mode, dev.dev).toBe('none');
    expect(existsSync(config.pinDir)).toBe(false);
  };

  it('are the ones the README and the unit list', () => {
    expect(caps.sort()).toEqual(['bpf', 'net_admin', 'net_raw', 'perfmon', 'sys_admin']);
  });

  it('are enough: XDP and the slow path forward, and a stop is clean', async () => {
    const running = await RouterDaemon.run(config, { wrapper: limitedTo(caps) });
    daemon = running;
    try {
      await within(5000, () => running.log().includes('"msg":"slow path running"'), 'the slow path started');
      // neighbours are learnt while the kernel forwards; then what crosses, XDP or the slow path carried
      expect(await ping(lab.a.ns, lab.b.v4, 1)).toBe(1);
      expect(await ping(lab.a.ns, lab.remote.v4, 1)).toBe(1);
      await setKernelForwarding(lab, false);
      // the first ping may have crossed before B's neighbour entry reached the maps (the kernel's, then): count from here
      const puntedBefore = await puntedPackets();
      expect(await ping(lab.a.ns, lab.b.v4, 3)).toBe(3);
      expect(await ping(lab.a.ns, lab.remote.v4, 3)).toBe(3);
      // ... and the remote prefix's pings went through the AF_XDP sockets
      expect((await puntedPackets()) - puntedBefore).toBeGreaterThanOrEqual(3);
    } finally {
      await setKernelForwarding(lab, true);
      expect(await running.stop()).toBe(0);
      daemon = undefined;
    }
    expect(running.log()).not.toMatch(/"level":"error"/);
    expect(running.log()).toMatch(/"msg":"AF_XDP socket bound","interface":"r0"/);
    nothingLeft();
  });

  it('without CAP_IPC_LOCK, where the deep rings\' UMEM is beyond RLIMIT_MEMLOCK, the slow path binds 2048-frame rings and says so', async () => {
    // one socket (r0's; with r1 not driven, nothing is punted): 32 MiB of UMEM for 8192-frame rings, 8 MiB for 2048, and the limit 8 MiB
    const memlock = 8 * 2 ** 20;
    const shallow = writeDaemonConfig({ netns: lab.router.ns, interfaces: ['r0'], extraConfig: `punt:\n  - prefix: ${lab.remote.prefix4}\n    protocol: icmp\nmetrics:\n  listen: "127.0.0.1:${await freePort()}"\n` });
    try {
      const running = await RouterDaemon.run(shallow, { wrapper: ['prlimit', `--memlock=${memlock}:${memlock}`, 'setpriv', `--bounding-set=-all,${caps.map((c) => `+${c}`).join(',')}`] });
      daemon = running;
      try {
        await within(5000, () => running.log().includes('"msg":"slow path running"'), 'the slow path started');
        expect(running.log()).toMatch(/AF_XDP socket with 8192-frame rings beyond RLIMIT_MEMLOCK: using 2048/);
        expect(running.log()).toMatch(/"msg":"AF_XDP socket bound","interface":"r0","queue":0,"mode":"copy","ringFrames":2048/);
      } finally {
        expect(await running.stop()).toBe(0);
        daemon = undefined;
      }
      expect(running.log()).not.toMatch(/"level":"error"/);
    } finally {
      shallow.remove();
    }
  });

  for (const [drop, says] of [
    ['net_admin', /attach program 'xdp_router' to ifindex \d+ \(r0\).*Operation not permitted/],
    ['net_raw', /AF_XDP socket .*needs CAP_NET_RAW.*EPERM/],
    ['sys_admin', /enter network namespace .*EPERM/],
  ] as const) {
    it(`without CAP_${drop.toUpperCase()} the daemon stops at start, says why, and leaves nothing behind`, async () => {
      const res = await cli(['run', '--config', config.file], limitedTo(caps.filter((c) => c !== drop)));
      expect(res.code).toBe(1);
      expect(res.stderr).toMatch(says);
      nothingLeft();
    });
  }
});
