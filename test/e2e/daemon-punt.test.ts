// Punt rules from the config file: the daemon compiles the punt stage in,
// binds its AF_XDP sockets and forwards the punted flow in userspace, and
// its /metrics shows the flow in the sockets' and the rule's counters.
// What needs the kernel still reaches it: a punted flow to a neighbour
// nobody has resolved crosses (the kernel resolves it, then the slow path
// forwards), and an over-MTU punted packet gets its frag-needed or
// packet-too-big from the kernel.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastPath } from '../../dataplane/fastpath.js';
import { ip } from '../../router/lab/netns.js';
import { LAB_ADDRESSES, setKernelForwarding } from '../../router/lab/topology.js';
import type { Lab } from '../../router/lab/topology.js';
import type { RouterDaemon } from '../../support/daemon.js';
import { startLabDaemon } from '../../support/lab-daemon.js';
import type { LabDaemon } from '../../support/lab-daemon.js';
import { within } from '../helpers/router.js';
import { freePort, samples, scrape, sum } from '../helpers/metrics.js';
import { ping, pingOutput, udpStream } from '../../router/lab/traffic.js';

/** The config's punt rules, by id: the UDP flow to B's loopback, and ICMP to B's loopback (IPv6) and to B itself (IPv4). */
const RULES = [
  { id: 0, prefix: LAB_ADDRESSES.remote.prefix4, protocol: 17 },
  { id: 1, prefix: LAB_ADDRESSES.remote.prefix6, protocol: 58 },
  { id: 2, prefix: `${LAB_ADDRESSES.b.v4}/32`, protocol: 1 },
];
/** Destinations of the ICMP rules: [family, address, rule id] */
const ICMP_PUNTED = [
  ['IPv6', LAB_ADDRESSES.remote.v6, 1],
  ['IPv4', LAB_ADDRESSES.b.v4, 2],
] as const;
/** r1's MTU in the over-MTU test: the least IPv6 allows */
const SMALL_MTU = 1280;

const PREFIX = `xrt-dp-${process.pid}`;

describe('the daemon with punt rules in its config', () => {
  let h: LabDaemon | undefined;
  let lab: Lab;
  let daemon: RouterDaemon;
  let fp: FastPath;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    const rules = ['udp', 'icmp', 'icmp'].map((protocol, id) => `  - prefix: ${RULES[id]!.prefix}\n    protocol: ${protocol}\n`).join('');
    h = await startLabDaemon({ prefix: PREFIX, extraConfig: `punt:\n${rules}metrics:\n  listen: "127.0.0.1:${port}"\n` });
    ({ lab, daemon, fp } = h);
  });

  afterAll(async () => {
    await h?.dispose();
  });

  it('loads the rule and binds a socket per queue', async () => {
    await within(5000, () => daemon.log().includes('"msg":"slow path running"'), 'slow path started');
    expect((await fp.puntRules()).sort((x, y) => x.id - y.id)).toEqual(RULES);
    expect(daemon.log()).toMatch(/"msg":"AF_XDP socket bound","interface":"r0","queue":0,"mode":"(copy|zerocopy)"/);
  });

  it('with kernel forwarding off, the punted UDP flow crosses through userspace, ICMP through XDP', async () => {
    expect(await ping(lab.a.ns, lab.b.v4, 1)).toBe(1); // neighbours resolved while the kernel forwards
    expect(await ping(lab.a.ns, lab.remote.v4, 1)).toBe(1);
    await setKernelForwarding(lab, false);
    try {
      const punted = fp.puntStats(0).packets;
      const before = await scrape(port);
      const r = await udpStream(lab.a.ns, lab.b.ns, lab.remote.v4, 1000, 1000);
      expect(r).toMatchObject({ sent: 1000, unique: 1000, corrupt: 0 });
      const puntedNow = fp.puntStats(0).packets - punted;
      expect(puntedNow).toBeGreaterThanOrEqual(1000n);
      const after = await scrape(port);
      const rise = (name: string, labels: Record<string, string>): number => sum(after, name, labels) - sum(before, name, labels);
      // with the kernel not forwarding, every datagram B got crossed the slow path: read on r0's sockets, sent on r1's
      expect(rise('xdp_router_xsk_rx_packets_total', { interface: 'r0' })).toBeGreaterThanOrEqual(r.unique);
      expect(rise('xdp_router_xsk_tx_packets_total', { interface: 'r1' })).toBeGreaterThanOrEqual(r.unique);
      expect(rise('xdp_router_slowpath_packets_total', { result: 'forwarded' })).toBeGreaterThanOrEqual(r.unique);
      // the rule's counter is the map the test reads, at a later moment
      expect(rise('xdp_router_punt_packets_total', { rule: lab.remote.prefix4 })).toBeGreaterThanOrEqual(Number(puntedNow));
      expect(rise('xdp_router_punt_bytes_total', { rule: lab.remote.prefix4 })).toBeGreaterThan(0);
      expect(await ping(lab.a.ns, lab.remote.v4, 3)).toBe(3);
    } finally {
      await setKernelForwarding(lab, true);
    }
  });

  it('labels each socket by the router interface name and queue, and has every XDP_STATISTICS family', async () => {
    const text = await scrape(port);
    const sockets = samples(text, 'xdp_router_xsk_rx_packets_total').map((x) => x.labels);
    expect(sockets).toContainEqual({ interface: 'r0', queue: '0' });
    expect(sockets).toContainEqual({ interface: 'r1', queue: '0' });
    expect(sockets.every((l) => l.interface === 'r0' || l.interface === 'r1')).toBe(true);
    for (const name of ['tx_packets', 'rx_dropped', 'rx_ring_full', 'fill_ring_empty', 'rx_invalid_descs', 'tx_invalid_descs', 'tx_ring_empty']) {
      expect(samples(text, `xdp_router_xsk_${name}_total`).map((x) => x.labels)).toEqual(sockets);
    }
  });

  it('a punted flow to a neighbour nobody has resolved: the kernel resolves it, then the slow path forwards; nothing is dropped', async () => {
    const { toA, toB } = lab.router;
    for (const [family, address, rule] of ICMP_PUNTED) {
      await ip(['neigh', 'flush', 'dev', 'r1'], lab.router.ns);
      const target = family === 'IPv6' ? lab.b.v6 : lab.b.v4;
      await within(1000, async () => !fp.neighbour(toB.ifindex, target)?.valid, `${family} neighbour flushed from the fast path`);
      const before = await scrape(port);
      const noNeigh = await fp.packets('pass-no-neigh', toA.ifindex);
      const punted = fp.puntStats(rule).packets;
      expect(await ping(lab.a.ns, address, 5), `${family} ping to ${address}`).toBe(5);
      const after = await scrape(port);
      const rise = (labels: Record<string, string>): number => sum(after, 'xdp_router_slowpath_packets_total', labels) - sum(before, 'xdp_router_slowpath_packets_total', labels);
      // the first echo went up to the kernel, which resolved B; the daemon learned B, and the rest were punted
      expect(await fp.packets('pass-no-neigh', toA.ifindex), family).toBeGreaterThan(noNeigh);
      expect(fp.neighbour(toB.ifindex, target)).toEqual({ mac: lab.b.mac, valid: true });
      expect(fp.puntStats(rule).packets - punted, family).toBeGreaterThanOrEqual(1n);
      expect(rise({ result: 'forwarded' }), family).toBeGreaterThanOrEqual(1);
      expect(rise({ action: 'drop' }), family).toBe(0);
      expect(rise({ result: 'no-neigh' }), family).toBe(0);
    }
  });

  it('an over-MTU punted packet gets its frag-needed / packet-too-big from the kernel', async () => {
    const { toA, toB } = lab.router;
    await ip(['link', 'set', 'r1', 'mtu', String(SMALL_MTU)], lab.router.ns);
    try {
      await within(2000, async () => fp.iface(toB.ifindex)?.mtu === SMALL_MTU, 'the fast path learns the MTU');
      for (const [family, address, rule] of ICMP_PUNTED) {
        // punted and forwarded at this size
        expect(await ping(lab.a.ns, address, 1), `${family} ping to ${address}`).toBe(1);
        const before = await scrape(port);
        const tooBig = await fp.packets('pass-mtu', toA.ifindex);
        const punted = fp.puntStats(rule).packets;
        const r = await pingOutput(lab.a.ns, address, 2, ['-M', 'do', '-s', '1400']);
        expect(r.received, r.output).toBe(0);
        // the router's kernel answered the first; A's kernel refused the second itself
        expect(r.output).toMatch(new RegExp(`Frag needed and DF set \\(mtu = ${SMALL_MTU}\\)|Packet too big: mtu=${SMALL_MTU}`));
        expect(r.output).toMatch(/message too long/);
        expect(await ip(['route', 'get', address], lab.a.ns), family).toMatch(new RegExp(`mtu ${SMALL_MTU}`));
        expect(await fp.packets('pass-mtu', toA.ifindex), family).toBeGreaterThan(tooBig);
        expect(fp.puntStats(rule).packets, family).toBe(punted);
        const after = await scrape(port);
        expect(sum(after, 'xdp_router_slowpath_packets_total', { result: 'mtu' }) - sum(before, 'xdp_router_slowpath_packets_total', { result: 'mtu' })).toBe(0);
      }
    } finally {
      await ip(['link', 'set', 'r1', 'mtu', '1500'], lab.router.ns);
      // A keeps the learned path MTU for minutes: forget it
      await ip(['route', 'flush', 'cache'], lab.a.ns);
      await ip(['-6', 'route', 'flush', 'cache'], lab.a.ns);
    }
  });
});
