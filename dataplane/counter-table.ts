// The program's counters: one per-CPU entry per (interface slot, reason) in
// xr_counters, read back per ingress interface.
import { sumCounters } from './entry-codecs.js';
import { InterfaceTable } from './iface-table.js';
import * as L from './layout.js';
import type { MapName, Reason } from './layout.js';
import type { NativeMap } from './native.js';

export interface CounterRow {
  ifindex: number;
  reason: Reason;
  packets: bigint;
  bytes: bigint;
}

/**
 * Packets and bytes per ingress interface and reason, summed over CPUs;
 * the reasons an interface has seen. Frames of a device the fast path does
 * not know are counted under ifindex 0. Read on the calling thread: the
 * API's GetStats answers without waiting for a pool thread.
 */
export function readCounters(maps: Record<MapName, NativeMap>): CounterRow[] {
  const rows: CounterRow[] = [];
  const slots = new Map<number, number>([[L.IFACE_SLOT_UNKNOWN, 0]]);
  for (const [ifindex, slot] of InterfaceTable.slotsNow(maps.xr_ifaces)) slots.set(slot, ifindex);
  for (const [slot, ifindex] of slots) {
    L.REASONS.forEach((reason, i) => {
      const v = maps.xr_counters.lookup(L.u32.encode({ value: slot * L.REASONS.length + i }));
      const sum = v ? sumCounters(v) : undefined;
      if (sum && sum.packets + sum.bytes > 0n) rows.push({ ifindex, reason, ...sum });
    });
  }
  return rows;
}
