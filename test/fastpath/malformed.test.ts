// Malformed and truncated frames: each is passed up untouched (the kernel
// drops what is broken) or dropped, and none is read past its end (the
// verifier holds the program to that; these cases hold the decisions).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XdpAction } from '../../dataplane/layout.js';
import type { Reason } from '../../dataplane/layout.js';
import { ethHeader, ETH_P_8021Q, ETH_P_IP, ETH_P_IPV6, ipv4Frame, ipv4Packet, ipv6Frame, ipv6Packet, withBadIpv4Checksum, withBytes } from '../../support/frames.js';
import type { EthSpec } from '../../support/frames.js';
import { createFixture, MAC } from './fixture.js';
import type { Fixture } from './fixture.js';

const IN: EthSpec = { dst: MAC.routerIn, src: MAC.hostA };
const v4 = { src: '192.0.2.10', dst: '198.51.100.70' };
const v6 = { src: '2001:db8:1::10', dst: '2001:db8:20::5' };

const L3 = 14;
const good4 = ipv4Frame(IN, v4);
const good6 = ipv6Frame(IN, v6);

const cases: Array<{ name: string; frame: Buffer; reason: Reason }> = [
  { name: 'Ethernet header with no IPv4 header', frame: ethHeader(IN, ETH_P_IP), reason: 'malformed' },
  { name: 'Ethernet header with no IPv6 header', frame: ethHeader(IN, ETH_P_IPV6), reason: 'malformed' },
  { name: 'cut inside the 802.1Q tag', frame: Buffer.concat([ethHeader(IN, ETH_P_8021Q).subarray(0, 14), Buffer.from([0, 200])]), reason: 'malformed' },
  { name: 'IPv4 cut inside the header (10 of 20 bytes)', frame: good4.subarray(0, L3 + 10), reason: 'malformed' },
  { name: 'IPv4 cut one byte short of the header', frame: good4.subarray(0, L3 + 19), reason: 'malformed' },
  { name: 'tagged IPv4 cut inside the header', frame: ipv4Frame({ ...IN, vlan: 200 }, v4).subarray(0, 18 + 12), reason: 'malformed' },
  { name: 'IPv4 IHL 4 (shorter than the fixed header)', frame: withBytes(good4, L3, [0x44]), reason: 'malformed' },
  { name: 'IPv4 IHL 0', frame: withBytes(good4, L3, [0x40]), reason: 'malformed' },
  { name: 'IPv4 IHL 15 beyond the frame', frame: ipv4Frame(IN, { ...v4, payload: Buffer.alloc(0) }).subarray(0, L3 + 28).fill(0x4f, L3, L3 + 1), reason: 'malformed' },
  { name: 'version 6 in an IPv4 ethertype', frame: withBytes(good4, L3, [0x65]), reason: 'malformed' },
  { name: 'IPv4 total length beyond the frame (truncated payload)', frame: good4.subarray(0, good4.length - 4), reason: 'malformed' },
  { name: 'IPv4 total length shorter than its header', frame: withBytes(good4, L3 + 2, [0, 16]), reason: 'malformed' },
  { name: 'IPv4 cut inside the UDP header', frame: good4.subarray(0, L3 + 24), reason: 'malformed' },
  // a broken header stays malformed whatever its checksum
  { name: 'IPv4 truncated payload and a bad header checksum', frame: withBadIpv4Checksum(good4).subarray(0, good4.length - 4), reason: 'malformed' },
  { name: 'IPv4 options (IHL 6)', frame: ipv4Frame(IN, { ...v4, options: Buffer.from([1, 1, 1, 0]) }), reason: 'pass-options' },
  // options go up anyway, and the kernel checks the longer header's sum
  { name: 'IPv4 options with a bad header checksum', frame: withBadIpv4Checksum(ipv4Frame(IN, { ...v4, options: Buffer.from([1, 1, 1, 0]) })), reason: 'pass-options' },
  { name: 'IPv4 first fragment (MF)', frame: ipv4Frame(IN, { ...v4, fragOff: 0x2000 }), reason: 'pass-fragment' },
  { name: 'IPv4 later fragment (offset)', frame: ipv4Frame(IN, { ...v4, fragOff: 0x00b9 }), reason: 'pass-fragment' },
  { name: 'IPv6 cut inside the header (20 of 40 bytes)', frame: good6.subarray(0, L3 + 20), reason: 'malformed' },
  { name: 'IPv6 cut one byte short of the header', frame: good6.subarray(0, L3 + 39), reason: 'malformed' },
  { name: 'version 4 in an IPv6 ethertype', frame: withBytes(good6, L3, [0x40]), reason: 'malformed' },
  { name: 'IPv6 payload length beyond the frame', frame: good6.subarray(0, good6.length - 1), reason: 'malformed' },
  { name: 'IPv6 fragment header', frame: ipv6Frame(IN, { ...v6, nextHeader: 44 }), reason: 'pass-fragment' },
  { name: 'IPv4 packet in an IPv6 ethertype', frame: Buffer.concat([ethHeader(IN, ETH_P_IPV6), ipv4Packet(v4)]), reason: 'malformed' },
  { name: 'IPv6 packet in an IPv4 ethertype', frame: Buffer.concat([ethHeader(IN, ETH_P_IP), ipv6Packet(v6)]), reason: 'malformed' },
];

describe('malformed and truncated frames', () => {
  let fixture: Fixture;
  beforeAll(async () => {
    fixture = await createFixture('mal');
  });
  afterAll(async () => {
    await fixture?.teardown();
  });

  for (const c of cases) {
    it(`${c.name}: ${c.reason}, untouched`, async () => {
      const { action, out, reasons } = await fixture.run(c.frame);
      expect(reasons).toEqual([c.reason]);
      expect(action).toBe(XdpAction.pass);
      expect(out.equals(c.frame)).toBe(true);
    });
  }

  it('the kernel refuses a frame shorter than an Ethernet header before the program sees it', async () => {
    await expect(fixture.fp.testRun({ data: Buffer.alloc(0) })).rejects.toMatchObject({ code: 'EINVAL' });
  });
});
