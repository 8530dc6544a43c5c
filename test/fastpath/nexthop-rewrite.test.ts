// Next hops carry their neighbour's and interface's state: each change must
// reach the program's next-hop entry at once, as the separate lookups it
// replaces would have seen it. And the router's IPv4 addresses, entries of
// the index, hide a route of the same /32 while they exist.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ipv4Frame, parseFrame } from '../../support/frames.js';
import type { EthSpec } from '../../support/frames.js';
import { createFixture, MAC } from './fixture.js';
import type { Fixture } from './fixture.js';

const IN: EthSpec = { dst: MAC.routerIn, src: MAC.hostA };
/** 198.51.100.64/26 via 198.51.100.2 (next hop 1) on out1 */
const VIA_GW1 = ipv4Frame(IN, { src: '192.0.2.10', dst: '198.51.100.70' });
const NEW_MAC = '02:00:00:00:01:99';

describe('next-hop entries follow their neighbour and interface', () => {
  // one fixture for the file: each case puts back what it changed
  let fx: Fixture;
  beforeAll(async () => void (fx = await createFixture('nhrw')));
  afterAll(() => fx?.teardown());

  it('the gateway\'s new MAC: the next frame carries it; invalid, then absent: pass-no-neigh; back: forwarded', async () => {
    const out1 = fx.ifindex.out1;
    try {
      fx.fp.setNeighbour(out1, '198.51.100.2', NEW_MAC);
      let r = await fx.run(VIA_GW1);
      expect(r.reasons).toEqual(['forwarded']);
      expect(parseFrame(r.out).dst).toBe(NEW_MAC);
      fx.fp.setNeighbour(out1, '198.51.100.2', '00:00:00:00:00:00', { valid: false });
      expect((await fx.run(VIA_GW1)).reasons).toEqual(['pass-no-neigh']);
      fx.fp.deleteNeighbour(out1, '198.51.100.2');
      expect((await fx.run(VIA_GW1)).reasons).toEqual(['pass-no-neigh']);
      expect(await fx.fp.staleNexthops()).toEqual([]);
    } finally {
      fx.fp.setNeighbour(out1, '198.51.100.2', MAC.gw1);
    }
    const r = await fx.run(VIA_GW1);
    expect(r.reasons).toEqual(['forwarded']);
    expect(parseFrame(r.out).dst).toBe(MAC.gw1);
  });

  it('a STALE gateway: forwarded, and the frame marks its use', async () => {
    const out1 = fx.ifindex.out1;
    try {
      fx.fp.setNeighbour(out1, '198.51.100.2', MAC.gw1, { stale: true });
      expect(fx.fp.neighbourUsed(out1, '198.51.100.2')).toBe(false);
      expect((await fx.run(VIA_GW1)).reasons).toEqual(['forwarded']);
      expect(fx.fp.neighbourUsed(out1, '198.51.100.2')).toBe(true);
    } finally {
      fx.fp.setNeighbour(out1, '198.51.100.2', MAC.gw1);
    }
  });

  it('the egress interface\'s MAC, MTU, state and flags: each reaches the next hop', async () => {
    const out1 = fx.ifindex.out1;
    const spec = { mac: MAC.out1, mtu: 1500, up: true };
    try {
      fx.fp.setInterface(out1, { ...spec, mac: NEW_MAC });
      expect(parseFrame((await fx.run(VIA_GW1)).out).src).toBe(NEW_MAC);
      fx.fp.setInterface(out1, { ...spec, mtu: 1000 });
      expect((await fx.run(ipv4Frame(IN, { src: '192.0.2.10', dst: '198.51.100.70', payload: Buffer.alloc(1001 - 28) }))).reasons).toEqual(['pass-mtu']);
      fx.fp.setInterface(out1, { ...spec, up: false });
      expect((await fx.run(VIA_GW1)).reasons).toEqual(['pass-no-iface']);
      fx.fp.setInterface(out1, { ...spec, passes: { netfilterOut: true } });
      expect((await fx.run(VIA_GW1)).reasons).toEqual(['pass-netfilter']);
      fx.fp.setInterface(out1, { ...spec, passes: { vrf: true } });
      expect((await fx.run(VIA_GW1)).reasons).toEqual(['pass-vrf']);
      // what verify checks: every next hop's copy is its interface's and neighbour's now
      expect(await fx.fp.staleNexthops()).toEqual([]);
    } finally {
      fx.fp.setInterface(out1, spec);
    }
    const r = await fx.run(VIA_GW1);
    expect(r.reasons).toEqual(['forwarded']);
    expect(parseFrame(r.out).src).toBe(MAC.out1);
  });

  it('a next hop re-pointed to another gateway and interface, then gone: pass-no-route', async () => {
    try {
      fx.fp.setNexthop(1, { ifindex: fx.ifindex.out2, gateway: '203.0.113.2' });
      const r = await fx.run(VIA_GW1);
      expect(r.reasons).toEqual(['forwarded']);
      expect(parseFrame(r.out)).toMatchObject({ dst: MAC.gw2, src: MAC.out2 });
      fx.fp.deleteNexthop(1);
      expect((await fx.run(VIA_GW1)).reasons).toEqual(['pass-no-route']);
    } finally {
      fx.fp.setNexthop(1, { ifindex: fx.ifindex.out1, gateway: '198.51.100.2' });
    }
    expect((await fx.run(VIA_GW1)).reasons).toEqual(['forwarded']);
  });

  it('a local address hides the /32 route under it, which comes back when the address goes', async () => {
    fx.fp.setRoute('198.51.100.77/32', { type: 'blackhole' });
    const to77 = ipv4Frame(IN, { src: '192.0.2.10', dst: '198.51.100.77' });
    try {
      expect((await fx.run(to77)).reasons).toEqual(['drop-blackhole']);
      fx.fp.addLocalAddress('198.51.100.77', fx.ifindex.out1);
      expect((await fx.run(to77)).reasons).toEqual(['pass-local']);
      // a local address comes before the TTL check, as the kernel's local delivery does
      expect((await fx.run(ipv4Frame(IN, { src: '192.0.2.10', dst: '198.51.100.77', ttl: 1 }))).reasons).toEqual(['pass-local']);
      // the route changes while hidden: the address still wins
      fx.fp.setRoute('198.51.100.77/32', { type: 'unreachable' });
      expect((await fx.run(to77)).reasons).toEqual(['pass-local']);
      expect(await fx.fp.fib4IndexMismatches()).toEqual([]);
      fx.fp.deleteLocalAddress('198.51.100.77');
      expect((await fx.run(to77)).reasons).toEqual(['pass-unreachable']);
    } finally {
      fx.fp.deleteRoute('198.51.100.77/32');
    }
    // and without a route of its own, a gone local address leaves its /26's route
    fx.fp.addLocalAddress('198.51.100.78', fx.ifindex.out1);
    fx.fp.deleteLocalAddress('198.51.100.78');
    expect((await fx.run(ipv4Frame(IN, { src: '192.0.2.10', dst: '198.51.100.78' }))).reasons).toEqual(['forwarded']);
    expect(await fx.fp.fib4IndexMismatches()).toEqual([]);
  });
});
