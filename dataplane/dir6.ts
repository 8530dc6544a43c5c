// The userspace side of the IPv6 index (DPDK's rte_lpm6 layout): a table
// of one u32 per /24, then groups of 256 entries, one per 8 more bits, so
// the program answers a longest-prefix match with at most 14 array loads,
// and four for the /48s that are half of the global table.
//
// The arrays are memory-mapped BPF maps the program reads while we write,
// under the rules of dir24.ts: every store a reader can reach is one
// Atomics.store; a chain of new groups is filled while nothing points at
// it and published with one store of its top pointer; a group let go of is
// reused only after a grace period.
//
// When a prefix needs groups and too few are free, the entry where its
// chain would start gets the TRIE mark: the program asks the LPM trie
// xr_fib6, the record of every IPv6 route, for the addresses under it.
// Slower, never wrong; the mark gives way to a chain once groups free up.

import type { Dir24Options } from './dir24.js';
import { GroupPool } from './group-pool.js';
import { Dir6Layout } from './layout.js';

export const TBL24_ENTRIES = Dir6Layout.tbl24Entries;
export const GROUP_SIZE = Dir6Layout.groupSize;
/** the pointer bit of an entry: the other bits are a group index, not a route */
export const GROUP_FLAG = 2 ** Dir6Layout.groupBit;
/** "ask the trie": a pointer to a group that does not exist */
export const TRIE_MARK = (GROUP_FLAG | Dir6Layout.trieGroup) >>> 0;

export interface Dir6Memory {
  /** length TBL24_ENTRIES: indexed by the address's first three bytes */
  tbl24: Uint32Array;
  /** length groups * GROUP_SIZE */
  tbl8: Uint32Array;
}

const GROUP_INDEX = GROUP_FLAG - 1;
const MAX_VALUE = GROUP_FLAG - 1;
/** bits the /24 table resolves; every group 8 more */
const FIRST_BITS = 24;
/** an entry's depth is prefix length + 1 (0: no prefix); a mark's is above any */
const MARK_DEPTH = 255;

/** What an entry holds and the depth (length + 1) of the prefix that put it there. */
interface Cover {
  depth: number;
  value: number;
}

const NO_COVER: Cover = { depth: 0, value: 0 };

/** Where an entry lives: the /24 table or a group, and its index there. */
interface Slot {
  table: Uint32Array;
  depths: Uint8Array;
  at: number;
}

/** A TRIE mark and the prefixes under it, which the index does not hold yet. */
interface Mark {
  slot: Slot;
  /** the level of the table the mark is in: 0 for the /24 table */
  level: number;
  /** an address under the mark */
  addr: Uint8Array;
  /** "len/hex" keys of the prefixes under it */
  prefixes: Set<string>;
}

/** the level of the table that holds a prefix of length len: 0 is the /24 table */
function levelOf(len: number): number {
  return len <= FIRST_BITS ? 0 : Math.ceil((len - FIRST_BITS) / 8);
}

/** the number of leading bits the tables down to `level` resolve */
function levelEnd(level: number): number {
  return FIRST_BITS + 8 * level;
}

/** addr's index in a table of `level` */
function indexIn(addr: Uint8Array, level: number): number {
  return level === 0 ? (addr[0]! << 16) | (addr[1]! << 8) | addr[2]! : addr[2 + level]!;
}

function masked(addr: Uint8Array, len: number): Uint8Array {
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) {
    const keep = Math.max(0, Math.min(8, len - i * 8));
    out[i] = addr[i]! & ((0xff00 >> keep) & 0xff);
  }
  return out;
}

function hex(addr: Uint8Array): string {
  return Buffer.from(addr.buffer, addr.byteOffset, 16).toString('hex');
}

function checkAddress(addr: Uint8Array): void {
  if (addr.length !== 16) throw new RangeError(`Dir6: an address is 16 bytes, got ${addr.length}`);
}

function checkPrefix(addr: Uint8Array, len: number): void {
  checkAddress(addr);
  if (!Number.isInteger(len) || len < 0 || len > 128) throw new RangeError(`Dir6: prefix length must be an integer 0..128, got ${len}`);
  for (let i = 0; i < 16; i++) {
    const keep = Math.max(0, Math.min(8, len - i * 8));
    if (addr[i]! & (0xff >> keep)) throw new RangeError(`Dir6: ${hex(addr)}/${len} has host bits set`);
  }
}

function checkValue(value: number): void {
  if (!Number.isInteger(value) || value < 1 || value > MAX_VALUE) {
    // 0 is how the program reads "no route" and bit 31 marks a pointer
    throw new RangeError(`Dir6: value must be an integer 1..0x7fffffff, got ${value}`);
  }
}

export interface Dir6Usage {
  prefixes: number;
  used: number;
  total: number;
  retiring: number;
  marked: number;
}

/** Dir24's: whether to retire groups after a grace period, and through what every store goes */
export type Dir6Options = Pick<Dir24Options, 'retire' | 'store'>;

export class Dir6 {
  private readonly tbl24: Uint32Array;
  private readonly tbl8: Uint32Array;
  /** per entry: depth of the prefix it answers for; for a pointer, of the cover beneath its group */
  private readonly depth24 = new Uint8Array(TBL24_ENTRIES);
  private readonly depth8: Uint8Array;
  /** per group: whether this instance wrote its depths (see reclaimGroup) */
  private readonly depthsWritten: Uint8Array;
  /** per group: the prefixes it leads to (held or under a mark), so we know when to free it */
  private readonly groupPrefixes: Uint32Array;
  /** prefixes[len]: network address (hex) -> value */
  private readonly prefixes: Array<Map<string, number>> = Array.from({ length: 129 }, () => new Map<string, number>());
  private readonly pool: GroupPool;
  /** TRIE marks by "24:index" or "8:index" */
  private readonly marks = new Map<string, Mark>();
  private count = 0;
  private readonly store: NonNullable<Dir24Options['store']>;

  /** The memory must be zero everywhere (adopt() takes memory that is in use). */
  constructor(memory: Dir6Memory, options: Dir6Options = {}) {
    if (memory.tbl24.length !== TBL24_ENTRIES) throw new RangeError(`Dir6: tbl24 must have ${TBL24_ENTRIES} entries, got ${memory.tbl24.length}`);
    if (memory.tbl8.length % GROUP_SIZE !== 0) throw new RangeError(`Dir6: tbl8 must be a whole number of ${GROUP_SIZE}-entry groups, got ${memory.tbl8.length} entries`);
    this.tbl24 = memory.tbl24;
    this.tbl8 = memory.tbl8;
    this.depth8 = new Uint8Array(memory.tbl8.length);
    this.groupPrefixes = new Uint32Array(memory.tbl8.length / GROUP_SIZE);
    this.depthsWritten = new Uint8Array(this.groupPrefixes.length);
    this.store = options.store ?? ((array, index, value) => void Atomics.store(array, index, value));
    this.pool = new GroupPool(this.groupPrefixes.length, options.retire ?? ((reclaim) => reclaim()), (group) => this.reclaimGroup(group));
  }

  /** add or replace prefix addr/len (16 bytes, no host bits set; len 0..128); value 1..0x7fffffff */
  set(addr: Uint8Array, len: number, value: number): void {
    checkPrefix(addr, len);
    checkValue(value);
    const key = hex(addr);
    const added = !this.prefixes[len]!.has(key);
    this.prefixes[len]!.set(key, value);
    if (added) this.count++;
    this.place(this.rootSlot(addr), 0, addr, len, { depth: len + 1, value }, added);
  }

  /** remove the prefix; false when it was not there */
  delete(addr: Uint8Array, len: number): boolean {
    checkPrefix(addr, len);
    if (!this.prefixes[len]!.delete(hex(addr))) return false;
    this.count--;
    const level = levelOf(len);
    const path: Array<{ group: number; parent: Slot }> = [];
    let slot = this.rootSlot(addr);
    for (let at = 0; at < level; at++) {
      const entry = slot.table[slot.at]!;
      if (entry === TRIE_MARK) {
        const mark = this.marks.get(this.markKey(slot))!;
        mark.prefixes.delete(`${len}/${hex(addr)}`);
        if (mark.prefixes.size === 0) this.unmark(mark);
        this.release(addr, path);
        return true;
      }
      const group = entry & GROUP_INDEX;
      path.push({ group, parent: slot });
      slot = this.groupSlot(group, addr, at + 1);
    }
    // a group left with no prefix is unlinked whole: readers in it keep the old answers until their grace period
    if (!path.some(({ group }) => this.groupPrefixes[group] === 1)) {
      const span = this.span(addr, len);
      this.repaint(slot.table, slot.depths, span.first + (slot.at - indexIn(addr, level)), span.count, len + 1, len + 1, this.covering(addr, len));
    }
    this.release(addr, path);
    return true;
  }

  /** the value of exactly this prefix, undefined when it is not held */
  get(addr: Uint8Array, len: number): number | undefined {
    checkPrefix(addr, len);
    return this.prefixes[len]!.get(hex(addr));
  }

  /** longest-prefix match as the program does it: 0 when no prefix covers addr, TRIE_MARK where the trie answers */
  lookup(addr: Uint8Array): number {
    checkAddress(addr);
    return Dir6.read({ tbl24: this.tbl24, tbl8: this.tbl8 }, addr);
  }

  /**
   * The entry for addr in arrays laid out as this class writes them, read
   * as the program reads them. onLoad is told of each load, in order: what
   * a lookup costs, for the benchmark.
   */
  static read(memory: Dir6Memory, addr: Uint8Array, onLoad?: (array: Uint32Array, index: number) => void): number {
    let at = indexIn(addr, 0);
    onLoad?.(memory.tbl24, at);
    let entry = memory.tbl24[at]!;
    for (let level = 1; entry & GROUP_FLAG && entry !== TRIE_MARK; level++) {
      at = (entry & GROUP_INDEX) * GROUP_SIZE + indexIn(addr, level);
      onLoad?.(memory.tbl8, at);
      entry = memory.tbl8[at]!;
    }
    return entry;
  }

  /** prefixes held; groups used (those waiting for their grace period included), in all, retiring; entries marked for the trie */
  usage(): Dir6Usage {
    return { prefixes: this.count, used: this.pool.used, total: this.pool.total, retiring: this.pool.retiringCount, marked: this.marks.size };
  }

  /** zero both arrays and forget every prefix */
  clear(): void {
    // tbl24 first: no pointer outlives its group's contents
    for (const array of [this.tbl24, this.tbl8, this.depth24, this.depth8, this.depthsWritten, this.groupPrefixes]) array.fill(0);
    this.marks.clear();
    for (const byAddr of this.prefixes) byAddr.clear();
    this.count = 0;
    this.pool.reset();
  }

  /**
   * Take over arrays a previous run left pinned, which its program is still
   * reading, for the prefixes that run recorded (its trie): the table is
   * computed aside, then the live one is brought to it entry by entry. A
   * group the live table has where the new one needs a group is kept and
   * rewritten in place, so its addresses go from their old answer to their
   * new one and never through "no route"; where a new group is needed, the
   * entry is marked for the trie until groups nobody pointed at have had
   * their grace period (a run that died may have left a reader in them).
   */
  static adopt(memory: Dir6Memory, prefixes: Iterable<{ addr: Uint8Array; len: number; value: number }>, options: Dir6Options = {}): Dir6 {
    const aside = new Dir6({ tbl24: new Uint32Array(TBL24_ENTRIES), tbl8: new Uint32Array(memory.tbl8.length) });
    for (const p of prefixes) aside.set(p.addr, p.len, p.value);
    const table = new Dir6(memory, options);
    table.takeOver(aside);
    return table;
  }

  private takeOver(aside: Dir6): void {
    const groups = this.pool.total;
    // a live group is ours to keep if exactly one pointer, the first met, leads to it
    const owned = new Uint8Array(groups);
    this.pool.claimAll();
    for (let len = 0; len <= 128; len++) for (const [key, value] of aside.prefixes[len]!) this.prefixes[len]!.set(key, value);
    this.count = aside.count;
    const keep = (from: Slot, to: Slot, level: number, addr: Uint8Array): void => {
      const want = from.table[from.at]!;
      const have = to.table[to.at]!;
      const haveGroup = have & GROUP_FLAG && have !== TRIE_MARK && (have & GROUP_INDEX) < groups && !owned[have & GROUP_INDEX] ? have & GROUP_INDEX : -1;
      to.depths[to.at] = from.depths[from.at]!;
      if (want & GROUP_FLAG && haveGroup >= 0) {
        owned[haveGroup] = 1;
        this.depthsWritten[haveGroup] = 1;
        const wantGroup = want & GROUP_INDEX;
        this.groupPrefixes[haveGroup] = aside.groupPrefixes[wantGroup]!;
        for (let k = 0; k < GROUP_SIZE; k++) {
          addr[2 + level + 1] = k;
          keep(aside.groupSlot(wantGroup, addr, level + 1), this.groupSlot(haveGroup, addr, level + 1), level + 1, addr);
        }
        addr[2 + level + 1] = 0;
        return;
      }
      if (want & GROUP_FLAG) {
        // no group of its own in the live table: the trie answers until one is free
        const under = aside.prefixesUnder(addr, levelEnd(level));
        this.marks.set(this.markKey(to), { slot: to, level, addr: Uint8Array.from(addr), prefixes: under });
        if (have !== TRIE_MARK) this.store(to.table, to.at, TRIE_MARK);
        to.depths[to.at] = MARK_DEPTH;
      } else if (have !== want) {
        // a group it pointed at, and those under it, stay unowned: retired below
        this.store(to.table, to.at, want);
      }
    };
    const addr = new Uint8Array(16);
    for (let index = 0; index < TBL24_ENTRIES; index++) {
      const want = aside.tbl24[index]!;
      const have = this.tbl24[index]!;
      // most of the 16M entries: a route (or none) on both sides
      if (!((want | have) & GROUP_FLAG)) {
        if (have !== want) this.store(this.tbl24, index, want);
        this.depth24[index] = aside.depth24[index]!;
        continue;
      }
      addr[0] = index >>> 16;
      addr[1] = (index >>> 8) & 255;
      addr[2] = index & 255;
      keep({ table: aside.tbl24, depths: aside.depth24, at: index }, { table: this.tbl24, depths: this.depth24, at: index }, 0, addr);
    }
    // groups nobody points at wait out a grace period before use, like those let go of here
    for (let g = 0; g < groups; g++) if (!owned[g]) this.pool.release(g);
  }

  /** "len/hex" keys of the prefixes longer than `bits` that share addr's first `bits` bits */
  private prefixesUnder(addr: Uint8Array, bits: number): Set<string> {
    const top = hex(masked(addr, bits)).slice(0, bits / 4);
    const out = new Set<string>();
    for (let len = bits + 1; len <= 128; len++) {
      for (const key of this.prefixes[len]!.keys()) if (key.startsWith(top)) out.add(`${len}/${key}`);
    }
    return out;
  }

  private rootSlot(addr: Uint8Array): Slot {
    return { table: this.tbl24, depths: this.depth24, at: indexIn(addr, 0) };
  }

  private groupSlot(group: number, addr: Uint8Array, level: number): Slot {
    return { table: this.tbl8, depths: this.depth8, at: group * GROUP_SIZE + indexIn(addr, level) };
  }

  private markKey(slot: Slot): string {
    return `${slot.table === this.tbl24 ? 24 : 8}:${slot.at}`;
  }

  /** the entries of addr/len in the table of its level: the first one's index there, and how many */
  private span(addr: Uint8Array, len: number): { first: number; count: number } {
    const level = levelOf(len);
    const count = 2 ** (levelEnd(level) - len);
    return { first: indexIn(addr, level) & ~(count - 1), count };
  }

  /**
   * Put addr/len into the tables below `slot`, an entry of a table of
   * `level` on its path: follow the pointers down to its level's table and
   * give its entries the cover, or build the groups it lacks and publish
   * them with one store, or mark the entry for the trie when too few groups
   * are free. added: count it in the groups on its path.
   */
  private place(slot: Slot, level: number, addr: Uint8Array, len: number, cover: Cover, added: boolean): void {
    const target = levelOf(len);
    const path: number[] = [];
    const count = (): void => {
      if (added) for (const g of path) this.groupPrefixes[g]!++;
    };
    for (let at = level; at < target; at++) {
      const entry = slot.table[slot.at]!;
      if (entry === TRIE_MARK) {
        this.marks.get(this.markKey(slot))!.prefixes.add(`${len}/${hex(addr)}`);
        return count();
      }
      if (!(entry & GROUP_FLAG)) {
        if (this.pool.available < target - at) {
          this.mark(slot, at, addr, new Set([`${len}/${hex(addr)}`]));
        } else {
          const top = this.buildChain(slot, at, addr, len, cover);
          // Published only now: the program follows the pointer the moment
          // it sees it, so the whole chain must already hold its answers.
          this.store(slot.table, slot.at, (GROUP_FLAG | top) >>> 0);
        }
        return count();
      }
      const group = entry & GROUP_INDEX;
      path.push(group);
      slot = this.groupSlot(group, addr, at + 1);
    }
    const span = this.span(addr, len);
    this.repaint(slot.table, slot.depths, span.first + (slot.at - indexIn(addr, target)), span.count, 0, cover.depth, cover);
    count();
  }

  /** A free group, every entry answering `background`; nothing points at it yet. */
  private newGroup(background: Cover): number {
    const group = this.pool.take();
    const start = group * GROUP_SIZE;
    // plain stores: nothing points at a free group, and the store that
    // publishes it orders them before it (Atomics.store is a fence)
    this.tbl8.fill(background.value, start, start + GROUP_SIZE);
    this.depth8.fill(background.depth, start, start + GROUP_SIZE);
    this.depthsWritten[group] = 1;
    return group;
  }

  /**
   * Groups for levels at+1 .. levelOf(len) under the entry at `from`, which
   * holds a route (its answer is their background), with addr/len in the
   * last; linked to each other, not yet to `from`. Returns the top one.
   */
  private buildChain(from: Slot, at: number, addr: Uint8Array, len: number, cover: Cover): number {
    const background: Cover = { depth: from.depths[from.at]!, value: from.table[from.at]! };
    const level = levelOf(len);
    const chain: number[] = [];
    for (let l = at + 1; l <= level; l++) {
      const group = this.newGroup(background);
      this.groupPrefixes[group] = 1;
      chain.push(group);
    }
    for (let k = 0; k + 1 < chain.length; k++) {
      this.store(this.tbl8, chain[k]! * GROUP_SIZE + indexIn(addr, at + 1 + k), (GROUP_FLAG | chain[k + 1]!) >>> 0);
    }
    const span = this.span(addr, len);
    const last = chain[chain.length - 1]! * GROUP_SIZE;
    this.repaint(this.tbl8, this.depth8, last + span.first, span.count, 0, cover.depth, cover);
    return chain[0]!;
  }

  private mark(slot: Slot, level: number, addr: Uint8Array, prefixes: Set<string>): void {
    this.marks.set(this.markKey(slot), { slot, level, addr: Uint8Array.from(addr), prefixes });
    slot.depths[slot.at] = MARK_DEPTH;
    this.store(slot.table, slot.at, TRIE_MARK);
  }

  /** The last prefix under a mark is gone: the entry answers its cover again. */
  private unmark(mark: Mark): void {
    this.marks.delete(this.markKey(mark.slot));
    const cover = this.covering(mark.addr, levelEnd(mark.level) + 1);
    mark.slot.depths[mark.slot.at] = cover.depth;
    this.store(mark.slot.table, mark.slot.at, cover.value);
  }

  /**
   * A prefix under the groups of `path` is gone: count it off, and unlink
   * the highest group that leads to no prefix any more. The groups under
   * it lead to none either, and are reachable only through it.
   */
  private release(addr: Uint8Array, path: Array<{ group: number; parent: Slot }>): void {
    let unlinked = false;
    for (const { group, parent } of path) {
      if (--this.groupPrefixes[group]! !== 0) continue;
      if (!unlinked) {
        // Readers stop following the pointer from this store on; one that
        // read it just before still finds the old answers, since the group
        // is neither cleared nor reused before its grace period is over.
        this.store(parent.table, parent.at, this.background(parent, addr).value);
        unlinked = true;
      }
      this.pool.release(group);
    }
  }

  /** A released group's grace period is over: cleared, and handed to a mark that waits, if one can have it. */
  private reclaimGroup(group: number): void {
    const start = group * GROUP_SIZE;
    // cleared so a dump of the map shows only live groups
    this.tbl8.fill(0, start, start + GROUP_SIZE);
    // A restart reclaims every group nobody pointed at, whose depths were
    // never written: left alone, their pages are never touched (a first
    // touch of the 90 MB costs seconds on a VM whose page faults are slow).
    if (this.depthsWritten[group]) this.depth8.fill(0, start, start + GROUP_SIZE);
    this.depthsWritten[group] = 0;
    this.groupPrefixes[group] = 0;
    this.unmarkOne();
  }

  /**
   * Groups came free: give a marked entry the chains its prefixes need, if
   * there are enough now. Built whole under a new group before the one store
   * that replaces the mark: until then the trie keeps answering.
   */
  private unmarkOne(): void {
    for (const [key, mark] of this.marks) {
      const need = this.groupsUnder(mark);
      if (need > this.pool.available) continue;
      this.marks.delete(key);
      const background = this.covering(mark.addr, levelEnd(mark.level) + 1);
      const top = this.newGroup(background);
      for (const entry of mark.prefixes) {
        const [len, key] = entry.split('/') as [string, string];
        const addr = Uint8Array.from(Buffer.from(key, 'hex'));
        // the new subtree has no mark and enough free groups: it takes them all
        this.place(this.groupSlot(top, addr, mark.level + 1), mark.level + 1, addr, Number(len), { depth: Number(len) + 1, value: this.prefixes[Number(len)]!.get(key)! }, true);
      }
      this.groupPrefixes[top] = mark.prefixes.size;
      mark.slot.depths[mark.slot.at] = background.depth;
      this.store(mark.slot.table, mark.slot.at, (GROUP_FLAG | top) >>> 0);
      return;
    }
  }

  /** groups a mark's prefixes need: one per distinct path below the marked entry */
  private groupsUnder(mark: Mark): number {
    const paths = new Set<string>();
    for (const entry of mark.prefixes) {
      const [len, key] = entry.split('/') as [string, string];
      for (let level = mark.level + 1; level <= levelOf(Number(len)); level++) paths.add(key.slice(0, levelEnd(level - 1) / 4));
    }
    return paths.size;
  }

  /**
   * Give cover to the entries [first, first + count) of a table whose depth
   * is in lo..hi, and to the matching entries of the groups under them.
   * A group's own prefixes are deeper than any cover from above, so the
   * same bounds pick exactly the background entries there; a mark's depth
   * is above every bound.
   */
  private repaint(table: Uint32Array, depths: Uint8Array, first: number, count: number, lo: number, hi: number, cover: Cover): void {
    for (let i = first; i < first + count; i++) {
      const depth = depths[i]!;
      if (depth < lo || depth > hi) continue;
      depths[i] = cover.depth;
      const entry = table[i]!;
      if (entry & GROUP_FLAG) {
        this.repaint(this.tbl8, this.depth8, (entry & GROUP_INDEX) * GROUP_SIZE, GROUP_SIZE, lo, hi, cover);
      } else {
        this.store(table, i, cover.value);
      }
    }
  }

  /** The longest prefix shorter than len that covers addr: what addr/len's entries fall back to. */
  private covering(addr: Uint8Array, len: number): Cover {
    for (let l = len - 1; l >= 0; l--) {
      const value = this.prefixes[l]!.get(hex(masked(addr, l)));
      if (value !== undefined) return { depth: l + 1, value };
    }
    return NO_COVER;
  }

  /** What the cover beneath a pointer entry gives it (its depth says which prefix). */
  private background(slot: Slot, addr: Uint8Array): Cover {
    const depth = slot.depths[slot.at]!;
    if (depth === 0) return NO_COVER;
    return { depth, value: this.prefixes[depth - 1]!.get(hex(masked(addr, depth - 1)))! };
  }
}
