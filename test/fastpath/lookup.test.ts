// LookupRoute asks the program itself (a dry run over the fixture's maps):
// for addresses whose verdict the destination alone decides, its answer is
// the decisions table's, and a forwarded answer names the next hop and MAC
// the rewritten frame carries.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InterfacePasses } from '../../dataplane/fastpath.js';
import { RouteLookup } from '../../router/routes/lookup.js';
import { DesiredState } from '../../router/sync/desired.js';
import { KernelState } from '../../router/sync/kernel-state.js';
import { createFixture, MAC } from './fixture.js';
import type { Fixture } from './fixture.js';

const CASES: Array<{ address: string; action: string; neighborMac?: string; gateway?: string }> = [
  { address: '198.51.100.70', action: 'FORWARD', neighborMac: MAC.gw1, gateway: '198.51.100.2' },
  { address: '198.51.100.7', action: 'FORWARD', neighborMac: MAC.host1 },
  { address: '198.51.100.140', action: 'FORWARD', neighborMac: MAC.vlanGw, gateway: '198.51.100.130' },
  { address: '2001:db8:20::5', action: 'FORWARD', neighborMac: MAC.gw1v6, gateway: '2001:db8:2::2' },
  { address: '192.0.2.1', action: 'PASS_LOCAL' },
  { address: '192.0.2.5', action: 'PASS_NO_ROUTE' },
  { address: '203.0.113.200', action: 'DROP_BLACKHOLE' },
  { address: '203.0.113.230', action: 'PASS_UNREACHABLE' },
  { address: '198.51.100.100', action: 'PASS_KERNEL_ROUTE' },
  { address: '192.0.2.70', action: 'PASS_NO_NEIGH', gateway: '203.0.113.9' },
  { address: '192.0.2.40', action: 'PASS_NO_IFACE', gateway: '203.0.113.2' },
  { address: '198.51.100.81', action: 'PASS_PUNT_NO_SOCKET', gateway: '198.51.100.2' },
  { address: '224.0.0.5', action: 'PASS_MULTICAST' },
  { address: 'fe80::1', action: 'PASS_LINK_LOCAL' },
  { address: '2001:db8:dead::1', action: 'DROP_BLACKHOLE' },
];

describe('LookupRoute answers from the program', () => {
  let fixture: Fixture;
  let lookup: RouteLookup;
  beforeAll(async () => {
    fixture = await createFixture('lk');
    // no kernel routes: the answer's route is left out, the verdict is the program's
    const state = new KernelState([254]);
    lookup = new RouteLookup(fixture.fp, state, new DesiredState(state, []));
  });
  afterAll(async () => {
    await fixture?.teardown();
  });

  for (const c of CASES) {
    it(`${c.address}: ${c.action}`, async () => {
      const before = await fixture.fp.counters();
      const r = await lookup.lookup(c.address);
      expect(r.action).toBe(c.action);
      expect(r.neighborMac).toBe(c.neighborMac ?? '');
      expect(r.selected?.gateway).toBe(c.gateway);
      expect(await fixture.fp.counters()).toEqual(before);
    });
  }

  it('a STALE neighbour: forwarded through, and its use not marked (a lookup is no traffic for the kernel to re-check)', async () => {
    const out1 = fixture.ifindex.out1;
    fixture.fp.setNeighbour(out1, '198.51.100.2', MAC.gw1, { stale: true });
    try {
      expect((await lookup.lookup('198.51.100.70')).action).toBe('FORWARD');
      expect(fixture.fp.neighbourUsed(out1, '198.51.100.2')).toBe(false);
    } finally {
      fixture.fp.setNeighbour(out1, '198.51.100.2', MAC.gw1);
    }
  });

  it('a multipath route: the member the flow hash chose, whose neighbour the frame went to', async () => {
    const r = await lookup.lookup('203.0.113.70');
    expect(r.action).toBe('FORWARD');
    const expected = { '198.51.100.2': MAC.gw1, '203.0.113.2': MAC.gw2 } as Record<string, string>;
    expect(r.neighborMac).toBe(expected[r.selected!.gateway!]);
  });

  it('policy rules, netfilter and VRFs: the program\'s reasons; one given at the egress names the next hop, one at the ingress none', async () => {
    const { fp, ifindex } = fixture;
    const withPasses = async (devices: Array<'in0' | 'out1' | 'out2'>, passes: InterfacePasses, work: () => Promise<void>): Promise<void> => {
      const before = devices.map((d) => [ifindex[d], fp.iface(ifindex[d])!] as const);
      for (const [ix, spec] of before) fp.setInterface(ix, { ...spec, passes });
      try {
        await work();
      } finally {
        for (const [ix, spec] of before) fp.setInterface(ix, spec);
      }
    };
    await withPasses(['out1'], { netfilterOut: true }, async () => {
      expect(await lookup.lookup('198.51.100.70')).toMatchObject({ action: 'PASS_NETFILTER', neighborMac: '', selected: { gateway: '198.51.100.2' } });
    });
    await withPasses(['out1'], { vrf: true }, async () => {
      expect(await lookup.lookup('2001:db8:20::5')).toMatchObject({ action: 'PASS_VRF', selected: { gateway: '2001:db8:2::2' } });
    });
    // every interface the probe may arrive on
    await withPasses(['in0', 'out2'], { vrf: true }, async () => {
      const r = await lookup.lookup('198.51.100.70');
      expect(r.action).toBe('PASS_VRF');
      expect(r.selected).toBeUndefined();
    });
    fp.setRoute('198.51.100.64/27', { type: 'policy' });
    try {
      const r = await lookup.lookup('198.51.100.70');
      expect(r.action).toBe('PASS_POLICY');
      expect(r.selected).toBeUndefined();
    } finally {
      fp.deleteRoute('198.51.100.64/27');
    }
  });
});
