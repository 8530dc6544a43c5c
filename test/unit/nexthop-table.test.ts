// Next-hop entries as the program reads them, and how they are replaced: a
// new entry at a free slot, one store to publish it, the old slot untouched
// until a grace period has passed. The maps are plain memory here: this is
// the table's logic, the fast-path tests run it against the kernel's.
import { describe, expect, it } from 'vitest';
import * as L from '../../dataplane/layout.js';
import type { NativeMap } from '../../dataplane/native.js';
import { encodeNexthop } from '../../dataplane/entry-codecs.js';
import type { InterfaceRecord, NeighbourRecord } from '../../dataplane/entry-codecs.js';
import { NexthopTable } from '../../dataplane/nexthop-table.js';

const MAC_A = Buffer.from('020000000001', 'hex');
const MAC_B = Buffer.from('020000000002', 'hex');
const OUT: InterfaceRecord = { slot: 3, mac: Buffer.from('0200000001ff', 'hex'), mtu: 1500, vlanId: 0, flags: L.IfaceFlag.up };
const GW = { ifindex: 7, family: L.NhFamily.inet, gateway: Buffer.from([198, 51, 100, 2, ...new Array<number>(12).fill(0)]) };

const state = (entry: Buffer): string => L.REASONS[L.nexthop.decode(entry).state]!;

describe('encodeNexthop: the program\'s verdict on a next hop, in its old per-packet order', () => {
  const valid: NeighbourRecord = { mac: MAC_A, flags: L.NEIGH_F_VALID };
  it.each([
    ['no egress interface', undefined, valid, 'pass-no-iface'],
    ['egress interface down', { ...OUT, flags: 0 }, valid, 'pass-no-iface'],
    ['egress in a VRF, before netfilter', { ...OUT, flags: L.IfaceFlag.up | L.IfaceFlag.vrf | L.IfaceFlag.netfilterOut }, valid, 'pass-vrf'],
    ['egress named by a netfilter rule, before the neighbour', { ...OUT, flags: L.IfaceFlag.up | L.IfaceFlag.netfilterOut }, undefined, 'pass-netfilter'],
    ['no neighbour', OUT, undefined, 'pass-no-neigh'],
    ['neighbour not valid', OUT, { mac: MAC_A, flags: 0 }, 'pass-no-neigh'],
    ['ready', OUT, valid, 'forwarded'],
  ] as const)('%s: %s', (_, out, neigh, reason) => {
    expect(state(encodeNexthop(GW, out, neigh))).toBe(reason);
  });

  it('ready: the rewrite\'s MACs, VLAN, MTU and devmap slot; a STALE gateway flagged for its use mark', () => {
    const e = L.nexthop.decode(encodeNexthop(GW, { ...OUT, vlanId: 100 }, { mac: MAC_A, flags: L.NEIGH_F_VALID | L.NEIGH_F_STALE }));
    expect(e).toMatchObject({ dst_mac: MAC_A, src_mac: OUT.mac, vlan_id: 100, mtu: 1500, tx_slot: 3, ifindex: 7, flags: L.NH_F_STALE });
  });

  it('a connected next hop is ready without a neighbour: the destination\'s is looked up per packet', () => {
    expect(state(encodeNexthop({ ...GW, family: L.NhFamily.connected, gateway: Buffer.alloc(16) }, OUT, undefined))).toBe('forwarded');
  });
});

/** An array map in memory: slots mapped, entries by key. */
function memoryMaps(): { xr_nexthop_slots: NativeMap; xr_nexthops: NativeMap; entry: (slot: number) => Buffer | undefined } {
  const memory = new ArrayBuffer(L.MAPS.xr_nexthop_slots.value.size);
  const entries = new Map<number, Buffer>();
  return {
    xr_nexthop_slots: { memory: () => memory } as unknown as NativeMap,
    xr_nexthops: {
      update: (k: Buffer, v: Buffer) => entries.set(k.readUInt32LE(0), Buffer.from(v)),
      lookup: (k: Buffer) => entries.get(k.readUInt32LE(0)) ?? null,
    } as unknown as NativeMap,
    entry: (slot) => entries.get(slot),
  };
}

describe('NexthopTable: a change is a new entry, published by one store', () => {
  function table(): { t: NexthopTable; published: Uint32Array; entry: (slot: number) => Buffer | undefined; graceEnds: () => void; neighbours: Map<string, NeighbourRecord> } {
    const maps = memoryMaps();
    const waiting: Array<() => void> = [];
    const neighbours = new Map<string, NeighbourRecord>([['7|198.51.100.2', { mac: MAC_A, flags: L.NEIGH_F_VALID }]]);
    const t = new NexthopTable(maps, () => OUT, (ifindex, address) => neighbours.get(`${ifindex}|${address}`), (reclaim) => waiting.push(reclaim));
    const graceEnds = (): void => {
      for (const reclaim of waiting.splice(0)) reclaim();
    };
    return { t, published: new Uint32Array(maps.xr_nexthop_slots.memory(), 0, L.NEXTHOP_MAX), entry: maps.entry, graceEnds, neighbours };
  }

  it('a neighbour change: the id points at a new slot; the old entry stays as a reader found it until the grace period ends', () => {
    const { t, published, entry, graceEnds, neighbours } = table();
    t.set(1, { ifindex: 7, gateway: '198.51.100.2' });
    const first = published[1]!;
    const before = Buffer.from(entry(first)!);
    expect(L.nexthop.decode(before).dst_mac).toEqual(MAC_A);

    neighbours.set('7|198.51.100.2', { mac: MAC_B, flags: L.NEIGH_F_VALID });
    t.neighbourChanged(7, '198.51.100.2');
    const second = published[1]!;
    expect(second).not.toBe(first);
    expect(L.nexthop.decode(entry(second)!).dst_mac).toEqual(MAC_B);
    expect(entry(first)).toEqual(before);

    // not handed out again before the grace period: another id gets another slot
    t.set(2, { ifindex: 7 });
    expect([first, second]).not.toContain(published[2]);
    graceEnds();
    t.set(3, { ifindex: 7 });
    expect(published[3]).toBe(first);
  });

  it('a neighbour of no next hop rewrites nothing; a deleted id reads as absent (slot 0)', () => {
    const { t, published } = table();
    t.set(1, { ifindex: 7, gateway: '198.51.100.2' });
    const slot = published[1];
    t.neighbourChanged(7, '198.51.100.3');
    t.neighbourChanged(8, '198.51.100.2');
    expect(published[1]).toBe(slot);
    expect(t.delete(1)).toBe(true);
    expect(published[1]).toBe(0);
    expect(t.delete(1)).toBe(false);
  });
});
