// The daemon on the namespace lab: kernel changes reach the fast path,
// neighbours are learned, links going down take their routes out, a clean
// stop hands over to the kernel (kill -9 and restart: restart.test.ts).
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastPath } from '../../dataplane/fastpath.js';
import { addon } from '../../dataplane/native.js';
import type { DaemonConfig } from '../../support/daemon.js';
import { startLabDaemon, withLabDaemon } from '../../support/lab-daemon.js';
import type { LabDaemon } from '../../support/lab-daemon.js';
import { ip } from '../../router/lab/netns.js';
import type { Lab } from '../../router/lab/topology.js';
import { ipv4Frame, parseFrame } from '../../support/frames.js';
import { cli, routeOf, within } from '../helpers/router.js';
import { ping, udpStream } from '../../router/lab/traffic.js';

const PREFIX = `xrt-d-${process.pid}`;
const SYNC_MS = 100;

describe('the daemon on the namespace lab', () => {
  let h: LabDaemon | undefined;
  let lab: Lab;
  let config: DaemonConfig;
  let fp: FastPath;
  let netns: string;
  let r1: number;

  beforeAll(async () => {
    h = await startLabDaemon({ prefix: PREFIX });
    ({ lab, config, fp } = h);
    netns = `/run/netns/${lab.router.ns}`;
    r1 = lab.router.toB.ifindex;
  });

  afterAll(async () => {
    await h?.dispose();
  });

  it('attaches to both router interfaces and agrees with the kernel (verify)', async () => {
    expect(addon.queryXdp(lab.router.toA.ifindex, netns).programs.map((p) => p.name)).toEqual(['xdp_router']);
    const v = await cli(['verify', '--config', config.file]);
    expect(v.stdout).toContain('fast path and kernel agree');
    expect(v.code).toBe(0);
  });

  it(`ip route add / replace / del (IPv4) reach the fast path within ${SYNC_MS} ms`, async () => {
    await ip(['route', 'add', '203.0.113.128/25', 'via', lab.b.v4], lab.router.ns);
    await within(SYNC_MS, async () => (await routeOf(fp, '203.0.113.130')) === `${r1}/${lab.b.v4}`, 'route add');
    await ip(['neigh', 'replace', '198.51.100.3', 'lladdr', '02:00:00:00:00:33', 'dev', 'r1', 'nud', 'permanent'], lab.router.ns);
    await ip(['route', 'replace', '203.0.113.128/25', 'via', '198.51.100.3'], lab.router.ns);
    await within(SYNC_MS, async () => (await routeOf(fp, '203.0.113.130')) === `${r1}/198.51.100.3`, 'route replace');
    await ip(['route', 'del', '203.0.113.128/25'], lab.router.ns);
    // the /24 behind B takes over again
    await within(SYNC_MS, async () => (await routeOf(fp, '203.0.113.130')) === `${r1}/${lab.b.v4}`, 'route del');
  });

  it(`ip -6 route add / replace / del reach the fast path within ${SYNC_MS} ms`, async () => {
    await ip(['-6', 'route', 'add', '2001:db8:beef::/48', 'via', lab.b.v6], lab.router.ns);
    await within(SYNC_MS, async () => (await routeOf(fp, '2001:db8:beef::1')) === `${r1}/${lab.b.v6}`, 'route add');
    await ip(['-6', 'route', 'replace', 'blackhole', '2001:db8:beef::/48'], lab.router.ns);
    await within(SYNC_MS, async () => (await routeOf(fp, '2001:db8:beef::1')) === 'blackhole', 'route replace');
    await ip(['-6', 'route', 'del', '2001:db8:beef::/48'], lab.router.ns);
    await within(SYNC_MS, async () => (await routeOf(fp, '2001:db8:beef::1')) === 'none', 'route del');
  });

  it('a multipath route becomes a group, and the XDP path spreads flows over both next hops', async () => {
    await ip(['neigh', 'replace', '198.51.100.3', 'lladdr', '02:00:00:00:00:33', 'dev', 'r1', 'nud', 'permanent'], lab.router.ns);
    expect(await ping(lab.a.ns, lab.b.v4, 1)).toBe(1); // the router resolves B
    await ip(['route', 'add', '203.0.113.64/26', 'nexthop', 'via', lab.b.v4, 'weight', '1', 'nexthop', 'via', '198.51.100.3', 'weight', '1'], lab.router.ns);
    await within(SYNC_MS, async () => (await routeOf(fp, '203.0.113.70')) === `${r1}/${lab.b.v4} ${r1}/198.51.100.3`, 'multipath');
    const macs = new Map<string, number>();
    for (let port = 1000; port < 1400; port++) {
      const frame = ipv4Frame({ dst: lab.router.toA.mac, src: lab.a.mac }, { src: lab.a.v4, dst: '203.0.113.70', sport: port });
      const res = await fp.testRun({ data: frame, ingressIfindex: lab.router.toA.ifindex });
      expect(res.retval).toBe(4);
      const mac = parseFrame(res.data).dst;
      macs.set(mac, (macs.get(mac) ?? 0) + 1);
    }
    expect([...macs.keys()].sort()).toEqual(['02:00:00:00:00:33', lab.b.mac].sort());
    for (const n of macs.values()) expect(n).toBeGreaterThan(400 * 0.3);
    await ip(['route', 'del', '203.0.113.64/26'], lab.router.ns);
  });

  it('a new neighbour: first packets go up (pass-no-neigh), later ones are forwarded by XDP', async () => {
    await ip(['neigh', 'flush', 'dev', 'r1'], lab.router.ns);
    await within(1000, async () => !(await fp.neighbours()).has(`${r1}|${lab.b.v4}`), 'neighbour flushed from the fast path');
    const noNeigh = await fp.packets('pass-no-neigh', lab.router.toA.ifindex);
    // the first ping finds no neighbour: the kernel forwards it and resolves B
    expect(await ping(lab.a.ns, lab.b.v4, 1)).toBe(1);
    expect(await fp.packets('pass-no-neigh', lab.router.toA.ifindex)).toBeGreaterThan(noNeigh);
    // the daemon learns B from the kernel's neighbour event; from then on XDP forwards
    const learnedMs = await within(1000, async () => (await fp.neighbours()).get(`${r1}|${lab.b.v4}`)?.valid === true, 'B learned by the fast path');
    process.stdout.write(`neighbour in the fast path ${learnedMs.toFixed(0)} ms after the first ping's reply\n`);
    expect((await fp.neighbours()).get(`${r1}|${lab.b.v4}`)).toMatchObject({ mac: lab.b.mac, valid: true });
    const forwarded = await fp.packets('forwarded', lab.router.toA.ifindex);
    expect(await ping(lab.a.ns, lab.b.v4, 4)).toBe(4);
    expect(await fp.packets('forwarded', lab.router.toA.ifindex)).toBeGreaterThanOrEqual(forwarded + 4n);
  });

  it('link down on the egress: its routes leave the fast path at once, traffic falls back to the kernel', async () => {
    // carrier loss: take the peer down, the router's end stays administratively up
    await ip(['link', 'set', 'b0', 'down'], lab.b.ns);
    await within(SYNC_MS, async () => (await routeOf(fp, lab.remote.v4)) === 'kernel', 'routes via r1 handed to the kernel');
    expect((await fp.interfaces()).get(r1)?.up).toBe(false);
    expect((await fp.neighbours()).has(`${r1}|${lab.b.v4}`)).toBe(false);
    await ip(['link', 'set', 'b0', 'up'], lab.b.ns);
    // B's kernel flushed its default routes with the link: give them back
    await within(5000, () => ip(['route', 'replace', 'default', 'via', lab.router.toB.v4], lab.b.ns).then(() => true, () => false), 'B default route');
    await within(5000, () => ip(['-6', 'route', 'replace', 'default', 'via', lab.router.toB.v6], lab.b.ns).then(() => true, () => false), 'B IPv6 default route');
    await within(2000, async () => (await routeOf(fp, lab.remote.v4)) === `${r1}/${lab.b.v4}`, 'routes back after carrier');
    // administratively down: the kernel flushes the IPv4 routes without telling
    await ip(['link', 'set', 'r1', 'down'], lab.router.ns);
    await within(SYNC_MS, async () => (await routeOf(fp, lab.remote.v4)) === 'none', 'routes purged on admin down');
    await ip(['link', 'set', 'r1', 'up'], lab.router.ns);
    // the addresses and connected routes come back with the link; then the static ones can
    await within(5000, () => ip(['route', 'replace', lab.remote.prefix4, 'via', lab.b.v4, 'dev', 'r1'], lab.router.ns).then(() => true, () => false), 'IPv4 static route re-added');
    await within(5000, () => ip(['-6', 'route', 'replace', lab.remote.prefix6, 'via', lab.b.v6, 'dev', 'r1'], lab.router.ns).then(() => true, () => false), 'IPv6 static route re-added');
    await within(3000, async () => (await routeOf(fp, lab.remote.v4)) === `${r1}/${lab.b.v4}`, 'routes back after admin up');
    expect(await ping(lab.a.ns, lab.remote.v4, 3)).toBe(3);
  });

  it('10,000 IPv6 route changes in one burst (ip -batch) end with verify reporting no difference', async () => {
    const lines: string[] = [];
    const net = (i: number): string => `2001:db8:1${(i >> 8).toString(16).padStart(3, '0')}:${(i & 0xff).toString(16)}00::/56`;
    for (let i = 0; i < 5000; i++) lines.push(`route add ${net(i)} via ${lab.b.v6}`);
    for (let i = 0; i < 2500; i++) lines.push(`route replace blackhole ${net(i)}`);
    for (let i = 2500; i < 5000; i++) lines.push(`route del ${net(i)}`);
    const runBatch = async (commands: string[]): Promise<void> => {
      const batch = `/tmp/${PREFIX}-batch`;
      writeFileSync(batch, `${commands.join('\n')}\n`);
      try {
        await ip(['-batch', batch], lab.router.ns);
      } finally {
        rmSync(batch, { force: true });
      }
    };
    await runBatch(lines);
    try {
      let last = '';
      await within(15_000, async () => {
        const v = await cli(['verify', '--config', config.file]);
        last = v.stdout;
        return v.code === 0;
      }, 'verify after the burst').catch((err: Error) => {
        throw new Error(`${err.message}\n${last.split('\n').slice(-5).join('\n')}`);
      });
      expect(await routeOf(fp, '2001:db8:1000:700::1')).toBe('blackhole');
      expect(await routeOf(fp, '2001:db8:1013:0::1')).toBe('none');
    } finally {
      // the burst's 2,500 blackholes go: the other cases start from the lab's table
      await runBatch(Array.from({ length: 2500 }, (_, i) => `route del ${net(i)}`));
      await within(15_000, async () => (await routeOf(fp, '2001:db8:1009:c300::1')) === 'none', "the burst's last blackhole gone");
    }
  });

  it('a clean stop detaches XDP, removes the pins, and the kernel forwards alone', async () => {
    // a lab of its own: the stop takes the daemon the other cases share
    await withLabDaemon({ prefix: `xrt-dstop-${process.pid}` }, async ({ lab, config }) => {
      const netns = `/run/netns/${lab.router.ns}`;
      const stream = udpStream(lab.a.ns, lab.b.ns, lab.b.v4, 20_000, 10_000);
      await new Promise((r) => setTimeout(r, 700));
      const stop = await cli(['stop', '--config', config.file]);
      expect(stop.code).toBe(0);
      expect(addon.queryXdp(lab.router.toA.ifindex, netns).mode).toBe('none');
      expect(addon.queryXdp(lab.router.toB.ifindex, netns).mode).toBe('none');
      expect(existsSync(config.pinDir)).toBe(false); // maps and their directory
      const r = await stream;
      // the figure for the issue note: loss while XDP hands over to the kernel
      process.stdout.write(`clean stop under 10,000 pkt/s: sent ${r.sent}, received ${r.unique}, lost ${r.sent - r.unique}\n`);
      expect(r.unique).toBeGreaterThan(r.sent * 0.95);
      expect(await ping(lab.a.ns, lab.b.v4, 3)).toBe(3);
    });
  });
});
