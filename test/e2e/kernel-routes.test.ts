// Routes the fast path cannot model are the kernel's: a source-specific
// route (`ip -6 route ... from`) makes its whole destination prefix
// `kernel` while it exists, so the covering plain route does not capture
// its sources' traffic in XDP. Same traffic, kernel alone and with the
// router: the same outcome.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastPath } from '../../dataplane/fastpath.js';
import { ip } from '../../router/lab/netns.js';
import type { Lab } from '../../router/lab/topology.js';
import { pingOutput } from '../../router/lab/traffic.js';
import { startLabDaemon } from '../../support/lab-daemon.js';
import type { LabDaemon } from '../../support/lab-daemon.js';
import { routeOf, within } from '../helpers/router.js';
import { freePort } from '../helpers/metrics.js';

const PREFIX = `xrt-kr-${process.pid}`;
const SYNC_MS = 100;
const PINGS = 3;
/** a second address of A's, outside the source-specific route's source prefix */
const A_OTHER = '2001:db8:a::3';

interface Outcome {
  fromRouted: number;
  fromOther: number;
}

describe('a source-specific route is left to the kernel', () => {
  let h: LabDaemon | undefined;
  let lab: Lab;
  let fp: FastPath;
  let fromRoute: string[];
  /** what A's pings get from the kernel alone, before the daemon starts */
  let kernelAlone: Outcome;

  /** Replies to pings from each of A's addresses to B's remote address. */
  const outcome = async (): Promise<Outcome> => ({
    fromRouted: (await pingOutput(lab.a.ns, lab.remote.v6, PINGS, ['-I', lab.a.v6])).received,
    fromOther: (await pingOutput(lab.a.ns, lab.remote.v6, PINGS, ['-I', A_OTHER])).received,
  });

  beforeAll(async () => {
    h = await startLabDaemon({
      prefix: PREFIX,
      extraConfig: `metrics:\n  listen: "127.0.0.1:${await freePort()}"\n`,
      beforeDaemon: async (l) => {
        lab = l;
        await ip(['-6', 'addr', 'add', `${A_OTHER}/64`, 'dev', lab.a.dev, 'nodad'], lab.a.ns);
        // A's first address may not reach B's remote prefix
        fromRoute = ['blackhole', lab.remote.prefix6, 'from', `${lab.a.v6}/128`];
        await ip(['-6', 'route', 'add', ...fromRoute], lab.router.ns);
        kernelAlone = await outcome();
      },
    });
    ({ fp } = h);
  });

  afterAll(async () => {
    await h?.dispose();
  });

  it('the kernel alone, then with the router: the same pings arrive, and the prefix counts as pass-kernel-route', async () => {
    // (6.18 also answers the other source unreachable: the subtree hides the plain route; XDP on that route would deliver both)
    expect(kernelAlone.fromRouted).toBe(0);

    await within(2000, async () => (await routeOf(fp, lab.remote.v6)) === 'kernel', 'the prefix with a source-specific route left to the kernel');
    const passed = await fp.packets('pass-kernel-route', lab.router.toA.ifindex);
    expect(await outcome()).toEqual(kernelAlone);
    // both sources' echo requests went up: the whole destination prefix is the kernel's
    expect(await fp.packets('pass-kernel-route', lab.router.toA.ifindex)).toBeGreaterThanOrEqual(passed + BigInt(2 * PINGS));
  });

  it('with the source-specific route gone, the plain route is the fast path\'s again', async () => {
    await ip(['-6', 'route', 'del', ...fromRoute], lab.router.ns);
    try {
      await within(SYNC_MS, async () => (await routeOf(fp, lab.remote.v6)) === `${lab.router.toB.ifindex}/${lab.b.v6}`, 'plain route back in the fast path');
      const forwarded = await fp.packets('forwarded', lab.router.toA.ifindex);
      expect(await outcome()).toEqual({ fromRouted: PINGS, fromOther: PINGS });
      expect(await fp.packets('forwarded', lab.router.toA.ifindex)).toBeGreaterThan(forwarded);
    } finally {
      // back for the other case
      await ip(['-6', 'route', 'add', ...fromRoute], lab.router.ns);
      await within(2000, async () => (await routeOf(fp, lab.remote.v6)) === 'kernel', 'the source-specific route back');
    }
  });
});
