// The interfaces the program forwards between: xr_ifaces (what it rewrites
// a frame with), xr_vlans (a tagged frame's interface) and xr_tx_ports (the
// devmap it redirects through), written in the order that keeps a frame in
// flight from finding one without the other.
import { decodeIface, encodeIface, txIfindex, type InterfaceSpec } from './entry-codecs.js';
import * as L from './layout.js';
import type { MapName } from './layout.js';
import type { NativeMap } from './native.js';

export type InterfaceMapSet = Pick<Record<MapName, NativeMap>, 'xr_ifaces' | 'xr_vlans' | 'xr_tx_ports'>;

export class InterfaceMaps {
  constructor(private readonly maps: InterfaceMapSet) {}

  get(ifindex: number): InterfaceSpec | null {
    const v = this.maps.xr_ifaces.lookup(L.u32.encode({ value: ifindex }));
    return v ? decodeIface(v) : null;
  }

  async all(): Promise<Map<number, InterfaceSpec>> {
    const out = new Map<number, InterfaceSpec>();
    for (const [k, v] of await this.maps.xr_ifaces.dump()) out.set(L.u32.decode(k).value, decodeIface(v));
    return out;
  }

  set(ifindex: number, spec: InterfaceSpec): void {
    const entry = encodeIface(ifindex, spec);
    // the devmap first: the program checks it before it trusts an interface
    // A DEVMAP_HASH update unlinks the old entry before it links the new
    // one: rewriting an unchanged entry (a restart re-applies every
    // interface) would let a frame in flight miss it after its rewrite.
    const port = L.u32.encode({ value: txIfindex(ifindex, spec) });
    if (!this.maps.xr_tx_ports.lookup(port)?.equals(port)) this.maps.xr_tx_ports.update(port, port);
    if (spec.vlan) {
      this.maps.xr_vlans.update(
        L.vlanKey.encode({ ifindex: spec.vlan.lowerIfindex, vlan_id: spec.vlan.id }),
        L.u32.encode({ value: ifindex }),
      );
    }
    this.maps.xr_ifaces.update(L.u32.encode({ value: ifindex }), entry);
  }

  delete(ifindex: number): boolean {
    const key = L.u32.encode({ value: ifindex });
    const raw = this.maps.xr_ifaces.lookup(key);
    if (!raw) return false;
    const iface = L.iface.decode(raw);
    this.maps.xr_ifaces.delete(key);
    if (iface.vlan_id) {
      this.maps.xr_vlans.delete(L.vlanKey.encode({ ifindex: iface.tx_ifindex, vlan_id: iface.vlan_id }));
    } else {
      this.maps.xr_tx_ports.delete(key);
    }
    return true;
  }
}
