// The TypeScript mirror of the map layouts (dataplane/layout.ts) against the
// C definitions, read from the compiled object's BTF.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as L from '../../dataplane/layout.js';
import { Btf } from '../helpers/btf.js';

const btf = new Btf(join(__dirname, '..', '..', 'bpf', 'xdp_router.o'));

describe('map layouts: C and TypeScript agree', () => {
  const structs = [L.fib4Key, L.fib6Key, L.fib6Line, L.route, L.nexthop, L.groupMember, L.group, L.neigh4Key, L.neigh6Key, L.neigh, L.ifaceKey, L.iface, L.counter, L.punt, L.xskKey];
  for (const s of structs) {
    it(`struct ${s.name}: size and every field's offset and size`, () => {
      const c = btf.struct(s.name);
      expect(s.size).toBe(c.size);
      expect(s.fields).toEqual(c.fields);
    });
  }

  for (const [name, layout] of Object.entries(L.MAPS)) {
    it(`map ${name}: key and value sizes`, () => {
      expect({ key: layout.key.size, value: layout.value.size }).toEqual(btf.mapSizes(name));
    });
  }

  // the value sizes are checked above: a flat array's is all its entries
  it('the flat arrays: one mappable element each, which holds every entry', () => {
    const BPF_MAP_TYPE_ARRAY = 2;
    const BPF_F_MMAPABLE = 1 << 10;
    for (const map of ['xr_fib4_tbl24', 'xr_fib4_tbl8', 'xr_fib6_tbl24', 'xr_nexthop_slots', 'xr_local6_filter']) {
      expect(btf.mapSetting(map, 'type')).toBe(BPF_MAP_TYPE_ARRAY);
      expect(btf.mapSetting(map, 'map_flags')).toBe(BPF_F_MMAPABLE);
      expect(btf.mapSetting(map, 'max_entries')).toBe(1);
    }
  });

  it('the IPv4 DIR-24-8 arrays: one entry per /24, groups of 256', () => {
    const D = L.Dir24Layout;
    expect(btf.mapSizes('xr_fib4_tbl24').value).toBe(4 * D.tbl24Entries);
    expect(btf.mapSizes('xr_fib4_tbl8').value).toBe(4 * D.tbl8Groups * D.tbl8GroupSize);
  });

  it('the IPv6 index: one entry per /24, then as many lines of 16 words as Dir6Layout says, mappable', () => {
    const D = L.Dir6Layout;
    // the enums of bpf/lib/consts.h's IPv6 index type nothing, so they are not in the BTF: their values show in the maps' sizes and in test/fastpath/fib6-index
    expect(D.pointerBit).toBe(L.Dir24Layout.tbl8Bit);
    expect(D.maxNodes).toBe(16 - D.tbl24Bytes);
    expect(btf.mapSizes('xr_fib6_tbl24').value).toBe(4 * D.tbl24Entries);
    expect(btf.mapSetting('xr_fib6_lines', 'max_entries')).toBe(D.lines);
    expect(L.fib6Line.size).toBe(4 * D.lineWords);
    const BPF_F_MMAPABLE = 1 << 10;
    expect(btf.mapSetting('xr_fib6_lines', 'map_flags')).toBe(BPF_F_MMAPABLE);
  });

  it('next hops and groups: arrays, as large as the ids (and the next hops\' slots) go', () => {
    expect(btf.mapSizes('xr_nexthop_slots').value).toBe(4 * L.NEXTHOP_MAX);
    expect(btf.mapSetting('xr_nexthops', 'max_entries')).toBe(L.NEXTHOP_SLOTS);
    expect(btf.mapSetting('xr_groups', 'max_entries')).toBe(L.GROUP_MAX);
    const BPF_MAP_TYPE_ARRAY = 2;
    for (const map of ['xr_nexthops', 'xr_groups']) expect(btf.mapSetting(map, 'type')).toBe(BPF_MAP_TYPE_ARRAY);
  });

  it('interfaces: slots index the counters (slot x reason, per CPU) and the devmap', () => {
    expect(btf.mapSetting('xr_ifaces', 'max_entries')).toBe(L.IFACE_MAX);
    expect(btf.mapSetting('xr_tx_ports', 'max_entries')).toBe(L.IFACE_MAX);
    expect(btf.mapSetting('xr_counters', 'max_entries')).toBe(L.IFACE_MAX * L.REASONS.length);
    const BPF_MAP_TYPE_PERCPU_ARRAY = 6;
    const BPF_MAP_TYPE_DEVMAP = 14;
    expect(btf.mapSetting('xr_counters', 'type')).toBe(BPF_MAP_TYPE_PERCPU_ARRAY);
    expect(btf.mapSetting('xr_tx_ports', 'type')).toBe(BPF_MAP_TYPE_DEVMAP);
  });

  it('xr_local6_filter: LOCAL6_FILTER_BITS bits in 32-bit words', () => {
    expect(btf.mapSizes('xr_local6_filter').value).toBe(L.LOCAL6_FILTER_BITS / 8);
  });

  it("xr_ingress: a mappable array of one word per device below INGRESS_DIRECT, whose fields hold a slot and every interface flag", () => {
    const BPF_MAP_TYPE_ARRAY = 2;
    const BPF_F_MMAPABLE = 1 << 10;
    expect(btf.mapSetting('xr_ingress', 'type')).toBe(BPF_MAP_TYPE_ARRAY);
    expect(btf.mapSetting('xr_ingress', 'map_flags')).toBe(BPF_F_MMAPABLE);
    expect(btf.mapSetting('xr_ingress', 'max_entries')).toBe(L.INGRESS_DIRECT);
    const W = L.IngressWord;
    expect(BigInt(L.IFACE_MAX)).toBeLessThanOrEqual(W.slotMask + 1n);
    expect(BigInt(Math.max(...Object.values(L.IfaceFlag)))).toBeLessThanOrEqual(W.flagsMask);
    expect(W.slotShift).toBe(48n); // above the MAC
    expect(W.flagsShift).toBeGreaterThanOrEqual(W.slotShift + 10n);
    expect((W.flagsMask << W.flagsShift) & W.valid).toBe(0n);
  });

  it('the slow path\'s AF_XDP sockets: as many slots as XR_XSK_MAX, in both maps', () => {
    for (const map of ['xr_xsks', 'xr_xsk_slots']) expect(btf.mapSetting(map, 'max_entries')).toBe(L.XSK_MAX);
  });

  it('enum xr_reason: same names in the same order', () => {
    const c = btf.enumValues('xr_reason');
    const ts = Object.fromEntries(L.REASONS.map((r, i) => [L.reasonEnumerator(r), i]));
    expect(ts).toEqual(Object.fromEntries(Object.entries(c).filter(([k]) => k !== 'XR_REASON_MAX')));
    expect(c.XR_REASON_MAX).toBe(L.REASONS.length);
  });

  it('enum xr_route_type', () => {
    const ts = Object.fromEntries(Object.entries(L.RouteType).map(([k, v]) => [`XR_ROUTE_${k.toUpperCase()}`, v]));
    expect(ts).toEqual(btf.enumValues('xr_route_type'));
  });

  it('enum xr_nh_family and the flag enums', () => {
    expect(btf.enumValues('xr_nh_family')).toEqual({ XR_NH_CONNECTED: L.NhFamily.connected, XR_NH_INET: L.NhFamily.inet, XR_NH_INET6: L.NhFamily.inet6 });
    expect(btf.enumValues('xr_route_flags')).toEqual({ XR_ROUTE_F_GROUP: L.ROUTE_F_GROUP });
    expect(btf.enumValues('xr_nh_flags')).toEqual({ XR_NH_F_STALE: L.NH_F_STALE });
    const flags = Object.fromEntries(Object.entries(L.IfaceFlag).map(([k, v]) => [`XR_IFACE_F_${k.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`, v]));
    expect(btf.enumValues('xr_iface_flags')).toEqual(flags);
  });
});
