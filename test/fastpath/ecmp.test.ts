// Multipath: over many flows every member of a group is used in proportion
// to its weight, and one flow always takes one path.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XdpAction } from '../../dataplane/layout.js';
import { IPPROTO_TCP, ipv4Frame, ipv6Frame, parseFrame } from '../../support/frames.js';
import { createFixture, MAC } from './fixture.js';
import type { Fixture } from './fixture.js';

const FLOWS = 1200;
const IN = { dst: MAC.routerIn, src: MAC.hostA };

/** Flow i: sources and ports vary as real traffic does. */
function flowFrame(i: number, family: 4 | 6, dst: string): Buffer {
  const l4 = { proto: i % 3 === 0 ? IPPROTO_TCP : undefined, sport: 1024 + ((i * 7919) % 60000), dport: 443 + (i % 5) };
  return family === 4
    ? ipv4Frame(IN, { src: `192.0.2.${10 + (i % 40)}`, dst, ...l4 })
    : ipv6Frame(IN, { src: `2001:db8:1::${(i % 40) + 16}`, dst, ...l4 });
}

async function spread(fx: Fixture, family: 4 | 6, dst: string): Promise<Map<string, number>> {
  const choice: string[] = [];
  const counts = new Map<string, number>();
  for (let i = 0; i < FLOWS; i++) {
    const res = await fx.fp.testRun({ data: flowFrame(i, family, dst), ingressIfindex: fx.ifindex.in0 });
    expect(res.retval).toBe(XdpAction.redirect);
    const mac = parseFrame(res.data).dst;
    choice.push(mac);
    counts.set(mac, (counts.get(mac) ?? 0) + 1);
  }
  // the same flow again takes the same next hop
  for (let i = 0; i < FLOWS; i += 7) {
    const res = await fx.fp.testRun({ data: flowFrame(i, family, dst), ingressIfindex: fx.ifindex.in0 });
    expect(parseFrame(res.data).dst).toBe(choice[i]);
  }
  return counts;
}

function expectShares(counts: Map<string, number>, shares: Record<string, number>): void {
  expect([...counts.keys()].sort()).toEqual(Object.keys(shares).sort());
  for (const [mac, share] of Object.entries(shares)) {
    const got = (counts.get(mac) ?? 0) / FLOWS;
    expect(Math.abs(got - share) / share, `${mac}: ${got.toFixed(3)} of flows for a share of ${share}`).toBeLessThan(0.2);
  }
}

describe('multipath next-hop groups', () => {
  let fixture: Fixture;
  beforeAll(async () => {
    fixture = await createFixture('ecmp');
  });
  afterAll(async () => {
    await fixture?.teardown();
  });

  it('IPv4, equal weights: both next hops, about half each, stable per flow', async () => {
    expectShares(await spread(fixture, 4, '203.0.113.70'), { [MAC.gw1]: 0.5, [MAC.gw2]: 0.5 });
  });

  it('IPv4, weights 1:3: a quarter and three quarters', async () => {
    expectShares(await spread(fixture, 4, '203.0.113.130'), { [MAC.gw1]: 0.25, [MAC.gw2]: 0.75 });
  });

  it('IPv6, equal weights', async () => {
    expectShares(await spread(fixture, 6, '2001:db8:40::1'), { [MAC.gw1v6]: 0.5, [MAC.gw2v6]: 0.5 });
  });

  it('flows that differ only in their ports spread too (the hash reads L4)', async () => {
    const macs = new Set<string>();
    for (let port = 1000; port < 1064; port++) {
      const res = await fixture.fp.testRun({
        data: ipv4Frame(IN, { src: '192.0.2.10', dst: '203.0.113.70', sport: port }),
        ingressIfindex: fixture.ifindex.in0,
      });
      macs.add(parseFrame(res.data).dst);
    }
    expect(macs.size).toBe(2);
  });
});
