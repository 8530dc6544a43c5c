// The slow path's socket plan: one AF_XDP socket per receive queue of each
// interface, each in its own XSKMAP slot; more than the map's slots is
// refused before anything is bound, with the limit and the (interface,
// queue) pairs named; and how deep each socket's rings are for that many.
import { describe, expect, it } from 'vitest';
import { XSK_MAX } from '../../dataplane/layout.js';
import { planSockets, ringFramesFor, SlowPathError } from '../../router/slowpath/service.js';

const iface = (name: string, ifindex: number, queues: number) => ({ name, ifindex, queues });

describe('planSockets', () => {
  it('one socket per queue, interface by interface: slot i is the i-th', () => {
    expect(planSockets([iface('r0', 2, 2), iface('r1', 3, 1)])).toEqual([
      { name: 'r0', ifindex: 2, queue: 0 },
      { name: 'r0', ifindex: 2, queue: 1 },
      { name: 'r1', ifindex: 3, queue: 0 },
    ]);
  });

  it('exactly as many sockets as the XSK map has slots fit', () => {
    expect(planSockets([iface('eth0', 2, XSK_MAX / 2), iface('eth1', 3, XSK_MAX / 2)])).toHaveLength(XSK_MAX);
  });

  it('one more is refused: the limit, every pair and the pairs left without a slot named, and what to do', () => {
    const plan = () => planSockets([iface('eth0', 2, 40), iface('eth1', 3, 40)]);
    expect(plan).toThrow(SlowPathError);
    expect(plan).toThrow(/: 80, for eth0 queues 0-39, eth1 queues 0-39; the fast path's XSK map has 64 slots \(XR_XSK_MAX\), so eth1 queues 24-39 would have none/);
    expect(plan).toThrow(/ethtool -L/);
    expect(() => planSockets([iface('eth0', 2, XSK_MAX), iface('eth1', 3, 1)])).toThrow(/, so eth1 queue 0 would have none/);
  });

  it('a smaller limit (as a test or a rebuilt program might have)', () => {
    expect(() => planSockets([iface('eth0', 2, 3)], 2)).toThrow(/: 3, for eth0 queues 0-2; the fast path's XSK map has 2 slots \(XR_XSK_MAX\), so eth0 queue 2 would have none/);
  });
});

describe('ringFramesFor', () => {
  it('deep rings (8192 frames, 32 MiB of UMEM each) for up to 8 sockets, halved as more share the 256 MiB, never below 2048', () => {
    expect([1, 2, 8, 9, 16, 17, XSK_MAX].map(ringFramesFor)).toEqual([8192, 8192, 8192, 4096, 4096, 2048, 2048]);
  });
});
