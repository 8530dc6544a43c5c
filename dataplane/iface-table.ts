// The fast path's interfaces: xr_ifaces keyed by what a frame arrives with
// (device and VLAN tag), each with a dense slot that indexes its counters
// and its devmap entry xr_tx_ports, written in the order that keeps a frame
// in flight from finding one without the other. A slot stays an
// interface's while it exists, and is handed to another only after a grace
// period, its counters cleared. A device's untagged entry is mirrored in
// its xr_ingress word (below L.INGRESS_DIRECT), which the program reads
// first: written after the entry and cleared before it goes, each with one
// store, so a frame finds the old interface or the new one.
import { decodeIface, describeIngressWord, ifaceKey, ifaceRecord, ifaceValue, ingressWord, type InterfaceRecord, type InterfaceSpec } from './entry-codecs.js';
import * as L from './layout.js';
import type { MapName } from './layout.js';
import type { NativeMap } from './native.js';
import { SlotIds } from './slot-ids.js';

export type InterfaceMapSet = Pick<Record<MapName, NativeMap>, 'xr_ifaces' | 'xr_ingress' | 'xr_tx_ports' | 'xr_counters'>;

const u32 = (value: number): Buffer => L.u32.encode({ value });

/** The xr_ingress word an xr_ifaces key is mirrored in: a device's untagged entry, below L.INGRESS_DIRECT. */
function wordIndex(key: Buffer): number | null {
  const k = L.ifaceKey.decode(key);
  return k.vlan_id === L.VLAN_NONE && k.ifindex < L.INGRESS_DIRECT ? k.ifindex : null;
}

const mapWords = (ingress: NativeMap): BigUint64Array => new BigUint64Array(ingress.memory(), 0, L.INGRESS_DIRECT);

/** The xr_ingress words these xr_ifaces entries make, by index; every other word is 0. */
function wordsOf(entries: Iterable<[Buffer, ReturnType<typeof L.iface.decode>]>): Map<number, bigint> {
  const out = new Map<number, bigint>();
  for (const [key, value] of entries) {
    const at = wordIndex(key);
    if (at !== null) out.set(at, ingressWord(value));
  }
  return out;
}

export class InterfaceTable {
  /** own ifindex -> its key in xr_ifaces and its value */
  private readonly byIfindex = new Map<number, { key: Buffer; value: ReturnType<typeof L.iface.decode> }>();
  private readonly slots: SlotIds;
  private mappedWords: BigUint64Array | undefined;

  constructor(
    private readonly maps: InterfaceMapSet,
    afterGracePeriod: (reclaim: () => void) => void,
    /** bytes of one per-CPU counter value, all CPUs */
    private readonly perCpuCounterSize: number,
  ) {
    this.slots = new SlotIds(L.IFACE_MAX, 'interface slot', (slot) => this.clearSlot(slot), afterGracePeriod);
  }

  /** Take over what a previous run left in the maps. */
  async adopt(): Promise<void> {
    for (const [key, raw] of await this.maps.xr_ifaces.dump()) {
      const value = L.iface.decode(raw);
      this.slots.reserve([value.slot]);
      this.byIfindex.set(value.ifindex, { key, value });
    }
  }

  /**
   * Make xr_ingress say what xr_ifaces says, as this instance holds it: the
   * run before may have had no such array (an upgrade) or died between
   * the two stores, and a fresh start must not find a dead run's words.
   */
  repairWords(): void {
    const want = wordsOf([...this.byIfindex.values()].map(({ key, value }) => [key, value]));
    for (let i = 0; i < L.INGRESS_DIRECT; i++) this.writeWord(i, want.get(i) ?? 0n);
  }

  /** One store, and none when the word already holds it. */
  private writeWord(at: number, word: bigint): void {
    if (Atomics.load(this.words, at) !== word) Atomics.store(this.words, at, word);
  }

  /** The xr_ingress words that do not say what xr_ifaces says now (verify). */
  static async wordMismatches(maps: Pick<InterfaceMapSet, 'xr_ifaces' | 'xr_ingress'>): Promise<Array<{ ifindex: number; have: string; want: string }>> {
    const want = wordsOf((await maps.xr_ifaces.dump()).map(([key, raw]) => [key, L.iface.decode(raw)]));
    const words = mapWords(maps.xr_ingress);
    const out: Array<{ ifindex: number; have: string; want: string }> = [];
    for (let i = 0; i < L.INGRESS_DIRECT; i++) {
      const have = Atomics.load(words, i);
      const word = want.get(i) ?? 0n;
      if (have !== word) out.push({ ifindex: i, have: describeIngressWord(have), want: describeIngressWord(word) });
    }
    return out;
  }

  private get words(): BigUint64Array {
    return (this.mappedWords ??= mapWords(this.maps.xr_ingress));
  }

  /** Every interface of the maps now, by its own ifindex (another process may write them). */
  static async read(ifaces: NativeMap): Promise<Map<number, { spec: InterfaceSpec; slot: number; record: InterfaceRecord }>> {
    const out = new Map<number, { spec: InterfaceSpec; slot: number; record: InterfaceRecord }>();
    for (const [, raw] of await ifaces.dump()) {
      const v = L.iface.decode(raw);
      out.set(v.ifindex, { spec: decodeIface(v), slot: v.slot, record: ifaceRecord(v) });
    }
    return out;
  }

  /**
   * Each interface's slot by its own ifindex, as the map has them now, read
   * on the calling thread: one entry per interface and VLAN, a few map
   * calls, where a dump would wait for a pool thread (which, beside a
   * saturated slow path, waits for a CPU).
   */
  static slotsNow(ifaces: NativeMap): Map<number, number> {
    const out = new Map<number, number>();
    for (const key of ifaces.keys()) {
      const raw = ifaces.lookup(key);
      if (!raw) continue; // deleted meanwhile
      const v = L.iface.decode(raw);
      out.set(v.ifindex, v.slot);
    }
    return out;
  }

  record(ifindex: number): InterfaceRecord | undefined {
    const v = this.byIfindex.get(ifindex)?.value;
    return v && ifaceRecord(v);
  }

  /**
   * The interface as the maps hold it now: a read-only open follows what
   * the daemon writes. Found by its key when this instance wrote it or it
   * is untagged, else (a VLAN interface another process wrote) by a scan.
   */
  get(ifindex: number): InterfaceSpec | null {
    const keys = [this.byIfindex.get(ifindex)?.key, L.ifaceKey.encode({ ifindex, vlan_id: L.VLAN_NONE })];
    for (const key of [...keys, ...this.maps.xr_ifaces.keys()]) {
      const raw = key && this.maps.xr_ifaces.lookup(key);
      const v = raw && L.iface.decode(raw);
      if (v && v.ifindex === ifindex) return decodeIface(v);
    }
    return null;
  }

  set(ifindex: number, spec: InterfaceSpec): void {
    const had = this.byIfindex.get(ifindex);
    // a spec refused takes no slot
    const value = ifaceValue(ifindex, had?.value.slot ?? 0, spec);
    if (!had) {
      const slot = this.slots.tryTake();
      if (slot === undefined) throw new Error(`interface ${ifindex}: all ${L.IFACE_MAX - 1} interface slots are in use; remove interfaces from the fast path's config`);
      value.slot = slot;
    }
    const slot = value.slot;
    // the devmap first: a next hop is marked ready only once its interface
    // can be redirected to. Rewriting an unchanged entry is skipped (a
    // restart re-applies every interface): nothing changes for frames in flight.
    if (!this.maps.xr_tx_ports.lookup(u32(slot))?.equals(u32(value.tx_ifindex))) this.maps.xr_tx_ports.update(u32(slot), u32(value.tx_ifindex));
    const key = ifaceKey(ifindex, spec);
    this.maps.xr_ifaces.update(key, L.iface.encode(value));
    const at = wordIndex(key);
    if (at !== null) this.writeWord(at, ingressWord(value));
    if (had && !had.key.equals(key)) this.forget(had.key);
    this.byIfindex.set(ifindex, { key, value });
  }

  /**
   * Take an interface out: its frames stop being its at once; its devmap
   * entry and counters go, and its slot is reused, after a grace period
   * (next hops out of it must have been rewritten by then).
   */
  delete(ifindex: number): boolean {
    const had = this.byIfindex.get(ifindex);
    if (!had) return false;
    this.forget(had.key);
    this.byIfindex.delete(ifindex);
    this.slots.release(had.value.slot);
    return true;
  }

  /** An entry out of xr_ifaces, its word cleared first: a frame meanwhile finds the entry, never a word without it. */
  private forget(key: Buffer): void {
    const at = wordIndex(key);
    if (at !== null) Atomics.store(this.words, at, 0n);
    this.maps.xr_ifaces.delete(key);
  }

  private clearSlot(slot: number): void {
    this.maps.xr_tx_ports.delete(u32(slot));
    const zero = Buffer.alloc(this.perCpuCounterSize);
    for (let reason = 0; reason < L.REASONS.length; reason++) this.maps.xr_counters.update(u32(slot * L.REASONS.length + reason), zero);
  }
}
