// Neighbour liveness on the namespace lab: B changes its MAC without
// announcing it. The kernel alone finds out from the traffic it forwards
// (STALE -> DELAY -> PROBE -> FAILED -> resolved again); with the fast path
// forwarding, the router must find out as soon, although the kernel sees none
// of that traffic (router/sync/neighbour-liveness.ts). Both runs share one
// lab and its sysctls (the kernel's before the daemon starts), and both
// families are measured at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastPath } from '../../dataplane/fastpath.js';
import { ip, spawnIn, sysctl } from '../../router/lab/netns.js';
import { ping } from '../../router/lab/traffic.js';
import type { Lab } from '../../router/lab/topology.js';
import { startLabDaemon } from '../../support/lab-daemon.js';
import type { LabDaemon } from '../../support/lab-daemon.js';
import { routeOf, within } from '../helpers/router.js';
import { freePort } from '../helpers/metrics.js';

const PREFIX = `xrt-nl-${process.pid}`;
// SLACK_S: how much longer than the kernel alone xdp-router may take to
// deliver again; PING_INTERVAL_S: the measurement's resolution; WARM_UP_MS:
// steady replies before the change (the entry cycles as under traffic);
// GIVE_UP_MS: past this, a black hole; IN_FLIGHT_S: replies this soon after
// the change answer requests sent before it.
const [SLACK_S, PING_INTERVAL_S, WARM_UP_MS, GIVE_UP_MS, IN_FLIGHT_S] = [2, 0.1, 3000, 30_000, 0.2];

interface Pinger {
  /** reply times, epoch seconds (ping -D) */
  replies: number[];
  stop(): void;
}

function startPing(ns: string, address: string): Pinger {
  const child = spawnIn(ns, ['ping', '-D', '-n', '-i', String(PING_INTERVAL_S), '-W', '1', address]);
  const replies: number[] = [];
  let partial = '';
  child.stdout!.on('data', (d: Buffer) => {
    const lines = (partial + d.toString()).split('\n');
    partial = lines.pop()!;
    for (const line of lines) {
      const m = /^\[(\d+\.\d+)\] \d+ bytes from/.exec(line);
      if (m) replies.push(Number(m[1]));
    }
  });
  return { replies, stop: () => child.kill() };
}

/**
 * Change B's MAC while A pings B on both families; seconds from the change
 * to the first reply that needed the new MAC, per family.
 */
async function recoveryAfterMacChange(lab: Lab, newMac: string): Promise<{ v4: number; v6: number }> {
  const pingers = { v4: startPing(lab.a.ns, lab.b.v4), v6: startPing(lab.a.ns, lab.b.v6) };
  try {
    await new Promise((r) => setTimeout(r, WARM_UP_MS));
    for (const [family, p] of Object.entries(pingers)) {
      if (p.replies.length < WARM_UP_MS / 1000 / PING_INTERVAL_S / 2) throw new Error(`IPv${family.slice(1)} ping A -> B does not work before the change`);
    }
    await ip(['link', 'set', 'b0', 'address', newMac], lab.b.ns);
    const changed = Date.now() / 1000;
    const firstAfter = (p: Pinger): number | undefined => p.replies.find((t) => t > changed + IN_FLIGHT_S);
    try {
      await within(GIVE_UP_MS, () => firstAfter(pingers.v4) !== undefined && firstAfter(pingers.v6) !== undefined, `delivery to B's new MAC ${newMac}`);
    } catch (err) {
      const missing = Object.entries(pingers).filter(([, p]) => firstAfter(p) === undefined).map(([f]) => f);
      const neigh = await ip(['neigh', 'show', 'dev', 'r1'], lab.router.ns);
      throw new Error(`${(err as Error).message} (${missing.join(', ')}); the router's neighbours on r1:\n${neigh}`);
    }
    return { v4: firstAfter(pingers.v4)! - changed, v6: firstAfter(pingers.v6)! - changed };
  } finally {
    pingers.v4.stop();
    pingers.v6.stop();
  }
}

describe('a neighbour that changes its MAC unannounced', () => {
  let h: LabDaemon | undefined;
  let lab: Lab;
  let fp: FastPath;
  /** the kernel alone, before the daemon starts */
  let kernel: { v4: number; v6: number };

  /** the lab's sysctls for the measurement, and the kernel's own recovery */
  const beforeDaemon = async (l: Lab): Promise<void> => {
    lab = l;
    for (const family of ['ipv4', 'ipv6']) {
      // short enough that the entry is STALE within a second or two of a change
      await sysctl(lab.router.ns, `net.${family}.neigh.r1.base_reachable_time_ms`, 1000);
      await sysctl(lab.router.ns, `net.${family}.neigh.r1.delay_first_probe_time`, 1);
    }
    // B says nothing when its MAC changes: no gratuitous ARP, no unsolicited NA (both off by default; set, not assumed)
    await sysctl(lab.b.ns, 'net.ipv4.conf.b0.arp_notify', 0);
    await sysctl(lab.b.ns, 'net.ipv6.conf.b0.ndisc_notify', 0);
    // read by the daemon at start (the multipath case below)
    await sysctl(lab.router.ns, 'net.ipv4.fib_multipath_use_neigh', 1);
    kernel = await recoveryAfterMacChange(lab, '02:00:5e:00:53:01');
  };

  beforeAll(async () => {
    h = await startLabDaemon({ prefix: PREFIX, extraConfig: `metrics:\n  listen: "127.0.0.1:${await freePort()}"\n`, beforeDaemon });
    ({ fp } = h);
  }, 120_000);

  afterAll(async () => {
    await h?.dispose();
  });

  it(`is reached again by xdp-router at most ${SLACK_S} s after the kernel alone would, IPv4 and IPv6`, async () => {
    const r0 = lab.router.toA.ifindex;
    const forwardedBefore = await fp.packets('forwarded', r0);
    const xdp = await recoveryAfterMacChange(lab, '02:00:5e:00:53:02');
    const forwarded = (await fp.packets('forwarded', r0)) - forwardedBefore;

    console.log(
      `recovery after an unannounced MAC change: kernel alone IPv4 ${kernel.v4.toFixed(2)} s, IPv6 ${kernel.v6.toFixed(2)} s; ` +
        `xdp-router IPv4 ${xdp.v4.toFixed(2)} s, IPv6 ${xdp.v6.toFixed(2)} s (${forwarded} frames forwarded in XDP meanwhile)`,
    );
    // the second run was the fast path's: most of its pings went through XDP
    expect(forwarded).toBeGreaterThan(BigInt(Math.floor(WARM_UP_MS / 1000 / PING_INTERVAL_S)));
    expect(xdp.v4).toBeLessThanOrEqual(kernel.v4 + SLACK_S);
    expect(xdp.v6).toBeLessThanOrEqual(kernel.v6 + SLACK_S);
    // and the fast path holds B's new MAC once the kernel has it again (with
    // a 1 s reachable time the entry keeps moving between states)
    const key = `${lab.router.toB.ifindex}|${lab.b.v4}`;
    await within(5000, async () => {
      await ping(lab.a.ns, lab.b.v4, 1);
      const n = (await fp.neighbours()).get(key);
      return n?.mac === '02:00:5e:00:53:02' && n.valid;
    }, "B's new MAC in the fast path");
  }, 120_000);

  it('with fib_multipath_use_neigh, a group member whose gateway FAILED stops taking flows; it takes them back once resolved', async () => {
    const r1 = lab.router.toB.ifindex;
    const other = '198.51.100.3';
    await ip(['neigh', 'replace', other, 'lladdr', '02:00:5e:00:53:33', 'dev', 'r1', 'nud', 'permanent'], lab.router.ns);
    await ip(['route', 'add', '203.0.113.64/26', 'nexthop', 'via', lab.b.v4, 'nexthop', 'via', other], lab.router.ns);
    await within(1000, async () => (await routeOf(fp, '203.0.113.70')) === `${r1}/${lab.b.v4} ${r1}/${other}`, 'both members in the group');
    await ip(['neigh', 'replace', other, 'dev', 'r1', 'nud', 'failed'], lab.router.ns);
    await within(1000, async () => (await routeOf(fp, '203.0.113.70')) === `${r1}/${lab.b.v4} ${r1}/${lab.b.v4}`, 'the FAILED member out of the group');
    await ip(['neigh', 'replace', other, 'lladdr', '02:00:5e:00:53:33', 'dev', 'r1', 'nud', 'permanent'], lab.router.ns);
    await within(1000, async () => (await routeOf(fp, '203.0.113.70')) === `${r1}/${lab.b.v4} ${r1}/${other}`, 'the member back');
    await ip(['route', 'del', '203.0.113.64/26'], lab.router.ns);
  });
});
