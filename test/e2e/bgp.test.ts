// BGP-fed routes: BIRD in host A and host B announce prefixes to BIRD on
// the router, which installs them in the kernel; the daemon mirrors them
// into the fast path, XDP forwards to them with kernel forwarding off, and
// a withdrawal takes them out again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastPath } from '../../dataplane/fastpath.js';
import { ip } from '../../router/lab/netns.js';
import { setKernelForwarding } from '../../router/lab/topology.js';
import type { Lab } from '../../router/lab/topology.js';
import { startLabDaemon } from '../../support/lab-daemon.js';
import type { LabDaemon } from '../../support/lab-daemon.js';
import { birdConfig, startBird } from '../../support/bird.js';
import type { Bird } from '../../support/bird.js';
import { within } from '../helpers/router.js';
import { ping } from '../../router/lab/traffic.js';

const PREFIX = `xrt-bgp-${process.pid}`;
const FROM_B = { prefix: '203.0.113.64/26', host: '203.0.113.65' };
const FROM_A = { prefix: '192.0.2.128/25', host: '192.0.2.129' };
const AS = { router: 65000, a: 65001, b: 65002 };

describe('routes learned over BGP (BIRD 2) are forwarded by XDP', () => {
  let h: LabDaemon | undefined;
  let lab: Lab;
  let fp: FastPath;
  const birds: Bird[] = [];
  const bothLearned = async (): Promise<boolean> => {
    const routes = await ip(['route', 'show', 'proto', 'bird'], lab.router.ns);
    return routes.includes(FROM_A.prefix) && routes.includes(FROM_B.prefix);
  };

  beforeAll(async () => {
    h = await startLabDaemon({
      prefix: PREFIX,
      // the announced prefixes live on the hosts' loopbacks
      beforeDaemon: async (l) => {
        await ip(['addr', 'add', `${FROM_B.host}/32`, 'dev', 'lo'], l.b.ns);
        await ip(['addr', 'add', `${FROM_A.host}/32`, 'dev', 'lo'], l.a.ns);
      },
    });
    ({ lab, fp } = h);
    const r = lab.router;
    birds.push(
      await startBird(r.ns, birdConfig(r.toA.v4, [], [
        { name: 'host_a', local: r.toA.v4, neighbor: lab.a.v4, localAs: AS.router, peerAs: AS.a, announce: false },
        { name: 'host_b', local: r.toB.v4, neighbor: lab.b.v4, localAs: AS.router, peerAs: AS.b, announce: false },
      ], true)),
    );
    birds.push(
      await startBird(lab.a.ns, birdConfig(lab.a.v4, [FROM_A.prefix], [
        { name: 'upstream', local: lab.a.v4, neighbor: r.toA.v4, localAs: AS.a, peerAs: AS.router, announce: true },
      ], false)),
    );
    birds.push(
      await startBird(lab.b.ns, birdConfig(lab.b.v4, [FROM_B.prefix], [
        { name: 'upstream', local: lab.b.v4, neighbor: r.toB.v4, localAs: AS.b, peerAs: AS.router, announce: true },
      ], false)),
    );
    // every case starts from both sessions up and both prefixes learned
    await within(30_000, bothLearned, 'BGP routes in the router kernel');
  });

  afterAll(async () => {
    try {
      for (const b of birds) await b.stop();
    } finally {
      await h?.dispose();
    }
  });

  it('the router learns both prefixes over BGP and the kernel holds them as proto bird', async () => {
    expect(await bothLearned()).toBe(true);
  });

  it('the fast path has them, and forwards between them with kernel forwarding off', async () => {
    await within(1000, () => fp.lookupRoute(FROM_B.host)?.type === 'unicast' && fp.lookupRoute(FROM_A.host)?.type === 'unicast', 'BGP routes in the fast path');
    // the hosts learn nothing back, so they reach each other's prefixes by their default routes
    expect(await ping(lab.a.ns, lab.b.v4, 1)).toBe(1); // neighbours resolved while the kernel still forwards
    expect(await ping(lab.b.ns, lab.a.v4, 1)).toBe(1);
    await setKernelForwarding(lab, false);
    try {
      const before = await fp.packets('forwarded', lab.router.toA.ifindex);
      expect(await ping(lab.a.ns, FROM_B.host, 5)).toBe(5);
      expect(await fp.packets('forwarded', lab.router.toA.ifindex)).toBeGreaterThanOrEqual(before + 5n);
    } finally {
      await setKernelForwarding(lab, true);
    }
  });

  it('a withdrawn route leaves the kernel and the fast path', async () => {
    await birds[2]!.ctl('disable', 'announced');
    try {
      await within(10_000, async () => !(await ip(['route', 'show', 'proto', 'bird'], lab.router.ns)).includes(FROM_B.prefix), 'withdrawal in the kernel');
      // the lab's static 203.0.113.0/24 via B stays: the /26 itself must go
      await within(100, async () => !(await fp.routes()).some((r) => r.prefix === FROM_B.prefix), 'withdrawal in the fast path');
      expect(fp.lookupRoute(FROM_A.host)?.type).toBe('unicast');
    } finally {
      // announced again for the other cases
      await birds[2]!.ctl('enable', 'announced');
      await within(30_000, bothLearned, 'the route announced again');
    }
  });
});
