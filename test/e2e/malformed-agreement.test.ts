// Frames the fast path hands up because they are broken, need the kernel
// (a bad header checksum, a truncated datagram, TTL 1, IPv4 options) or are
// for the router itself (its addresses on either interface, sent
// from A as raw frames: the kernel alone and the kernel behind xdp-router
// must do the same with them. Decisions alone (test/fastpath/) show the
// program passes them; this shows the kernel then drops and counts them
// where it would have without XDP (IpExtInCsumErrors, IpInHdrErrors...),
// delivers to its own UDP what it would have (UdpNoPorts: IPv6's own
// addresses sit behind a filter in front of their exact lookup, and a
// clear bit under one of them would forward it instead), and delivers to B
// what it would have delivered.
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastPath } from '../../dataplane/fastpath.js';
import type { Reason } from '../../dataplane/layout.js';
import { addon } from '../../dataplane/native.js';
import type { XskSocket } from '../../dataplane/native.js';
import { counterRise, nstatCounters } from '../../router/lab/loss.js';
import type { Lab } from '../../router/lab/topology.js';
import { ping } from '../../router/lab/traffic.js';
import { ipv4Frame, ipv6Frame, withBadIpv4Checksum, withBytes } from '../../support/frames.js';
import type { EthSpec, IPv4Spec, IPv6Spec } from '../../support/frames.js';
import { startLabDaemon } from '../../support/lab-daemon.js';
import type { LabDaemon } from '../../support/lab-daemon.js';
import { within } from '../helpers/router.js';

const PREFIX = `xrt-malk-${process.pid}`;
/** frames of each case, sent in one call: fewer than the socket's transmit ring holds */
const FRAMES = 16;
/** how long the kernel may take to count what it was sent, and how long nothing more may arrive after */
const COUNTED_MS = 3000;
const SETTLE_MS = 200;
const L3 = 14;
/** UDP's discard port: nothing listens on B or the router, so each counts the datagrams it is given (UdpNoPorts) */
const DISCARD = 9;

/** What the router's kernel counts of a frame it drops on the way in, and what B counts of a datagram it gets. */
const ROUTER_COUNTERS = ['UdpNoPorts', 'Udp6NoPorts', 'IpExtInCsumErrors', 'IpInHdrErrors', 'IpExtInTruncatedPkts', 'IpInAddrErrors', 'IpInDiscards', 'IpExtInNoRoutes', 'Ip6InHdrErrors', 'Ip6InTruncatedPkts', 'Ip6InAddrErrors', 'Ip6InDiscards', 'Ip6InNoRoutes'];
const B_COUNTERS = ['UdpNoPorts', 'Udp6NoPorts', 'UdpInCsumErrors', 'Udp6InCsumErrors'];

/** counter ("router.X" or "b.X") -> how much it rose; only those that did */
type Outcome = Record<string, number>;

interface Case {
  name: string;
  frame: (lab: Lab) => Buffer;
  /** what the kernel alone counts per frame (checked, so the case is shown to be real) */
  kernel: Outcome;
  /** the fast path's reason for the frames on the router's interface to A */
  reason: Reason;
}

const eth = (lab: Lab): EthSpec => ({ dst: lab.router.toA.mac, src: lab.a.mac });
const udp4 = (lab: Lab, more: Partial<IPv4Spec> = {}): Buffer =>
  ipv4Frame(eth(lab), { src: lab.a.v4, dst: lab.b.v4, dport: DISCARD, payload: Buffer.alloc(18), ...more });
const udp6 = (lab: Lab, more: Partial<IPv6Spec> = {}): Buffer =>
  ipv6Frame(eth(lab), { src: lab.a.v6, dst: lab.b.v6, dport: DISCARD, payload: Buffer.alloc(18), ...more });

const CASES: Case[] = [
  // the controls: a frame each side forwards, the kernel itself or the fast path
  { name: 'a well-formed IPv4 datagram to B is delivered', frame: (lab) => udp4(lab), kernel: { 'b.UdpNoPorts': 1 }, reason: 'forwarded' },
  { name: 'a well-formed IPv6 datagram to B is delivered', frame: (lab) => udp6(lab), kernel: { 'b.Udp6NoPorts': 1 }, reason: 'forwarded' },
  // ip_local_deliver and ip6_input_finish: the router's own UDP, on the interface the frame came in by and on the other one
  { name: 'an IPv4 datagram to the router\'s address toward A', frame: (lab) => udp4(lab, { dst: lab.router.toA.v4 }), kernel: { 'router.UdpNoPorts': 1 }, reason: 'pass-local' },
  { name: 'an IPv4 datagram to the router\'s address toward B', frame: (lab) => udp4(lab, { dst: lab.router.toB.v4 }), kernel: { 'router.UdpNoPorts': 1 }, reason: 'pass-local' },
  { name: 'an IPv6 datagram to the router\'s address toward A', frame: (lab) => udp6(lab, { dst: lab.router.toA.v6 }), kernel: { 'router.Udp6NoPorts': 1 }, reason: 'pass-local' },
  { name: 'an IPv6 datagram to the router\'s address toward B', frame: (lab) => udp6(lab, { dst: lab.router.toB.v6 }), kernel: { 'router.Udp6NoPorts': 1 }, reason: 'pass-local' },
  // ip_rcv_core: csum_error counts the checksum, then falls through to the header error
  { name: 'IPv4 header checksum one off', frame: (lab) => withBadIpv4Checksum(udp4(lab)), kernel: { 'router.IpExtInCsumErrors': 1, 'router.IpInHdrErrors': 1 }, reason: 'pass-bad-checksum' },
  { name: 'IPv4 header checksum one off, to the router itself', frame: (lab) => withBadIpv4Checksum(udp4(lab, { dst: lab.router.toA.v4 })), kernel: { 'router.IpExtInCsumErrors': 1, 'router.IpInHdrErrors': 1 }, reason: 'pass-bad-checksum' },
  { name: 'IPv4 IHL 4, shorter than the fixed header', frame: (lab) => withBytes(udp4(lab), L3, [0x44]), kernel: { 'router.IpInHdrErrors': 1 }, reason: 'malformed' },
  { name: 'version 6 in an IPv4 ethertype', frame: (lab) => withBytes(udp4(lab), L3, [0x65]), kernel: { 'router.IpInHdrErrors': 1 }, reason: 'malformed' },
  { name: 'IPv4 total length beyond the frame', frame: (lab) => udp4(lab).subarray(0, -4), kernel: { 'router.IpExtInTruncatedPkts': 1 }, reason: 'malformed' },
  // ip_forward's too_many_hops; the time-exceeded it sends back is rate-limited, so not compared
  { name: 'IPv4 TTL 1', frame: (lab) => udp4(lab, { ttl: 1 }), kernel: { 'router.IpInHdrErrors': 1 }, reason: 'pass-ttl' },
  { name: 'IPv4 options (NOPs and an end): the kernel forwards them', frame: (lab) => udp4(lab, { options: Buffer.from([1, 1, 1, 0]) }), kernel: { 'b.UdpNoPorts': 1 }, reason: 'pass-options' },
  { name: 'IPv6 payload length beyond the frame', frame: (lab) => udp6(lab).subarray(0, -1), kernel: { 'router.Ip6InTruncatedPkts': 1 }, reason: 'malformed' },
  { name: 'IPv6 hop limit 1', frame: (lab) => udp6(lab, { hopLimit: 1 }), kernel: { 'router.Ip6InHdrErrors': 1 }, reason: 'pass-ttl' },
];

async function readCounters(lab: Lab): Promise<Outcome> {
  const out: Outcome = {};
  for (const [k, v] of Object.entries(await nstatCounters(lab.router.ns, ROUTER_COUNTERS))) out[`router.${k}`] = v;
  for (const [k, v] of Object.entries(await nstatCounters(lab.b.ns, B_COUNTERS))) out[`b.${k}`] = v;
  return out;
}

const times = (perFrame: Outcome, n: number): Outcome => Object.fromEntries(Object.entries(perFrame).map(([k, v]) => [k, v * n]));

/**
 * Send FRAMES copies of frame from A and wait until the counters read
 * `awaited`; then a little longer, so a count that goes on rising shows.
 * Answers what rose (so a mismatch shows what the kernel did instead).
 */
async function sendAndCount(lab: Lab, socket: XskSocket, frame: Buffer, awaited: Outcome): Promise<Outcome> {
  const before = await readCounters(lab);
  expect(socket.transmit(Array.from({ length: FRAMES }, () => frame))).toBe(FRAMES);
  // not there in time: what did rise is the answer, and the caller's comparison shows it
  await within(COUNTED_MS, async () => isDeepStrictEqual(counterRise(before, await readCounters(lab)), awaited), 'the counters').catch(() => undefined);
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  return counterRise(before, await readCounters(lab));
}

describe('frames the fast path hands up or leaves to the router: the kernel alone and behind xdp-router agree', () => {
  let h: LabDaemon | undefined;
  let lab: Lab;
  let fp: FastPath;
  let socket: XskSocket | undefined;
  const alone = new Map<string, Outcome>();

  /** Each case with the kernel alone, before the daemon starts. */
  const kernelAlone = async (l: Lab): Promise<void> => {
    lab = l;
    // the neighbours both ways, so neither side queues a frame on ARP or ND
    expect(await ping(lab.a.ns, lab.b.v4, 1)).toBe(1);
    expect(await ping(lab.a.ns, lab.b.v6, 1)).toBe(1);
    // a copy-mode AF_XDP socket on A's veth sends the frames as built; it loads no program, so A's own traffic still reaches A
    const netns = `/run/netns/${lab.a.ns}`;
    socket = new addon.XskSocket({ ifindex: addon.ifIndex(lab.a.dev, netns), queue: 0, netns, frameCount: 256, ringSize: 64, bind: 'copy' });
    for (const c of CASES) alone.set(c.name, await sendAndCount(lab, socket, c.frame(lab), times(c.kernel, FRAMES)));
  };

  beforeAll(async () => {
    h = await startLabDaemon({ prefix: PREFIX, beforeDaemon: kernelAlone });
    ({ fp } = h);
    // the fast path forwards to B from the first frame of the controls
    expect(await ping(lab.a.ns, lab.b.v4, 1)).toBe(1);
    expect(await ping(lab.a.ns, lab.b.v6, 1)).toBe(1);
  }, 120_000);

  afterAll(async () => {
    socket?.close();
    await h?.dispose();
  });

  for (const c of CASES) {
    it(c.name, async () => {
      expect(alone.get(c.name)).toEqual(times(c.kernel, FRAMES));
      const before = await fp.packets(c.reason, lab.router.toA.ifindex);
      expect(await sendAndCount(lab, socket!, c.frame(lab), alone.get(c.name)!)).toEqual(alone.get(c.name));
      expect(await fp.packets(c.reason, lab.router.toA.ifindex)).toBe(before + BigInt(FRAMES));
    }, 20_000);
  }
});
