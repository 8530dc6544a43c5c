// The slow path forwards as the fast path does: for the same frame and the
// same maps, the userspace forwarder sends the same bytes out of the same
// device as XDP (checked against BPF_PROG_TEST_RUN). XDP punts only what it
// can forward, so a frame the forwarder cannot send means the tables changed
// after XDP punted it: the forwarder then decides as XDP would now, gives the
// kernel what XDP would pass up and drops what XDP would drop.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XdpAction } from '../../dataplane/layout.js';
import type { Reason } from '../../dataplane/layout.js';
import { UserspaceForwarder } from '../../router/slowpath/forward.js';
import type { ForwardOutcome } from '../../router/slowpath/forward.js';
import type { KernelPass } from '../../router/slowpath/kernel.js';
import { IPPROTO_TCP, ipv4Frame, ipv6Frame, withTrailer } from '../../support/frames.js';
import { createFixture, MAC } from './fixture.js';
import type { Fixture } from './fixture.js';

const IN = { dst: MAC.routerIn, src: MAC.hostA };
const TAGGED = { ...IN, vlan: 200, pcp: 3 };

const SAME_AS_XDP: Array<[string, Buffer]> = [
  ['IPv4 via a gateway', ipv4Frame(IN, { src: '192.0.2.10', dst: '198.51.100.70' })],
  ['IPv4 TCP, TTL 255', ipv4Frame(IN, { src: '192.0.2.10', dst: '198.51.100.70', proto: IPPROTO_TCP, ttl: 255 })],
  ['IPv4 connected host', ipv4Frame(IN, { src: '192.0.2.10', dst: '198.51.100.7' })],
  ['IPv4 out of a VLAN', ipv4Frame(IN, { src: '192.0.2.10', dst: '198.51.100.140' })],
  ['IPv4 tagged in, untagged out', ipv4Frame(TAGGED, { src: '192.0.2.10', dst: '198.51.100.70' })],
  ['IPv4 tagged in, tagged out', ipv4Frame(TAGGED, { src: '192.0.2.10', dst: '198.51.100.140' })],
  ['IPv6 via a link-local gateway', ipv6Frame(IN, { src: '2001:db8:1::10', dst: '2001:db8:30::1' })],
  ['IPv6 via a gateway', ipv6Frame(IN, { src: '2001:db8:1::10', dst: '2001:db8:20::5' })],
  ['IPv4 with 10 bytes after the datagram (cut off)', withTrailer(ipv4Frame(IN, { src: '192.0.2.10', dst: '198.51.100.70' }), 10)],
  ['IPv6 with padding after the datagram (cut off)', withTrailer(ipv6Frame(IN, { src: '2001:db8:1::10', dst: '2001:db8:20::5' }), 6, 0)],
  ['IPv4 tagged in, tagged out, with padding (cut off)', withTrailer(ipv4Frame(TAGGED, { src: '192.0.2.10', dst: '198.51.100.140' }), 4, 0)],
];

/** Frames the forwarder does not send, with XDP's reason for them, which names the outcome. */
const NOT_SENT: Array<[string, Buffer, ForwardOutcome]> = [
  ['no route', ipv4Frame(IN, { src: '192.0.2.10', dst: '192.0.2.5' }), 'no-route'],
  ['blackhole', ipv4Frame(IN, { src: '192.0.2.10', dst: '203.0.113.200' }), 'blackhole'],
  ['unreachable route', ipv4Frame(IN, { src: '192.0.2.10', dst: '203.0.113.230' }), 'unreachable'],
  ['a route left to the kernel', ipv4Frame(IN, { src: '192.0.2.10', dst: '198.51.100.100' }), 'kernel-route'],
  ['neighbour not resolved', ipv4Frame(IN, { src: '192.0.2.10', dst: '192.0.2.130' }), 'no-neigh'],
  ['IPv6 neighbour not resolved', ipv6Frame(IN, { src: '2001:db8:1::10', dst: '2001:db8:5::1' }), 'no-neigh'],
  ['TTL 1', ipv4Frame(IN, { src: '192.0.2.10', dst: '198.51.100.70', ttl: 1 }), 'ttl'],
  ['egress down', ipv4Frame(IN, { src: '192.0.2.10', dst: '192.0.2.40' }), 'no-iface'],
  ['over the egress MTU', ipv4Frame(IN, { src: '192.0.2.10', dst: '198.51.100.70', payload: Buffer.alloc(1501 - 28) }), 'mtu'],
];

/** A way back to the kernel that records what it is given; `accept` false plays a kernel that refuses. */
function recordingKernel(accept = true): KernelPass & { given: Array<{ frame: Buffer; ingressIfindex: number; failed: () => void }> } {
  const given: Array<{ frame: Buffer; ingressIfindex: number; failed: () => void }> = [];
  return {
    given,
    pass(frame, ingressIfindex, failed) {
      if (accept) given.push({ frame: Buffer.from(frame), ingressIfindex, failed });
      return accept;
    },
  };
}

describe('slow-path forwarding matches the fast path', () => {
  let fixture: Fixture;
  const sent: Array<{ ifindex: number; frame: Buffer }> = [];
  let sockets: Map<number, { transmit: (frames: Buffer[]) => number }>;
  let forwarder: UserspaceForwarder;
  let kernel: ReturnType<typeof recordingKernel>;
  let in0: number;

  beforeAll(async () => {
    fixture = await createFixture('slow');
    in0 = fixture.ifindex.in0;
    // what the sockets would transmit, by the device they sit on
    sockets = new Map(
      (['out1', 'out2'] as const).map((dev) => [fixture.ifindex[dev], { transmit: (frames: Buffer[]) => (frames.forEach((frame) => sent.push({ ifindex: fixture.ifindex[dev], frame })), frames.length) }]),
    );
    kernel = recordingKernel();
    forwarder = new UserspaceForwarder(fixture.fp, sockets, kernel);
  });
  afterAll(async () => {
    await fixture?.teardown();
  });

  for (const [name, frame] of SAME_AS_XDP) {
    it(`${name}: the same bytes as XDP`, async () => {
      const xdp = await fixture.fp.testRun({ data: frame, ingressIfindex: in0 });
      expect(xdp.retval).toBe(XdpAction.redirect);
      sent.length = 0;
      expect(forwarder.forward(frame, in0)).toBe('forwarded');
      expect(sent).toHaveLength(1);
      expect(sent[0]!.frame.toString('hex')).toBe(xdp.data.toString('hex'));
    });
  }

  it('a batch mixing every case: each frame as alone, one transmit per egress socket', async () => {
    const frames = [...SAME_AS_XDP.map(([, f]) => f), ...NOT_SENT.map(([, f]) => f), ...SAME_AS_XDP.map(([, f]) => f)];
    const alone: Array<{ outcome: ForwardOutcome; out: string[] }> = [];
    for (const frame of frames) {
      sent.length = 0;
      alone.push({ outcome: forwarder.forward(frame, in0), out: sent.map((x) => `${x.ifindex}:${x.frame.toString('hex')}`) });
    }
    const calls: number[] = [];
    const batchSent: string[] = [];
    const counting = new UserspaceForwarder(
      fixture.fp,
      new Map(
        (['out1', 'out2'] as const).map((dev) => [
          fixture.ifindex[dev],
          {
            transmit: (out: Buffer[]) => {
              calls.push(out.length);
              for (const f of out) batchSent.push(`${fixture.ifindex[dev]}:${f.toString('hex')}`);
              return out.length;
            },
          },
        ]),
      ),
    );
    expect(counting.forwardBatch(frames, in0)).toEqual(alone.map((a) => a.outcome));
    expect(batchSent.sort()).toEqual(alone.flatMap((a) => a.out).sort());
    expect(calls.length).toBeLessThanOrEqual(2);
    expect(counting.packets('forwarded')).toBe(2 * SAME_AS_XDP.length);
  });

  it('a full TX ring: the frames beyond its room are tx-full, in order, and dropped', () => {
    const frame = SAME_AS_XDP[0]![1];
    const out1 = fixture.ifindex.out1;
    const out2 = fixture.ifindex.out2;
    const room = (n: number) => ({ transmit: (f: Buffer[]) => Math.min(n, f.length) });
    const refused = recordingKernel();
    const limited = new UserspaceForwarder(fixture.fp, new Map([[out1, room(2)], [out2, room(2)]]), refused);
    expect(limited.forwardBatch([frame, frame, frame, frame], in0)).toEqual(['forwarded', 'forwarded', 'tx-full', 'tx-full']);
    expect(limited.results()).toEqual([
      { outcome: 'forwarded', action: 'transmit', packets: 2 },
      { outcome: 'tx-full', action: 'drop', packets: 2 },
    ]);
    expect(refused.given).toHaveLength(0);
  });

  for (const [name, frame, outcome] of NOT_SENT) {
    const drops = outcome === 'blackhole';
    it(`${name}: ${outcome} as XDP decides, nothing sent, ${drops ? 'dropped as XDP drops it' : 'given to the kernel on its ingress interface, untouched'}`, async () => {
      const xdp = await fixture.run(frame);
      const reason: Reason = drops ? 'drop-blackhole' : (`pass-${outcome}` as Reason);
      expect(xdp.reasons).toEqual([reason]);
      sent.length = 0;
      kernel.given.length = 0;
      expect(forwarder.forward(frame, in0)).toBe(outcome);
      expect(sent).toHaveLength(0);
      expect(kernel.given.map((g) => [g.frame.toString('hex'), g.ingressIfindex])).toEqual(drops ? [] : [[frame.toString('hex'), in0]]);
    });
  }

  describe('the tables change between XDP punting a frame and the forwarder reading it', () => {
    // 198.51.100.80/28 has a punt rule (fixture.ts): XDP sends these frames to the slow path
    const punted = ipv4Frame(IN, { src: '192.0.2.10', dst: '198.51.100.81' });
    const big = ipv4Frame(IN, { src: '192.0.2.10', dst: '198.51.100.81', payload: Buffer.alloc(1400 - 28) });

    it('the neighbour went away: no-neigh, the frame goes to the kernel (it resolves the neighbour), counted as such', async () => {
      expect((await fixture.run(punted)).reasons).toEqual(['pass-punt-no-socket']);
      const k = recordingKernel();
      const f = new UserspaceForwarder(fixture.fp, sockets, k);
      expect(fixture.fp.deleteNeighbour(fixture.ifindex.out1, '198.51.100.2')).toBe(true);
      try {
        expect(f.forward(punted, in0)).toBe('no-neigh');
        expect((await fixture.run(punted)).reasons).toEqual(['pass-no-neigh']);
      } finally {
        fixture.fp.setNeighbour(fixture.ifindex.out1, '198.51.100.2', MAC.gw1);
      }
      expect(k.given.map((g) => g.frame.equals(punted))).toEqual([true]);
      expect(f.results()).toEqual([{ outcome: 'no-neigh', action: 'kernel', packets: 1 }]);
      // and should the kernel fail to take it after all, it counts as dropped
      k.given[0]!.failed();
      expect(f.results()).toEqual([{ outcome: 'no-neigh', action: 'drop', packets: 1 }]);
    });

    it('the egress MTU was lowered: mtu, the kernel gets it (and sends frag-needed)', async () => {
      expect((await fixture.run(big)).reasons).toEqual(['pass-punt-no-socket']);
      const k = recordingKernel();
      const f = new UserspaceForwarder(fixture.fp, sockets, k);
      const out1 = fixture.fp.iface(fixture.ifindex.out1)!;
      fixture.fp.setInterface(fixture.ifindex.out1, { ...out1, mtu: 1280 });
      try {
        expect(f.forward(big, in0)).toBe('mtu');
        expect((await fixture.run(big)).reasons).toEqual(['pass-mtu']);
      } finally {
        fixture.fp.setInterface(fixture.ifindex.out1, out1);
      }
      expect(k.given).toHaveLength(1);
      expect(f.results()).toEqual([{ outcome: 'mtu', action: 'kernel', packets: 1 }]);
    });

    it('the route became a blackhole: dropped, as XDP now drops it', async () => {
      const k = recordingKernel();
      const f = new UserspaceForwarder(fixture.fp, sockets, k);
      const before = fixture.fp.lookupRoute('198.51.100.81')!;
      fixture.fp.setRoute('198.51.100.80/28', { type: 'blackhole' });
      try {
        expect(f.forward(punted, in0)).toBe('blackhole');
        expect((await fixture.run(punted)).reasons).toEqual(['drop-blackhole']);
      } finally {
        fixture.fp.deleteRoute('198.51.100.80/28');
      }
      expect(fixture.fp.lookupRoute('198.51.100.81')).toEqual(before);
      expect(k.given).toHaveLength(0);
      expect(f.results()).toEqual([{ outcome: 'blackhole', action: 'drop', packets: 1 }]);
    });

    it('a kernel that refuses the frame (no live frames, or too many on their way): dropped and counted', () => {
      const f = new UserspaceForwarder(fixture.fp, sockets, recordingKernel(false));
      const alone = new UserspaceForwarder(fixture.fp, sockets);
      const unresolved = NOT_SENT.find(([, , o]) => o === 'no-neigh')![1];
      expect(f.forward(unresolved, in0)).toBe('no-neigh');
      expect(alone.forward(unresolved, in0)).toBe('no-neigh');
      for (const x of [f, alone]) expect(x.results()).toEqual([{ outcome: 'no-neigh', action: 'drop', packets: 1 }]);
    });
  });
});
