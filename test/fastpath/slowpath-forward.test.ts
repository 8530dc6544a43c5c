// The slow path forwards as the fast path does: for the same frame and the
// same maps, the userspace forwarder sends the same bytes out of the same
// device as XDP (checked against BPF_PROG_TEST_RUN), and drops what XDP
// would have passed up.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XdpAction } from '../../dataplane/layout.js';
import { UserspaceForwarder } from '../../router/slowpath/forward.js';
import type { ForwardOutcome } from '../../router/slowpath/forward.js';
import { IPPROTO_TCP, ipv4Frame, ipv6Frame } from '../helpers/packet.js';
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
];

const DROPPED: Array<[string, Buffer, ForwardOutcome]> = [
  ['no route', ipv4Frame(IN, { src: '192.0.2.10', dst: '192.0.2.5' }), 'no-route'],
  ['blackhole', ipv4Frame(IN, { src: '192.0.2.10', dst: '203.0.113.200' }), 'blackhole'],
  ['neighbour not resolved', ipv4Frame(IN, { src: '192.0.2.10', dst: '192.0.2.130' }), 'no-neigh'],
  ['TTL 1', ipv4Frame(IN, { src: '192.0.2.10', dst: '198.51.100.70', ttl: 1 }), 'ttl'],
  ['egress down', ipv4Frame(IN, { src: '192.0.2.10', dst: '192.0.2.40' }), 'no-iface'],
];

describe('slow-path forwarding matches the fast path', () => {
  let fixture: Fixture;
  const sent: Array<{ ifindex: number; frame: Buffer }> = [];
  let forwarder: UserspaceForwarder;

  beforeAll(async () => {
    fixture = await createFixture('slow');
    // what the sockets would transmit, by the device they sit on
    const sockets = new Map(
      (['out1', 'out2'] as const).map((dev) => [fixture.ifindex[dev], { transmit: (frames: Buffer[]) => (frames.forEach((frame) => sent.push({ ifindex: fixture.ifindex[dev], frame })), frames.length) }]),
    );
    forwarder = new UserspaceForwarder(fixture.fp, sockets);
  });
  afterAll(async () => {
    await fixture?.teardown();
  });

  for (const [name, frame] of SAME_AS_XDP) {
    it(`${name}: the same bytes as XDP`, async () => {
      const xdp = await fixture.fp.testRun({ data: frame, ingressIfindex: fixture.ifindex.in0 });
      expect(xdp.retval).toBe(XdpAction.redirect);
      sent.length = 0;
      expect(forwarder.forward(frame)).toBe('forwarded');
      expect(sent).toHaveLength(1);
      expect(sent[0]!.frame.toString('hex')).toBe(xdp.data.toString('hex'));
    });
  }

  it('a batch mixing every case: each frame as alone, one transmit per egress socket', async () => {
    const frames = [...SAME_AS_XDP.map(([, f]) => f), ...DROPPED.map(([, f]) => f), ...SAME_AS_XDP.map(([, f]) => f)];
    const alone: Array<{ outcome: ForwardOutcome; out: string[] }> = [];
    for (const frame of frames) {
      sent.length = 0;
      alone.push({ outcome: forwarder.forward(frame), out: sent.map((x) => `${x.ifindex}:${x.frame.toString('hex')}`) });
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
    expect(counting.forwardBatch(frames)).toEqual(alone.map((a) => a.outcome));
    expect(batchSent.sort()).toEqual(alone.flatMap((a) => a.out).sort());
    expect(calls.length).toBeLessThanOrEqual(2);
    expect(counting.outcomes.get('forwarded')).toBe(2 * SAME_AS_XDP.length);
  });

  it('a full TX ring: the frames beyond its room are tx-full, in order', () => {
    const frame = SAME_AS_XDP[0]![1];
    const out1 = fixture.ifindex.out1;
    const out2 = fixture.ifindex.out2;
    const room = (n: number) => ({ transmit: (f: Buffer[]) => Math.min(n, f.length) });
    const limited = new UserspaceForwarder(fixture.fp, new Map([[out1, room(2)], [out2, room(2)]]));
    expect(limited.forwardBatch([frame, frame, frame, frame])).toEqual(['forwarded', 'forwarded', 'tx-full', 'tx-full']);
    expect(limited.outcomes.get('tx-full')).toBe(2);
  });

  for (const [name, frame, outcome] of DROPPED) {
    it(`${name}: dropped as ${outcome}, nothing sent`, () => {
      sent.length = 0;
      expect(forwarder.forward(frame)).toBe(outcome);
      expect(sent).toHaveLength(0);
    });
  }
});
