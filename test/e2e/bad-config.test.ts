// A bad config stops `xdp-router run` before it touches anything: exit 2,
// a message naming the file and the key, no pins, no XDP program attached.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addon } from '../../dataplane/native.js';
import { createNetns, deleteNetns, ifindexOf, ip, run } from '../../router/lab/netns.js';
import { RouterDaemon } from '../../support/daemon.js';
import { freePort } from '../helpers/metrics.js';
import { cli } from '../helpers/router.js';

const NS = `xrt-cfg-${process.pid}`;
const PIN = `/sys/fs/bpf/${NS}`;
const base = (extra: string): string => `netns: ${NS}\npinDir: ${PIN}\n${extra}`;

const BAD: Array<{ name: string; text: string; says: RegExp }> = [
  { name: 'YAML syntax error', text: base('interfaces: [r0, r1\n'), says: /line|:\d+/ },
  { name: 'unknown key', text: base('interfaces: [r0]\nxdpmode: native\n'), says: /xdpmode.*xdpMode/ },
  { name: 'no interfaces', text: base('interfaces: []\n'), says: /interfaces/ },
  { name: 'duplicate interface', text: base('interfaces: [r0, r0]\n'), says: /interfaces\[1\]/ },
  { name: 'bad interface name', text: base('interfaces: ["eth/0"]\n'), says: /interfaces\[0\]/ },
  { name: 'bad XDP mode', text: base('interfaces: [r0]\nxdpMode: turbo\n'), says: /xdpMode.*auto/ },
  { name: 'pinDir outside bpffs', text: `netns: ${NS}\npinDir: /tmp/pins\ninterfaces: [r0]\n`, says: /pinDir.*\/sys\/fs\/bpf/ },
  { name: 'unknown table name', text: base('interfaces: [r0]\ntables: [mian]\n'), says: /tables\[0\]/ },
  { name: 'route protocol of BIRD', text: base('interfaces: [r0]\nrouteProtocol: 12\n'), says: /routeProtocol.*(bird|BIRD)/ },
  { name: 'TCP API without TLS', text: base('interfaces: [r0]\napi:\n  tcp:\n    listen: "0.0.0.0:50051"\n'), says: /api\.tcp/ },
  { name: 'insecure TCP off loopback', text: base('interfaces: [r0]\napi:\n  tcp:\n    listen: "192.0.2.1:50051"\n    insecure: true\n'), says: /loopback/ },
  { name: 'punt prefix with host bits', text: base('interfaces: [r0]\npunt:\n  - prefix: 198.51.100.1/24\n'), says: /punt\[0\]\.prefix/ },
  { name: 'string for a boolean', text: base('interfaces: [r0]\nreplaceForeignXdp: "yes"\n'), says: /replaceForeignXdp/ },
];

describe('bad config files stop the daemon before it touches anything', () => {
  let dir: string;
  let r0: number;
  /**
   * A config that gets as far as starting: its API socket (and so its pid
   * file) and its metrics port its own, not the defaults (/run/xdp-router/,
   * 9469) that a router or another checkout's README lab on this machine
   * may hold.
   */
  const startable = async (extra: string): Promise<string> =>
    base(`api:\n  unix:\n    path: ${dir}/xdp-router.sock\nmetrics:\n  listen: "127.0.0.1:${await freePort()}"\n${extra}`);
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'xrt-badcfg-'));
    await createNetns(NS);
    await ip(['link', 'add', 'r0', 'type', 'veth', 'peer', 'name', 'r1'], NS);
    // a veth strips VLAN tags by default, which the daemon refuses (tested below)
    await run(['ethtool', '-K', 'r0', 'rxvlan', 'off'], NS);
    await ip(['link', 'set', 'r0', 'up'], NS);
    r0 = await ifindexOf(NS, 'r0');
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(PIN, { recursive: true, force: true });
    await deleteNetns(NS);
  });

  for (const [i, c] of BAD.entries()) {
    it(`${c.name}: exit 2, the file and the key named, nothing touched`, async () => {
      const file = join(dir, `bad-${i}.yaml`);
      writeFileSync(file, c.text);
      const res = await cli(['run', '--config', file]);
      expect(res.code).toBe(2);
      expect(res.stderr).toContain(file);
      expect(res.stderr).toMatch(c.says);
      expect(existsSync(PIN)).toBe(false);
      expect(addon.queryXdp(r0, `/run/netns/${NS}`).mode).toBe('none');
    });
  }

  it('an interface that does not exist: exit 1, named, nothing touched', async () => {
    const file = join(dir, 'missing-if.yaml');
    writeFileSync(file, await startable('interfaces: [r0, eth9]\n'));
    const res = await cli(['run', '--config', file]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/eth9.*does not exist/);
    expect(existsSync(PIN)).toBe(false);
    expect(addon.queryXdp(r0, `/run/netns/${NS}`).mode).toBe('none');
  });

  it('a start that fails after attaching undoes itself: exit 1, the cause named, XDP detached, no pins', async () => {
    // the slow path starts after the program is attached; its UMEM counts
    // against RLIMIT_MEMLOCK (for a process without CAP_IPC_LOCK, as under
    // the systemd unit), which a 1 MiB limit cannot hold
    const file = join(dir, 'memlock.yaml');
    writeFileSync(file, await startable('interfaces: [r0]\npunt:\n  - prefix: 198.51.100.0/24\n'));
    const res = await cli(['run', '--config', file], ['prlimit', '--memlock=1048576', 'setpriv', '--bounding-set=-ipc_lock']);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/UMEM.*RLIMIT_MEMLOCK.*ENOBUFS/);
    expect(res.stderr).toMatch(/"msg":"attached"[\s\S]*"msg":"detached","interface":"r0"/);
    expect(addon.queryXdp(r0, `/run/netns/${NS}`).mode).toBe('none');
    expect(existsSync(PIN)).toBe(false);
  });

  it('rx VLAN offload on a driven interface: exit 1, the interface and the fix named, nothing touched', async () => {
    await run(['ethtool', '-K', 'r0', 'rxvlan', 'on'], NS);
    try {
      const file = join(dir, 'rxvlan.yaml');
      writeFileSync(file, await startable('interfaces: [r0]\n'));
      const res = await cli(['run', '--config', file]);
      expect(res.code).toBe(1);
      expect(res.stderr).toMatch(new RegExp(`interface r0 has rx VLAN offload on.*Turn it off: ip netns exec ${NS} ethtool -K r0 rxvlan off`));
      expect(addon.queryXdp(r0, `/run/netns/${NS}`).mode).toBe('none');
      expect(existsSync(PIN)).toBe(false);
    } finally {
      await run(['ethtool', '-K', 'r0', 'rxvlan', 'off'], NS);
    }
  });

  it('a foreign XDP program on an interface: refused and left in place, replaced when replaceForeignXdp says so', async () => {
    // another tool's program, attached without libxdp's dispatcher
    await run(['xdp-loader', 'load', '-m', 'native', 'r0', '/usr/lib/x86_64-linux-gnu/bpf/xdpdump_xdp.o'], NS);
    try {
      const file = join(dir, 'foreign.yaml');
      writeFileSync(file, await startable('interfaces: [r0]\n'));
      const res = await cli(['run', '--config', file]);
      expect(res.code).toBe(1);
      expect(res.stderr).toMatch(/r0 already has XDP program "xdpdump".*replaceForeignXdp/);
      expect(addon.queryXdp(r0, `/run/netns/${NS}`).programs.map((p) => p.name)).toEqual(['xdpdump']);
      expect(existsSync(PIN)).toBe(false);

      // told it may replace it, the daemon does
      const daemon = await RouterDaemon.start({ netns: NS, interfaces: ['r0'], pinDir: PIN, extraConfig: 'replaceForeignXdp: true' });
      try {
        expect(daemon.log()).toContain('removed a foreign XDP program');
        expect(addon.queryXdp(r0, `/run/netns/${NS}`).programs.map((p) => p.name)).toEqual(['xdp_router']);
      } finally {
        await daemon.stop();
      }
      expect(addon.queryXdp(r0, `/run/netns/${NS}`).mode).toBe('none');
    } finally {
      await ip(['link', 'set', 'dev', 'r0', 'xdp', 'off'], NS);
    }
  });
});
