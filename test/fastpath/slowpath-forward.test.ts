// The slow path forwards as the fast path does: for the same frame and the
// same maps, the native forwarder (native/slowpath_*.cc, which the slow
// path's worker threads run) sends the same bytes out of the same device as
// XDP (checked against BPF_PROG_TEST_RUN), a multipath group's flows
// included. XDP punts only what it can forward, so a frame the forwarder
// cannot send means the tables changed after XDP punted it: the forwarder
// then decides as XDP would now, gives the kernel what XDP would pass up and
// drops what XDP would drop.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XdpAction } from '../../dataplane/layout.js';
import type { Reason } from '../../dataplane/layout.js';
import type { NativeProgram } from '../../dataplane/native.js';
import { UserspaceForwarder } from '../../router/slowpath/forward.js';
import type { ForwardOutcome } from '../../router/slowpath/forward.js';
import { openKernelHandoff } from '../../router/slowpath/kernel.js';
import { createLogger } from '../../router/log.js';
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
  // a group: the flow hash (with the program's seed) picks the member XDP picks
  ...[40000, 40001, 40002, 40003, 40004, 40005].map((sport): [string, Buffer] => [`IPv4 multipath, weights 1:3, source port ${sport}`, ipv4Frame(IN, { src: '192.0.2.10', dst: '203.0.113.130', sport })]),
  ...[40000, 40001, 40002, 40003].map((sport): [string, Buffer] => [`IPv6 multipath, source port ${sport}`, ipv6Frame(IN, { src: '2001:db8:1::10', dst: '2001:db8:40::1', sport })]),
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

describe('slow-path forwarding matches the fast path', () => {
  let fixture: Fixture;
  let forwarder: UserspaceForwarder;
  let reinject: NativeProgram | undefined;
  let in0: number;
  const log = createLogger({ level: 'error' });

  beforeAll(async () => {
    fixture = await createFixture('slow');
    in0 = fixture.ifindex.in0;
    forwarder = new UserspaceForwarder(fixture.fp, { transmitters: [] });
    reinject = await openKernelHandoff({ netns: `/run/netns/${fixture.ns}`, probeIfindex: in0, log });
    if (!reinject) throw new Error('this kernel refuses BPF_PROG_TEST_RUN live frames (EPERM): the hand-back cases cannot run here');
  });
  afterAll(async () => {
    reinject?.close();
    await fixture?.teardown();
  });

  for (const [name, frame] of SAME_AS_XDP) {
    it(`${name}: the same bytes out of the same device as XDP`, async () => {
      const xdp = await fixture.fp.testRun({ data: frame, ingressIfindex: in0 });
      expect(xdp.retval).toBe(XdpAction.redirect);
      const [d] = forwarder.decide([frame], in0);
      expect(d!.outcome).toBe('forwarded');
      expect(d!.frame!.toString('hex')).toBe(xdp.data.toString('hex'));
      // the device the rewritten source MAC belongs to
      const out = d!.frame!.subarray(6, 12).equals(Buffer.from(MAC.out1.replace(/:/g, ''), 'hex')) ? fixture.ifindex.out1 : fixture.ifindex.out2;
      expect(d!.ifindex).toBe(out);
    });
  }

  it('a batch mixing every case: each frame decided as alone', () => {
    const frames = [...SAME_AS_XDP.map(([, f]) => f), ...NOT_SENT.map(([, f]) => f), ...SAME_AS_XDP.map(([, f]) => f)];
    const alone = frames.map((f) => forwarder.decide([f], in0)[0]);
    expect(forwarder.decide(frames, in0)).toEqual(alone);
  });

  it('no socket on the egress device: no-socket, handed to the kernel untouched', () => {
    const f = new UserspaceForwarder(fixture.fp, { transmitters: [], reinject: reinject! });
    expect(f.forwardBatch([SAME_AS_XDP[0]![1], SAME_AS_XDP[0]![1]], in0)).toEqual(['no-socket', 'no-socket']);
    expect(f.results()).toEqual([{ outcome: 'no-socket', action: 'kernel', packets: 2 }]);
  });

  for (const [name, frame, outcome] of NOT_SENT) {
    const drops = outcome === 'blackhole';
    it(`${name}: ${outcome} as XDP decides, nothing sent, ${drops ? 'dropped as XDP drops it' : 'given to the kernel'}`, async () => {
      const xdp = await fixture.run(frame);
      const reason: Reason = drops ? 'drop-blackhole' : (`pass-${outcome}` as Reason);
      expect(xdp.reasons).toEqual([reason]);
      expect(forwarder.decide([frame], in0)).toEqual([{ outcome, ifindex: 0, frame: null }]);
      const f = new UserspaceForwarder(fixture.fp, { transmitters: [], reinject: reinject! });
      expect(f.forward(frame, in0)).toBe(outcome);
      expect(f.results()).toEqual([{ outcome, action: drops ? 'drop' : 'kernel', packets: 1 }]);
    });
  }

  describe('the tables change between XDP punting a frame and the forwarder reading it', () => {
    // 198.51.100.80/28 has a punt rule (fixture.ts): XDP sends these frames to the slow path
    const punted = ipv4Frame(IN, { src: '192.0.2.10', dst: '198.51.100.81' });
    const big = ipv4Frame(IN, { src: '192.0.2.10', dst: '198.51.100.81', payload: Buffer.alloc(1400 - 28) });

    it('the neighbour went away: no-neigh, the frame goes to the kernel (it resolves the neighbour), counted as such', async () => {
      expect((await fixture.run(punted)).reasons).toEqual(['pass-punt-no-socket']);
      const f = new UserspaceForwarder(fixture.fp, { transmitters: [], reinject: reinject! });
      // the forwarder has read the neighbour before: its copy goes with the write
      expect(f.decide([punted], in0)[0]!.outcome).toBe('forwarded');
      expect(fixture.fp.deleteNeighbour(fixture.ifindex.out1, '198.51.100.2')).toBe(true);
      try {
        expect(f.forward(punted, in0)).toBe('no-neigh');
        expect((await fixture.run(punted)).reasons).toEqual(['pass-no-neigh']);
      } finally {
        fixture.fp.setNeighbour(fixture.ifindex.out1, '198.51.100.2', MAC.gw1);
      }
      expect(f.results()).toEqual([{ outcome: 'no-neigh', action: 'kernel', packets: 1 }]);
      expect(f.decide([punted], in0)[0]!.outcome).toBe('forwarded');
    });

    it('the egress MTU was lowered: mtu, the kernel gets it (and sends frag-needed)', async () => {
      expect((await fixture.run(big)).reasons).toEqual(['pass-punt-no-socket']);
      const f = new UserspaceForwarder(fixture.fp, { transmitters: [], reinject: reinject! });
      expect(f.decide([big], in0)[0]!.outcome).toBe('forwarded');
      const out1 = fixture.fp.iface(fixture.ifindex.out1)!;
      fixture.fp.setInterface(fixture.ifindex.out1, { ...out1, mtu: 1280 });
      try {
        expect(f.forward(big, in0)).toBe('mtu');
        expect((await fixture.run(big)).reasons).toEqual(['pass-mtu']);
      } finally {
        fixture.fp.setInterface(fixture.ifindex.out1, out1);
      }
      expect(f.results()).toEqual([{ outcome: 'mtu', action: 'kernel', packets: 1 }]);
    });

    it('the route became a blackhole: dropped, as XDP now drops it (the IPv4 index is read where the program reads it)', async () => {
      const f = new UserspaceForwarder(fixture.fp, { transmitters: [], reinject: reinject! });
      const before = fixture.fp.lookupRoute('198.51.100.81')!;
      fixture.fp.setRoute('198.51.100.80/28', { type: 'blackhole' });
      try {
        expect(f.forward(punted, in0)).toBe('blackhole');
        expect((await fixture.run(punted)).reasons).toEqual(['drop-blackhole']);
      } finally {
        fixture.fp.deleteRoute('198.51.100.80/28');
      }
      expect(fixture.fp.lookupRoute('198.51.100.81')).toEqual(before);
      expect(f.results()).toEqual([{ outcome: 'blackhole', action: 'drop', packets: 1 }]);
    });

    it('without a way back to the kernel (live frames refused): dropped and counted', () => {
      const alone = new UserspaceForwarder(fixture.fp, { transmitters: [] });
      const unresolved = NOT_SENT.find(([, , o]) => o === 'no-neigh')![1];
      expect(alone.forward(unresolved, in0)).toBe('no-neigh');
      expect(alone.results()).toEqual([{ outcome: 'no-neigh', action: 'drop', packets: 1 }]);
    });
  });
});
