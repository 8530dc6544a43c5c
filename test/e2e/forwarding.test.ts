// End to end: host A - router - host B in network namespaces, the program
// attached to the router's veths through the addon, its maps filled from
// TypeScript. With kernel forwarding off only XDP can carry the traffic.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FastPath } from '../../dataplane/fastpath.js';
import { addon } from '../../dataplane/native.js';
import { attachLab, detachLab, programLab } from '../../router/lab/program.js';
import { createLab, destroyLab, setKernelForwarding } from '../../router/lab/topology.js';
import type { Lab } from '../../router/lab/topology.js';
import { kernelSupportsFreplace } from '../helpers/kernel.js';
import { ping, tcpTransfer, udpStream } from '../../router/lab/traffic.js';

const PREFIX = `xrt-e2e-${process.pid}`;

describe('forwarding through XDP in the namespace lab', () => {
  let lab: Lab;
  let fp: FastPath;
  let attached = false;

  beforeAll(async () => {
    lab = await createLab(PREFIX);
    fp = await FastPath.open({ netns: lab.router.ns });
    await programLab(fp, lab);
    const modes = await attachLab(fp, lab);
    attached = true;
    expect(Object.values(modes)).toEqual(['native', 'native']);
    await setKernelForwarding(lab, false);
  });

  afterAll(async () => {
    try {
      if (attached) await detachLab(fp, lab);
    } finally {
      fp?.close();
      await destroyLab(PREFIX);
    }
  });

  const forwarded = async (dev: 'toA' | 'toB'): Promise<bigint> => fp.packets('forwarded', lab.router[dev].ifindex);

  it('the program is attached through libxdp: behind its dispatcher where the kernel can freplace', () => {
    const q = addon.queryXdp(lab.router.toA.ifindex, `/run/netns/${lab.router.ns}`);
    expect(q.mode).toBe('native');
    expect(q.programs.map((p) => p.name)).toEqual(['xdp_router']);
    // libxdp's dispatcher needs BPF_PROG_TYPE_EXT; without it libxdp attaches the program alone
    expect(q.legacy).toBe(!kernelSupportsFreplace());
  });

  it('IPv4 ping crosses both ways with kernel forwarding off', async () => {
    const before = { a: await forwarded('toA'), b: await forwarded('toB') };
    expect(await ping(lab.a.ns, lab.b.v4, 5)).toBe(5);
    expect(await forwarded('toA')).toBeGreaterThanOrEqual(before.a + 5n); // requests in from A
    expect(await forwarded('toB')).toBeGreaterThanOrEqual(before.b + 5n); // replies in from B
  });

  it('IPv6 ping crosses both ways', async () => {
    const before = { a: await forwarded('toA'), b: await forwarded('toB') };
    expect(await ping(lab.a.ns, lab.b.v6, 5)).toBe(5);
    expect(await forwarded('toA')).toBeGreaterThanOrEqual(before.a + 5n);
    expect(await forwarded('toB')).toBeGreaterThanOrEqual(before.b + 5n);
  });

  it('a prefix behind a gateway (B) is reached, IPv4 and IPv6', async () => {
    expect(await ping(lab.a.ns, lab.remote.v4, 3)).toBe(3);
    expect(await ping(lab.a.ns, lab.remote.v6, 3)).toBe(3);
  });

  it('a UDP stream A -> B arrives whole, every datagram counted as forwarded', async () => {
    const before = await forwarded('toA');
    const r = await udpStream(lab.a.ns, lab.b.ns, lab.b.v4, 3000, 1500);
    expect(r).toMatchObject({ sent: 3000, received: 3000, unique: 3000, corrupt: 0 });
    expect(await forwarded('toA')).toBeGreaterThanOrEqual(before + 3000n);
  });

  it('a 4 MiB TCP transfer A -> B over IPv4, and B -> A over IPv6, arrives byte for byte', async () => {
    const MiB4 = 4 * 1024 * 1024;
    for (const [from, to, addr, dev] of [
      [lab.a.ns, lab.b.ns, lab.b.v4, 'toA'],
      [lab.b.ns, lab.a.ns, lab.a.v6, 'toB'],
    ] as const) {
      const before = await forwarded(dev);
      const r = await tcpTransfer(from, to, addr, MiB4);
      expect(r.received).toEqual(r.sent);
      expect(r.received.bytes).toBe(MiB4);
      // kernel forwarding is off: every segment crossed in XDP (at most 1,500 bytes each)
      expect(await forwarded(dev)).toBeGreaterThanOrEqual(before + BigInt(Math.ceil(MiB4 / 1500)));
    }
  });

  it('a UDP stream B -> A over IPv6 arrives whole', async () => {
    const before = await forwarded('toB');
    const r = await udpStream(lab.b.ns, lab.a.ns, lab.a.v6, 3000, 1500);
    expect(r).toMatchObject({ sent: 3000, received: 3000, unique: 3000, corrupt: 0 });
    expect(await forwarded('toB')).toBeGreaterThanOrEqual(before + 3000n);
  });

  /** body without B's connected route in the maps; the route and kernel forwarding off are back after it */
  const withoutRouteToB = async (body: () => Promise<void>): Promise<void> => {
    expect(fp.deleteRoute(lab.nets.b4)).toBe(true);
    try {
      await body();
    } finally {
      await setKernelForwarding(lab, false);
      await programLab(fp, lab);
    }
  };

  it('without the route in the maps, traffic goes up to the kernel and still crosses', async () => {
    await withoutRouteToB(async () => {
      await setKernelForwarding(lab, true);
      const before = await fp.packets('pass-no-route', lab.router.toA.ifindex);
      expect(await ping(lab.a.ns, lab.b.v4, 5)).toBe(5);
      expect(await fp.packets('pass-no-route', lab.router.toA.ifindex)).toBeGreaterThanOrEqual(before + 5n);
    });
  });

  it('with forwarding off and no route, nothing crosses: the fast path was doing the work', async () => {
    await withoutRouteToB(async () => {
      expect(await ping(lab.a.ns, lab.b.v4, 2)).toBe(0);
    });
  });
});
