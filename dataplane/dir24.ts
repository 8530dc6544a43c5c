// The userspace side of the IPv4 DIR-24-8 table (DPDK's rte_lpm layout): it
// keeps every prefix and writes the two arrays the XDP program reads, so the
// program answers a longest-prefix match with at most two array loads.
//
// The arrays are memory-mapped BPF maps the program reads while we write, so
// every update is a sequence of single u32 stores ordered such that a reader
// at any moment sees, for each address, either the old or the new answer:
// - every store to a table a reader can reach is an Atomics.store, so a
//   group is whole before the pointer that publishes it (a release store on
//   weakly ordered CPUs too);
// - a group is built aside (its tbl24 entry not yet pointing at it) and
//   published with one store;
// - a group the table lets go of is reused only after a grace period (the
//   `retire` option): a program run that read the old pointer may still
//   load from it, and must find the old answers there, never another /24's.

import { Dir24Layout } from './layout.js';
import { PrefixValues4 } from './prefix-values4.js';

/** one u32 per /24 */
export const TBL24_ENTRIES = Dir24Layout.tbl24Entries;
/** one u32 per address of a /24 */
export const TBL8_GROUP_SIZE = Dir24Layout.tbl8GroupSize;
/** the tbl8 bit of a tbl24 entry: the other bits are a tbl8 group index, not a value */
export const TBL8_FLAG = 2 ** Dir24Layout.tbl8Bit;

export interface Dir24Memory {
  /** length TBL24_ENTRIES */
  tbl24: Uint32Array;
  /** length groups * TBL8_GROUP_SIZE */
  tbl8: Uint32Array;
}

const GROUP_INDEX = TBL8_FLAG - 1;
/** bits of the long-cover bitmap per u32 word, and words per group */
const BITS = 32;
const GROUP_WORDS = TBL8_GROUP_SIZE / BITS;
/** the longest prefix that fills a tbl24 entry whole; longer ones live in groups */
const SHORT_MAX = 24;
const MAX_VALUE = TBL8_FLAG - 1;

/**
 * What an entry holds and which prefix put it there. depth is the prefix
 * length + 1 so that 0 can mean "no prefix": /0 is a real prefix.
 */
interface Cover {
  depth: number;
  value: number;
}

const NO_COVER: Cover = { depth: 0, value: 0 };

function maskTo(addr: number, len: number): number {
  return len === 0 ? 0 : (addr & (-1 << (32 - len))) >>> 0;
}

function dotted(addr: number): string {
  return `${addr >>> 24}.${(addr >>> 16) & 255}.${(addr >>> 8) & 255}.${addr & 255}`;
}

function checkAddress(addr: number): void {
  if (!Number.isInteger(addr) || addr < 0 || addr > 0xffff_ffff) {
    throw new RangeError(`Dir24: address must be an integer 0..0xffffffff (host order), got ${addr}`);
  }
}

function checkPrefix(addr: number, len: number): void {
  checkAddress(addr);
  if (!Number.isInteger(len) || len < 0 || len > 32) {
    throw new RangeError(`Dir24: prefix length must be an integer 0..32, got ${len}`);
  }
  if (maskTo(addr, len) !== addr) {
    throw new RangeError(`Dir24: ${dotted(addr)}/${len} has host bits set (the prefix is ${dotted(maskTo(addr, len))}/${len})`);
  }
}

function checkValue(value: number): void {
  if (!Number.isInteger(value) || value < 1 || value > MAX_VALUE) {
    // 0 is how the program reads "no route" and bit 31 marks a tbl8 pointer
    throw new RangeError(`Dir24: value must be an integer 1..0x7fffffff, got ${value}`);
  }
}

/** Stores a u32 where a reader may see it: Atomics.store unless a test watches. */
export type Dir24Store = (array: Uint32Array, index: number, value: number) => void;

export interface Dir24Options {
  /**
   * What a /24 answers for all its addresses while it needs a group and
   * none is free (the program's "leave it to the kernel"), rather than its
   * shorter cover, which would send its longer prefixes' traffic the wrong
   * way. Without it, such a set throws.
   */
  overflowValue?: number;
  /**
   * Called with the reclaim of a group the table let go of: run it once no
   * program run that began before can still be reading the group (an RCU
   * grace period). Without it, groups are reclaimed at once, which is only
   * right for tables no program reads.
   */
  retire?: (reclaim: () => void) => void;
  /** every store to the arrays goes through it (tests watch them); default Atomics.store */
  store?: Dir24Store;
}

const atomicStore: Dir24Store = (array, index, value) => void Atomics.store(array, index, value);

export class Dir24 {
  private readonly tbl24: Uint32Array;
  private readonly tbl8: Uint32Array;
  /** per tbl24 entry: depth of the longest ≤24 prefix covering it, even when the entry points at a group */
  private readonly depth24 = new Uint8Array(TBL24_ENTRIES);
  /**
   * per tbl8 entry, one bit: a prefix longer than /24 covers it. The
   * entries without hold their /24's ≤24 answer (depth24); which longer
   * prefix covers the others, where it matters, is asked of `prefixes`
   * for the few addresses in the changed range. A byte of depth per entry
   * was 16 MiB at 65,536 groups; this is 2 MiB.
   */
  private readonly longCover: Uint32Array;
  /** per entry of the group being painted: a prefix longer than the one painted covers it */
  private readonly longer = new Uint8Array(TBL8_GROUP_SIZE);
  /** per group: how many >24 prefixes live in it, so we know when to free it */
  private readonly groupPrefixes: Uint16Array;
  /** (network address, length) -> value: every prefix held */
  private prefixes = new PrefixValues4();
  private free: number[] = [];
  /** groups let go of, waiting for their grace period */
  private retiring = 0;
  /** bumped by clear(): a reclaim from before it has nothing left to give back */
  private generation = 0;
  private count = 0;
  /**
   * /24s that hold longer prefixes but found no free group, with how many:
   * their tbl24 entry holds overflowValue until a group frees up.
   */
  private readonly overflowing = new Map<number, number>();
  private readonly overflowValue: number | undefined;
  private readonly retire: (reclaim: () => void) => void;
  private readonly store: Dir24Store;

  /** The memory must be zero everywhere (call clear() if it is not; adopt() takes memory that is in use). */
  constructor(memory: Dir24Memory, options: Dir24Options = {}) {
    if (memory.tbl24.length !== TBL24_ENTRIES) {
      throw new RangeError(`Dir24: tbl24 must have ${TBL24_ENTRIES} entries, got ${memory.tbl24.length}`);
    }
    if (memory.tbl8.length % TBL8_GROUP_SIZE !== 0) {
      throw new RangeError(`Dir24: tbl8 must be a whole number of ${TBL8_GROUP_SIZE}-entry groups, got ${memory.tbl8.length} entries`);
    }
    this.tbl24 = memory.tbl24;
    this.tbl8 = memory.tbl8;
    this.longCover = new Uint32Array(memory.tbl8.length / BITS);
    this.groupPrefixes = new Uint16Array(memory.tbl8.length / TBL8_GROUP_SIZE);
    if (options.overflowValue !== undefined) checkValue(options.overflowValue);
    this.overflowValue = options.overflowValue;
    this.retire = options.retire ?? ((reclaim) => reclaim());
    this.store = options.store ?? atomicStore;
    this.resetFreeList();
  }

  /** add or replace prefix addr/len (addr: u32 in host order, no host bits set; len 0..32); value: 1..0x7fffffff */
  set(addr: number, len: number, value: number): void {
    checkPrefix(addr, len);
    checkValue(value);
    const cover: Cover = { depth: len + 1, value };
    const added = !this.prefixes.has(addr, len);
    if (len <= 24) {
      this.repaint24(addr >>> 8, 1 << (24 - len), 0, cover.depth, cover);
    } else {
      this.setLong(addr, len, cover, added);
    }
    if (added) this.count++;
    this.prefixes.set(addr, len, value);
  }

  /** remove the prefix; false when it was not there */
  delete(addr: number, len: number): boolean {
    checkPrefix(addr, len);
    if (!this.prefixes.delete(addr, len)) return false;
    this.count--;
    const depth = len + 1;
    if (len <= 24) {
      this.repaint24(addr >>> 8, 1 << (24 - len), depth, depth, this.covering(addr, len));
      return true;
    }
    const index = addr >>> 8;
    const waiting = this.overflowing.get(index);
    if (waiting !== undefined) {
      if (waiting > 1) this.overflowing.set(index, waiting - 1);
      else {
        this.overflowing.delete(index);
        this.store(this.tbl24, index, this.background(index).value);
      }
      return true;
    }
    const group = this.tbl24[index] & GROUP_INDEX;
    if (--this.groupPrefixes[group] === 0) {
      this.freeGroup(index, group);
    } else {
      const cover = this.covering(addr, len);
      // the entries it was the longest prefix of fall back to its cover, long (the bits stay) or not
      this.paintLong(group, addr, len, cover.value, cover.depth > SHORT_MAX + 1);
    }
    return true;
  }

  /** the value of exactly this prefix, undefined when it is not held */
  get(addr: number, len: number): number | undefined {
    checkPrefix(addr, len);
    return this.prefixes.get(addr, len);
  }

  /** longest-prefix match as the XDP program does it: 0 when no prefix covers addr */
  lookup(addr: number): number {
    checkAddress(addr);
    return Dir24.read({ tbl24: this.tbl24, tbl8: this.tbl8 }, addr);
  }

  /** The entry for addr in arrays laid out as this class writes them, read as the program reads them. */
  static read(memory: Dir24Memory, addr: number): number {
    const entry = memory.tbl24[addr >>> 8]!;
    if (entry & TBL8_FLAG) return memory.tbl8[(entry & GROUP_INDEX) * TBL8_GROUP_SIZE + (addr & 255)]!;
    return entry;
  }

  /** number of prefixes held */
  get size(): number {
    return this.count;
  }

  /** tbl8 groups in use: one per /24 that holds a prefix longer than 24 (and those waiting for their grace period) */
  get groupsUsed(): number {
    return this.groupsTotal - this.free.length;
  }

  /** groups let go of and not yet reclaimed: their grace period is running */
  get groupsRetiring(): number {
    return this.retiring;
  }

  /** tbl8 groups available in all */
  get groupsTotal(): number {
    return this.groupPrefixes.length;
  }

  /** /24s waiting for a group, answering overflowValue meanwhile */
  get overflowed(): number {
    return this.overflowing.size;
  }

  /** zero both arrays and forget every prefix */
  clear(): void {
    // tbl24 first, as when freeing one group: no pointer outlives its group's contents
    this.tbl24.fill(0);
    this.tbl8.fill(0);
    this.depth24.fill(0);
    this.longCover.fill(0);
    this.groupPrefixes.fill(0);
    this.overflowing.clear();
    this.prefixes.clear();
    this.count = 0;
    this.retiring = 0;
    this.generation++;
    this.resetFreeList();
  }

  /**
   * Take over arrays a previous run left pinned, which its program is still
   * reading, for the prefixes that run recorded (its trie): the table is
   * computed aside, then each entry that differs is stored in place. A /24
   * that keeps needing a group keeps the one it has, so its addresses go
   * from their old answer to their new one and never through "no route";
   * a /24 that needs a new group gets one nobody points at, filled before
   * it is published; groups no /24 points at any more are retired.
   */
  static adopt(memory: Dir24Memory, prefixes: Iterable<{ addr: number; len: number; value: number }>, options: Dir24Options = {}): Dir24 {
    const aside = new Dir24({ tbl24: new Uint32Array(memory.tbl24.length), tbl8: new Uint32Array(memory.tbl8.length) }, { ...options, retire: undefined, store: undefined });
    for (const p of prefixes) aside.set(p.addr, p.len, p.value);
    const table = new Dir24(memory, options);
    table.takeOver(aside);
    return table;
  }

  private takeOver(aside: Dir24): void {
    if (this.overflowValue === undefined) throw new Error('Dir24.adopt needs an overflowValue: a /24 may have to wait for a group');
    const groups = this.groupsTotal;
    // which /24 each live group belongs to: the first pointer to it wins
    const owner = new Int32Array(groups).fill(-1);
    for (let index = 0; index < TBL24_ENTRIES; index++) {
      const entry = this.tbl24[index]!;
      if (entry & TBL8_FLAG && (entry & GROUP_INDEX) < groups && owner[entry & GROUP_INDEX] === -1) owner[entry & GROUP_INDEX] = index;
    }
    const released: number[] = [];
    for (let index = 0; index < TBL24_ENTRIES; index++) {
      const want = aside.tbl24[index]!;
      const have = this.tbl24[index]!;
      const haveGroup = have & TBL8_FLAG && (have & GROUP_INDEX) < groups && owner[have & GROUP_INDEX] === index ? have & GROUP_INDEX : -1;
      if (want & TBL8_FLAG && haveGroup >= 0) {
        this.copyGroup(aside, want & GROUP_INDEX, haveGroup);
      } else if (want & TBL8_FLAG) {
        // no group of its own in the live table (the previous run died
        // half-way through giving it one): the kernel answers for the /24
        // until a group has had its grace period
        this.overflowing.set(index, aside.groupPrefixes[want & GROUP_INDEX]!);
        if (have !== this.overflowValue) this.store(this.tbl24, index, this.overflowValue);
      } else {
        if (have !== want) this.store(this.tbl24, index, want);
        if (haveGroup >= 0) released.push(haveGroup);
      }
    }
    // Groups nobody points at go through a grace period before use, like
    // the ones let go of here: a run that died between freeing one and
    // its grace period may have left a reader in it.
    const unowned: number[] = [];
    for (let g = 0; g < groups; g++) if (owner[g] === -1) unowned.push(g);
    this.depth24.set(aside.depth24);
    // the table computed aside is dropped after this: its record becomes ours
    this.prefixes = aside.prefixes;
    this.count = aside.count;
    for (const [index, waiting] of aside.overflowing) this.overflowing.set(index, waiting);
    this.free = [];
    for (const group of [...released, ...unowned]) this.retireGroup(group);
  }

  /** Make live group `to` hold what group `from` of `aside` holds, one differing entry at a time. */
  private copyGroup(aside: Dir24, from: number, to: number): void {
    const src = from * TBL8_GROUP_SIZE;
    const dst = to * TBL8_GROUP_SIZE;
    for (let k = 0; k < TBL8_GROUP_SIZE; k++) {
      if (this.tbl8[dst + k] !== aside.tbl8[src + k]) this.store(this.tbl8, dst + k, aside.tbl8[src + k]!);
    }
    this.longCover.set(aside.longCover.subarray(from * GROUP_WORDS, (from + 1) * GROUP_WORDS), to * GROUP_WORDS);
    this.groupPrefixes[to] = aside.groupPrefixes[from]!;
  }

  private resetFreeList(): void {
    const total = this.groupsTotal;
    // popped from the end: hand out group 0 first, which keeps dumps readable
    this.free = Array.from({ length: total }, (_, k) => total - 1 - k);
  }

  private setLong(addr: number, len: number, cover: Cover, added: boolean): void {
    const index = addr >>> 8;
    const waiting = this.overflowing.get(index);
    if (waiting !== undefined) {
      if (added) this.overflowing.set(index, waiting + 1);
      return;
    }
    const entry = this.tbl24[index];
    const fresh = (entry & TBL8_FLAG) === 0;
    if (fresh && this.free.length === 0) {
      if (this.overflowValue === undefined) {
        // before any write, so a failed set leaves the table as it was
        throw new Error(
          `Dir24: cannot add ${dotted(addr)}/${len}: no free tbl8 group (all ${this.groupsTotal} groups are in use)`,
        );
      }
      this.overflowing.set(index, 1);
      this.store(this.tbl24, index, this.overflowValue);
      return;
    }
    const group = fresh ? this.buildGroup(this.background(index)) : entry & GROUP_INDEX;
    this.paintLong(group, addr, len, cover.value, true);
    // Published only now: the program follows the pointer the moment it
    // sees it, so all 256 entries must already hold their final values.
    if (fresh) this.store(this.tbl24, index, (TBL8_FLAG | group) >>> 0);
    if (added) this.groupPrefixes[group]++;
  }

  /** Take a free group and fill it with the /24's ≤24 answer; the caller publishes it. */
  private buildGroup(background: Cover): number {
    const group = this.free.pop()!;
    const start = group * TBL8_GROUP_SIZE;
    // Nothing points at a free group (its grace period is over): these
    // stores are unseen until the pointer is published.
    for (let i = start; i < start + TBL8_GROUP_SIZE; i++) this.store(this.tbl8, i, background.value);
    this.longCover.fill(0, group * GROUP_WORDS, (group + 1) * GROUP_WORDS);
    this.groupPrefixes[group] = 0;
    return group;
  }

  private freeGroup(index: number, group: number): void {
    // Readers stop following the pointer from this store on; one that read
    // it just before still finds the group's old answers, since the group
    // is neither cleared nor reused before its grace period is over.
    this.store(this.tbl24, index, this.background(index).value);
    this.retireGroup(group);
  }

  private retireGroup(group: number): void {
    this.retiring++;
    const generation = this.generation;
    this.retire(() => {
      if (generation === this.generation) this.reclaimGroup(group);
    });
  }

  /** A retired group's grace period is over: no reader holds it, it can be used again. */
  private reclaimGroup(group: number): void {
    this.retiring--;
    const start = group * TBL8_GROUP_SIZE;
    // cleared so a dump of the map shows only live groups
    this.tbl8.fill(0, start, start + TBL8_GROUP_SIZE);
    this.longCover.fill(0, group * GROUP_WORDS, (group + 1) * GROUP_WORDS);
    this.groupPrefixes[group] = 0;
    this.free.push(group);
    this.unblockOne();
  }

  /**
   * A group came free: give it to a /24 that was waiting, with all its
   * longer prefixes. The group is built whole before the one store that
   * publishes it: until then the /24 keeps answering the overflow value.
   */
  private unblockOne(): void {
    const next = this.overflowing.entries().next();
    if (next.done || this.free.length === 0) return;
    const [index, waiting] = next.value;
    this.overflowing.delete(index);
    const group = this.buildGroup(this.background(index));
    const start = group * TBL8_GROUP_SIZE;
    // shortest first, so a longer prefix paints over the shorter ones it lies in
    for (let len = SHORT_MAX + 1; len <= 32; len++) {
      const span = 1 << (32 - len);
      for (let addr = (index << 8) >>> 0; addr < (index + 1) * TBL8_GROUP_SIZE; addr += span) {
        const value = this.prefixes.get(addr, len);
        if (value === undefined) continue;
        const first = start + (addr & 255);
        const end = first + span;
        for (let i = first; i < end; i++) this.store(this.tbl8, i, value);
        this.markLong(first, end, true);
      }
    }
    this.groupPrefixes[group] = waiting;
    this.store(this.tbl24, index, (TBL8_FLAG | group) >>> 0);
  }

  /**
   * Give cover to the tbl24 entries [first, first + count) whose depth is in
   * lo..hi, and to the matching entries of their groups. Group entries of
   * ≤24 depth always equal their tbl24 entry's depth and >24 ones lie above
   * any ≤24 hi, so the same bounds pick exactly the entries to change there.
   */
  private repaint24(first: number, count: number, lo: number, hi: number, cover: Cover): void {
    const end = first + count;
    for (let index = first; index < end; index++) {
      const depth = this.depth24[index];
      if (depth < lo || depth > hi) continue;
      this.depth24[index] = cover.depth;
      // a /24 waiting for a group keeps answering overflowValue; its depth still follows
      if (this.overflowing.has(index)) continue;
      const entry = this.tbl24[index];
      if (entry & TBL8_FLAG) {
        // its entries of ≤24 depth are those no longer prefix covers: they had depth24's depth, just checked
        this.paintShort(entry & GROUP_INDEX, cover.value);
      } else {
        this.store(this.tbl24, index, cover.value);
      }
    }
  }

  /** Store value in the entries of a group that no prefix longer than /24 covers. */
  private paintShort(group: number, value: number): void {
    const start = group * TBL8_GROUP_SIZE;
    for (let i = start; i < start + TBL8_GROUP_SIZE; i++) {
      if ((this.longCover[i >>> 5]! & (1 << (i & 31))) === 0) this.store(this.tbl8, i, value);
    }
  }

  /**
   * Store value in the entries of addr/len (longer than /24, in `group`)
   * that no longer prefix covers: those whose answer is addr/len's, or is
   * to be its cover's when it goes. `long`: whether a prefix longer than
   * /24 covers them afterwards (their bit).
   */
  private paintLong(group: number, addr: number, len: number, value: number, long: boolean): void {
    const count = 1 << (32 - len);
    const first = group * TBL8_GROUP_SIZE + (addr & 255);
    const end = first + count;
    if (!this.anyLong(first, end)) {
      for (let i = first; i < end; i++) this.store(this.tbl8, i, value);
      this.markLong(first, end, long);
      return;
    }
    // some are covered by a long prefix: by a longer one of those inside the range?
    const longer = this.longer;
    longer.fill(0, 0, count);
    for (let l = len + 1; l <= 32; l++) {
      const step = 1 << (32 - l);
      for (let a = addr; a < addr + count; a += step) if (this.prefixes.has(a, l)) longer.fill(1, a - addr, a - addr + step);
    }
    for (let k = 0; k < count; k++) {
      if (longer[k]) continue;
      this.store(this.tbl8, first + k, value);
      this.markLong(first + k, first + k + 1, long);
    }
  }

  /** Whether any tbl8 entry in [first, end) has its long-cover bit. */
  private anyLong(first: number, end: number): boolean {
    for (let i = first; i < end; i++) if (this.longCover[i >>> 5]! & (1 << (i & 31))) return true;
    return false;
  }

  /** Set or clear the long-cover bit of the tbl8 entries [first, end). */
  private markLong(first: number, end: number, long: boolean): void {
    for (let i = first; i < end; i++) {
      if (long) this.longCover[i >>> 5]! |= 1 << (i & 31);
      else this.longCover[i >>> 5]! &= ~(1 << (i & 31));
    }
  }

  /**
   * The longest prefix shorter than len that covers addr/len: what its
   * entries fall back to when it is deleted. Any such prefix covers the
   * whole range, so one answer serves every entry.
   */
  private covering(addr: number, len: number): Cover {
    for (let l = len - 1; l >= 0; l--) {
      // depth24 already records the longest ≤24 cover of this /24
      if (l === 24) return this.background(addr >>> 8);
      const value = this.prefixes.get(maskTo(addr, l), l);
      if (value !== undefined) return { depth: l + 1, value };
    }
    return NO_COVER;
  }

  /** What the ≤24 prefixes give tbl24 entry index. */
  private background(index: number): Cover {
    const depth = this.depth24[index];
    if (depth === 0) return NO_COVER;
    const len = depth - 1;
    return { depth, value: this.prefixes.get(maskTo((index << 8) >>> 0, len), len)! };
  }
}
