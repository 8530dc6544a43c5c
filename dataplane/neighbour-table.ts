// The neighbours (xr_neigh4, xr_neigh6): what a connected next hop's
// rewrite reads per packet, what a gateway's next-hop entry is made from
// (nexthop-table.ts, told of every change here), and where the program
// marks a STALE entry it forwarded through.
import { formatAddress, requireAddress } from './addr.js';
import { decodeNeighbour, encodeNeighbour, neighbourKey } from './entry-codecs.js';
import type { NeighbourEntry, NeighbourFlags, NeighbourRecord } from './entry-codecs.js';
import * as L from './layout.js';
import type { MapName } from './layout.js';
import { dumpEntries } from './map-dump.js';
import type { NativeMap } from './native.js';

export class NeighbourTable {
  constructor(
    private readonly maps: Record<MapName, NativeMap>,
    /** called with the canonical address after every write or delete */
    private readonly changed: (ifindex: number, address: string) => void,
  ) {}

  private entry(ifindex: number, address: string): { map: NativeMap; key: Buffer } {
    const { family, key } = neighbourKey(ifindex, address);
    return { map: family === 4 ? this.maps.xr_neigh4 : this.maps.xr_neigh6, key };
  }

  /** the address as the next hops hold it (one spelling of each) */
  private static canonical(address: string): string {
    return formatAddress(requireAddress(address, 'neighbour').addr);
  }

  set(ifindex: number, address: string, mac: string, flags: NeighbourFlags): void {
    const { map, key } = this.entry(ifindex, address);
    map.update(key, encodeNeighbour(mac, flags));
    this.changed(ifindex, NeighbourTable.canonical(address));
  }

  delete(ifindex: number, address: string): boolean {
    const { map, key } = this.entry(ifindex, address);
    const had = map.delete(key);
    this.changed(ifindex, NeighbourTable.canonical(address));
    return had;
  }

  record(ifindex: number, address: string): NeighbourRecord | undefined {
    const { map, key } = this.entry(ifindex, address);
    const v = map.lookup(key);
    if (!v) return undefined;
    const n = L.neigh.decode(v);
    return { mac: n.mac, flags: n.flags };
  }

  used(ifindex: number, address: string): boolean {
    const { map, key } = this.entry(ifindex, address);
    const v = map.lookup(key);
    return !!v && L.neigh.decode(v).used !== 0;
  }

  get(ifindex: number, address: string): { mac: string; valid: boolean } | null {
    const { map, key } = this.entry(ifindex, address);
    const v = map.lookup(key);
    if (!v) return null;
    const { mac, valid } = decodeNeighbour(v);
    return { mac, valid };
  }

  /** Every entry: "ifindex|address" -> MAC and flags. */
  async all(): Promise<Map<string, NeighbourEntry>> {
    const tables = [
      [this.maps.xr_neigh4, L.neigh4Key],
      [this.maps.xr_neigh6, L.neigh6Key],
    ] as const;
    return new Map(await dumpEntries(tables, (key, v) => [`${key.ifindex}|${formatAddress(key.addr)}`, decodeNeighbour(v)] as const));
  }
}
