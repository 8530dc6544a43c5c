// BGP-fed routes through FRR: zebra installs them with next-hop objects
// (`ip route` shows `nhid`), as FRR does since 7.3. BIRD in host A and host
// B announces prefixes to FRR's bgpd on the router; the daemon resolves the
// routes through their objects into the fast path, XDP forwards to them with
// kernel forwarding off, and a withdrawal takes them out again. Twice: with
// nexthop_compat_mode=1 (the default: route messages also list the object's
// next hops) and 0 (they carry only its id, and only the objects tell).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastPath } from '../../dataplane/fastpath.js';
import { ip, sysctl } from '../../router/lab/netns.js';
import { setKernelForwarding } from '../../router/lab/topology.js';
import type { Lab } from '../../router/lab/topology.js';
import { ping } from '../../router/lab/traffic.js';
import { startLabDaemon } from '../../support/lab-daemon.js';
import type { LabDaemon } from '../../support/lab-daemon.js';
import { birdConfig, startBird } from '../../support/bird.js';
import type { Bird } from '../../support/bird.js';
import { routeOf, within } from '../helpers/router.js';
import { frrBgpConfig, startFrr } from '../helpers/frr.js';
import type { Frr } from '../helpers/frr.js';
import { freePort } from '../helpers/metrics.js';

const FROM_B = { prefix: '203.0.113.64/26', host: '203.0.113.65' };
const FROM_A = { prefix: '192.0.2.128/25', host: '192.0.2.129' };
const AS = { router: 65000, a: 65001, b: 65002 };

describe.each([1, 0])('routes learned over BGP by FRR, through next-hop objects, are forwarded by XDP (nexthop_compat_mode=%i)', (compat) => {
  const PREFIX = `xrt-frr${compat}-${process.pid}`;
  let h: LabDaemon | undefined;
  let lab: Lab;
  let fp: FastPath;
  let frr: Frr | undefined;
  const birds: Bird[] = [];
  /** the router's BGP routes as the kernel shows them */
  const bgpRoutes = async (): Promise<string> => ip(['route', 'show', 'proto', 'bgp'], lab.router.ns);
  const bothLearned = async (): Promise<boolean> => {
    const routes = await bgpRoutes();
    return routes.includes(FROM_A.prefix) && routes.includes(FROM_B.prefix);
  };

  beforeAll(async () => {
    h = await startLabDaemon({
      prefix: PREFIX,
      extraConfig: `metrics:\n  listen: "127.0.0.1:${await freePort()}"\n`,
      beforeDaemon: async (l) => {
        // the announced prefixes live on the hosts' loopbacks
        await ip(['addr', 'add', `${FROM_B.host}/32`, 'dev', 'lo'], l.b.ns);
        await ip(['addr', 'add', `${FROM_A.host}/32`, 'dev', 'lo'], l.a.ns);
        await sysctl(l.router.ns, 'net.ipv4.nexthop_compat_mode', compat);
      },
    });
    ({ lab, fp } = h);
    const r = lab.router;
    frr = await startFrr(r.ns, frrBgpConfig(r.toB.v4, AS.router, [
      { neighbor: lab.a.v4, peerAs: AS.a },
      { neighbor: lab.b.v4, peerAs: AS.b },
    ]));
    for (const [host, as, prefix, router] of [[lab.a, AS.a, FROM_A.prefix, r.toA.v4], [lab.b, AS.b, FROM_B.prefix, r.toB.v4]] as const) {
      birds.push(
        await startBird(host.ns, birdConfig(host.v4, [prefix], [
          { name: 'upstream', local: host.v4, neighbor: router, localAs: as, peerAs: AS.router, announce: true },
        ], false)),
      );
    }
    // every case starts from both sessions up and both prefixes learned
    await within(30_000, bothLearned, 'BGP routes in the router kernel');
  });

  afterAll(async () => {
    try {
      for (const b of birds) await b.stop();
      await frr?.stop();
    } finally {
      await h?.dispose();
    }
  });

  it('zebra installs both prefixes through next-hop objects', async () => {
    expect(await bothLearned()).toBe(true);
    for (const line of (await bgpRoutes()).split('\n').filter(Boolean)) expect(line).toMatch(/ nhid \d+ /);
    expect(await ip(['nexthop', 'show'], lab.router.ns)).toMatch(new RegExp(`via ${lab.b.v4} dev ${lab.router.toB.dev} .*proto zebra`));
  });

  it('the fast path has them, and forwards between them with kernel forwarding off', async () => {
    const r = lab.router;
    await within(1000, async () => (await routeOf(fp, FROM_B.host)) === `${r.toB.ifindex}/${lab.b.v4}`, 'the route to B in the fast path');
    await within(1000, async () => (await routeOf(fp, FROM_A.host)) === `${r.toA.ifindex}/${lab.a.v4}`, 'the route to A in the fast path');
    // the hosts learn nothing back, so they reach each other's prefixes by their default routes
    expect(await ping(lab.a.ns, lab.b.v4, 1)).toBe(1); // neighbours resolved while the kernel still forwards
    expect(await ping(lab.b.ns, lab.a.v4, 1)).toBe(1);
    await setKernelForwarding(lab, false);
    try {
      const before = await fp.packets('forwarded', r.toA.ifindex);
      expect(await ping(lab.a.ns, FROM_B.host, 5)).toBe(5);
      expect(await fp.packets('forwarded', r.toA.ifindex)).toBeGreaterThanOrEqual(before + 5n);
    } finally {
      await setKernelForwarding(lab, true);
    }
  });

  it('a withdrawn route leaves the kernel and the fast path', async () => {
    await birds[1]!.ctl('disable', 'upstream');
    try {
      await within(10_000, async () => !(await bgpRoutes()).includes(FROM_B.prefix), 'withdrawal in the kernel');
      // the lab's static 203.0.113.0/24 via B stays: the /26 itself must go
      await within(100, async () => !(await fp.routes()).some((r) => r.prefix === FROM_B.prefix), 'withdrawal in the fast path');
      expect(fp.lookupRoute(FROM_A.host)?.type).toBe('unicast');
    } finally {
      // announced again for the other cases
      await birds[1]!.ctl('enable', 'upstream');
      await within(30_000, bothLearned, 'the route announced again');
    }
  });
});
