// The command line against a running daemon: every API subcommand, its
// output in iproute2's words, --json, --help, and the daemon's refusals
// printed with a non-zero exit.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ip } from '../../router/lab/netns.js';
import type { Lab } from '../../router/lab/topology.js';
import { CLI } from '../../support/daemon.js';
import type { DaemonConfig } from '../../support/daemon.js';
import { startLabDaemon } from '../../support/lab-daemon.js';
import type { LabDaemon } from '../../support/lab-daemon.js';
import { cli, within } from '../helpers/router.js';
import { ping } from '../../router/lab/traffic.js';

const PREFIX = `xrt-cli-${process.pid}`;

describe('the command line against the daemon', () => {
  let h: LabDaemon | undefined;
  let lab: Lab;
  let config: DaemonConfig;
  const x = (...args: string[]) => cli([...args, '--config', config.file]);

  beforeAll(async () => {
    h = await startLabDaemon({ prefix: PREFIX });
    ({ lab, config } = h);
  });

  afterAll(async () => {
    await h?.dispose();
  });

  it('--help on each command', async () => {
    for (const [args, says] of [
      [['route', '--help'], /route add \[TYPE\] PREFIX \[via GW\] \[dev IF\] \[weight N\]/],
      [['route', 'add', '--help'], /route del PREFIX/],
      [['neigh', '--help'], /usage: xdp-router neigh/],
      [['stats', '--help'], /--watch/],
      [['status', '--help'], /usage: xdp-router status/],
      [['--help'], /route add\|replace\|del\|list\|get\|watch/],
    ] as const) {
      const r = await cli([...args]);
      expect(r.stdout, args.join(' ')).toMatch(says);
      expect(r.code).toBe(0);
    }
  });

  // a dozen commands, each a node start: seconds apiece on a loaded machine
  it('route add, list, get, del', async () => {
    expect(await ping(lab.a.ns, lab.b.v4, 1)).toBe(1);
    expect(await x('route', 'add', '203.0.113.128/25', 'via', lab.b.v4, 'dev', 'r1')).toMatchObject({ code: 0, stderr: '' });
    expect(await x('route', 'add', '2001:db8:f00d::/48', 'nexthop', 'via', lab.b.v6, 'weight', '1', 'nexthop', 'via', '2001:db8:b::3', 'weight', '3')).toMatchObject({ code: 0 });
    expect(await x('route', 'add', 'blackhole', '2001:db8:dead::/48', 'metric', '5')).toMatchObject({ code: 0 });

    const list = await x('route', 'list');
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(`203.0.113.128/25 via ${lab.b.v4} dev r1 proto xdp-router\n`);
    expect(list.stdout).toContain(`203.0.113.0/24 via ${lab.b.v4} dev r1 proto boot\n`);
    expect(list.stdout).toContain(`2001:db8:f00d::/48 proto xdp-router metric 1024\n\tnexthop via ${lab.b.v6} dev r1 weight 1\n\tnexthop via 2001:db8:b::3 dev r1 weight 3\n`);
    expect(list.stdout).toContain('blackhole 2001:db8:dead::/48 proto xdp-router metric 5\n');
    const v4 = await x('route', 'list', '-4', 'proto', 'xdp-router');
    expect(v4.stdout).toBe(`203.0.113.128/25 via ${lab.b.v4} dev r1 proto xdp-router\n`);
    const json = JSON.parse((await x('route', 'list', '-6', 'proto', 'xdp-router', '--json')).stdout) as Array<{ prefix: string; type: string }>;
    expect(json.map((r) => [r.prefix, r.type])).toEqual([
      ['2001:db8:dead::/48', 'ROUTE_TYPE_BLACKHOLE'],
      ['2001:db8:f00d::/48', 'ROUTE_TYPE_UNICAST'],
    ]);

    const get = await x('route', 'get', '203.0.113.130');
    expect(get.stdout).toBe(`203.0.113.130 via ${lab.b.v4} dev r1 lladdr ${lab.b.mac} FORWARD\n    route 203.0.113.128/25 via ${lab.b.v4} dev r1 proto xdp-router\n`);
    expect((await x('route', 'get', '2001:db8:dead::1')).stdout).toBe('2001:db8:dead::1 DROP_BLACKHOLE\n    route blackhole 2001:db8:dead::/48 proto xdp-router metric 5\n');
    expect((await x('route', 'get', '192.0.2.1')).stdout).toMatch(/^192\.0\.2\.1 PASS_LOCAL\n/);
    expect(JSON.parse((await x('route', 'get', '203.0.113.130', '--json')).stdout)).toMatchObject({ action: 'FORWARD', neighborMac: lab.b.mac });

    for (const prefix of ['203.0.113.128/25', '2001:db8:f00d::/48', '2001:db8:dead::/48']) expect(await x('route', 'del', prefix)).toMatchObject({ code: 0 });
    expect((await x('route', 'list', 'proto', 'xdp-router')).stdout).toBe('');
  }, 120_000);

  it("the daemon's refusals print its message and exit 1; bad usage exits 2", async () => {
    const dup = await x('route', 'add', lab.remote.prefix4, 'via', lab.b.v4);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toMatch(/^xdp-router: ALREADY_EXISTS: route: 203\.0\.113\.0\/24 .* already exists, installed by boot/);
    const bits = await x('route', 'add', '203.0.113.1/24', 'via', lab.b.v4);
    expect(bits).toMatchObject({ code: 1, stderr: expect.stringMatching(/INVALID_ARGUMENT: route\.prefix: .*host bits set/) });
    const owned = await x('route', 'del', lab.remote.prefix4);
    expect(owned).toMatchObject({ code: 1, stderr: expect.stringMatching(/FAILED_PRECONDITION: .*set force/) });
    const usage = await x('route', 'add', '203.0.113.128/25', 'via');
    expect(usage).toMatchObject({ code: 2, stderr: expect.stringMatching(/via needs a gateway address/) });
    const away = await cli(['status', '--socket', '/nonexistent/xdp-router.sock']);
    expect(away).toMatchObject({ code: 1, stderr: expect.stringMatching(/UNAVAILABLE: cannot reach the daemon at \/nonexistent\/xdp-router\.sock/) });
  });

  it('route watch prints the table, then changes as they happen', async () => {
    const child = spawn('node', [CLI, 'route', 'watch', '--config', config.file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      // the command's node start first: seconds on a loaded machine
      await within(20_000, () => out.includes('# the routes above were in place; changes follow\n'), 'the snapshot');
      expect(out).toContain(`203.0.113.0/24 via ${lab.b.v4} dev r1 proto boot\n`);
      await ip(['route', 'add', '203.0.113.64/26', 'via', lab.b.v4], lab.router.ns);
      await within(5000, () => out.includes(`\n203.0.113.64/26 via ${lab.b.v4} dev r1 proto boot\n`), 'the add');
      await ip(['route', 'del', '203.0.113.64/26'], lab.router.ns);
      await within(5000, () => out.includes(`\nDeleted 203.0.113.64/26 via ${lab.b.v4} dev r1 proto boot\n`), 'the delete');
    } finally {
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    }
  });

  it('neigh, stats, stats --watch, status', async () => {
    expect(await ping(lab.a.ns, lab.b.v4, 2)).toBe(2);
    const neigh = await x('neigh');
    expect(neigh.stdout).toMatch(new RegExp(`^${lab.b.v4.replace(/\./g, '\\.')} dev r1 lladdr ${lab.b.mac} \\S+ fastpath$`, 'm'));

    const stats = await x('stats');
    expect(stats.stdout).toMatch(/^reason\s+packets\s+bytes\n/);
    expect(stats.stdout).toMatch(/^forwarded\s+\d+\s+\d+$/m);
    expect(stats.stdout).toMatch(/^r0 \(index \d+\):/m);
    const watch = await x('stats', '--watch', '--interval', '1', '--count', '1');
    expect(watch.stdout).toMatch(/^\d{4}-\d\d-\d\dT.*\nreason\s+packets\/s\s+bytes\/s\n/);
    expect(JSON.parse((await x('stats', '--json')).stdout)).toMatchObject({ totals: expect.arrayContaining([expect.objectContaining({ reason: 'forwarded' })]) });

    const status = await x('status');
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^xdp-router \d+\.\d+\.\d+: SERVING, up \d+ s\n/);
    expect(status.stdout).toMatch(/^routes: \d+ in the kernel's mirrored tables \(254\), \d+ in the fast path$/m);
    expect(status.stdout).toMatch(/^ {2}r0\s+index \d+\s+(native|generic)\s+up\s+[0-9a-f:]{17}\s+mtu 1500$/m);
  });
});
