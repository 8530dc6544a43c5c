// Prefixes to dense slot numbers, with no object or string per prefix: a
// full table's 1.35M prefixes held as a JS Map of "family|prefix" strings
// cost some 100 bytes each before any value. Keys are stored packed (four
// 32-bit words of address, the length and the family) in typed arrays; an
// open-addressing hash (linear probing, deletion by backward shift, so no
// tombstones pile up under churn) finds a key's slot. What is stored per
// prefix elsewhere is a column indexed by slot. A slot is held by one or
// more holders (the kernel's state, what the maps were written with); it
// goes back to a free list when the last lets go, and is handed out again.
// The prefix text is made only where asked for.
import { formatAddress, parseIPv6, type Family } from '../../dataplane/addr.js';
import { grownColumn } from '../../dataplane/columns.js';

/** Who holds a slot: each a bit, the slot is free when none does. CHANGED: events changed it, and the reconciler has not done with it (changed-slots.ts). */
export const HOLDER = { KERNEL: 1, APPLIED: 2, CHANGED: 4 } as const;

const WORDS = 4;
const NONE = -1;
const EMPTY_BUCKET = 0;
const INITIAL_SLOTS = 1024;
/** slots grow by half: a full table's columns carry a quarter of slack on average, not half */
const SLOT_GROWTH = 1.5;
/** grow the hash beyond this share of buckets in use: linear probing slows sharply past it */
const MAX_LOAD = 0.7;
const GOLDEN = 0x9e3779b1;
const IPV4_BITS = 32;
const IPV6_BITS = 128;
const DOT = 0x2e;
const DIGIT_0 = 0x30;
const BAR = 0x7c;
const COLON = 0x3a;
const IPV6_GROUPS = 8;
const MAX_HEX_DIGITS = 4;
const HEX_A = 0x61;
const HEX_UPPER_A = 0x41;
const HEX_LETTERS = 6;
const TEN = 10;

/** fmix32 of MurmurHash3: spreads addresses that differ in their last bits over the whole table */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

export class PrefixTable {
  /** slot -> address words (network order, IPv4 in the first word) */
  private words = new Uint32Array(INITIAL_SLOTS * WORDS);
  /** slot -> length; 6 in the family column for IPv6, 4 for IPv4, 0 when the slot is free */
  private lengths = new Uint8Array(INITIAL_SLOTS);
  private families = new Uint8Array(INITIAL_SLOTS);
  private holders = new Uint8Array(INITIAL_SLOTS);
  /** the last slot given back, to hand out before new ones; each free slot's first word names the one freed before it */
  private freeHead = NONE;
  /** slots ever handed out: 0 .. end-1 */
  private end = 0;
  /** bucket -> slot + 1 (0: empty) */
  private buckets = new Int32Array(INITIAL_SLOTS * 2);
  private count = 0;
  private readonly key = new Uint32Array(WORDS);
  private readonly groups = new Uint16Array(IPV6_GROUPS);
  private readonly bytes = Buffer.alloc(WORDS * 4);
  private readonly listeners: Array<(slots: number) => void> = [];

  /** Prefixes held. */
  get size(): number {
    return this.count;
  }

  /** The length a column indexed by slot needs now (it grows: see onGrow). */
  get capacity(): number {
    return this.lengths.length;
  }

  /**
   * Room for `prefixes` in all, made at once: a dump of a full table would
   * otherwise grow every column by slot some twenty times on its way,
   * copying each, and leave up to a half of it unused.
   */
  reserve(prefixes: number): void {
    if (prefixes > this.lengths.length) this.growSlots(prefixes);
    let buckets = this.buckets.length;
    while (prefixes > buckets * MAX_LOAD) buckets *= 2;
    if (buckets > this.buckets.length) this.rehash(buckets);
  }

  /** Called with the new capacity when the slots grow, so columns by slot grow with them. */
  onGrow(listener: (slots: number) => void): void {
    this.listeners.push(listener);
  }

  /** The slot of a "family|prefix" key, or -1. */
  findKey(familyPrefix: string): number {
    const family = familyPrefix.charCodeAt(0) === DIGIT_0 + 6 && familyPrefix.charCodeAt(1) === BAR ? 6 : 4;
    return this.find(family, familyPrefix.slice(2));
  }

  /**
   * The slot of a prefix, or -1; text that is no prefix has none. Any
   * spelling of an IPv6 address finds the same slot; prefix() gives the
   * canonical one.
   */
  find(family: Family, prefix: string): number {
    const length = this.parse(family, prefix);
    return length < 0 ? NONE : this.lookup(family, length, this.hash(family, length));
  }

  /** The slot of a prefix, taken for `holder` (and made if new). Throws on text that is no canonical prefix. */
  hold(family: Family, prefix: string, holder: number): number {
    const length = this.parse(family, prefix);
    if (length < 0) throw new Error(`"${prefix}" is not an IPv${family} prefix in canonical form (address/length, host bits clear)`);
    const hash = this.hash(family, length);
    let slot = this.lookup(family, length, hash);
    if (slot === NONE) slot = this.insert(family, length, hash);
    this.holders[slot]! |= holder;
    return slot;
  }

  /**
   * The same from the address's bytes in a message (network order, 4 or 16
   * by family; `at` < 0: the all-zero address), with no text made or
   * parsed: a dump's routes take their slots this way. -1, and nothing
   * held, when the length is beyond the family's or host bits are set.
   */
  holdAddress(family: Family, length: number, bytes: Buffer, at: number, holder: number): number {
    const key = this.key;
    key.fill(0);
    if (at >= 0) for (let i = 0; i < (family === 4 ? 1 : WORDS); i++) key[i] = bytes.readUInt32BE(at + i * 4);
    if (length > (family === 4 ? IPV4_BITS : IPV6_BITS) || !this.hostBitsClear(length)) return NONE;
    const hash = this.hash(family, length);
    let slot = this.lookup(family, length, hash);
    if (slot === NONE) slot = this.insert(family, length, hash);
    this.holders[slot]! |= holder;
    return slot;
  }

  /** Take a slot already held by another holder (a slot number is not checked to be in use otherwise). */
  holdSlot(slot: number, holder: number): void {
    if (this.holders[slot] === 0) throw new Error(`prefix slot ${slot} is free: it cannot be held`);
    this.holders[slot]! |= holder;
  }

  /** `holder` lets go of the slot; the last one frees it. */
  release(slot: number, holder: number): void {
    if ((this.holders[slot]! & holder) === 0) return;
    this.holders[slot]! &= ~holder;
    if (this.holders[slot] === 0) this.remove(slot);
  }

  held(slot: number, holder: number): boolean {
    return (this.holders[slot]! & holder) !== 0;
  }

  family(slot: number): Family {
    return this.families[slot] === 6 ? 6 : 4;
  }

  /** The prefix's length in bits. */
  length(slot: number): number {
    return this.lengths[slot]!;
  }

  /** Word `i` (0-3) of the prefix's address, network order, host bits clear; IPv4 has only word 0. */
  word(slot: number, i: number): number {
    return this.words[slot * WORDS + i]!;
  }

  /** The prefix's text, as formatPrefix writes it. */
  prefix(slot: number): string {
    const length = this.lengths[slot]!;
    const at = slot * WORDS;
    if (this.families[slot] === 4) {
      const w = this.words[at]!;
      return `${w >>> 24}.${(w >>> 16) & 0xff}.${(w >>> 8) & 0xff}.${w & 0xff}/${length}`;
    }
    for (let i = 0; i < WORDS; i++) this.bytes.writeUInt32BE(this.words[at + i]!, i * 4);
    return `${formatAddress(this.bytes)}/${length}`;
  }

  /** "family|prefix", the key the sync's events and listeners name prefixes by. */
  keyOf(slot: number): string {
    return `${this.families[slot]}|${this.prefix(slot)}`;
  }

  /** Every slot one of `holders` (a mask) holds, lowest first. Slots freed during the walk are skipped, slots taken during it may be. */
  *slots(holders: number): Generator<number> {
    for (let slot = 0; slot < this.end; slot++) if ((this.holders[slot]! & holders) !== 0) yield slot;
  }

  /** The slots one of `holders` (a mask) holds now, lowest first: slots() as one array, no object per slot. */
  slotList(holders: number): Uint32Array {
    let count = 0;
    for (let slot = 0; slot < this.end; slot++) if ((this.holders[slot]! & holders) !== 0) count++;
    const out = new Uint32Array(count);
    for (let slot = 0, i = 0; slot < this.end; slot++) if ((this.holders[slot]! & holders) !== 0) out[i++] = slot;
    return out;
  }

  /** Parses into this.key; returns the length, or -1 when the text is not a canonical prefix of the family. */
  private parse(family: Family, prefix: string): number {
    const slash = prefix.indexOf('/');
    if (slash < 0) return NONE;
    let length = 0;
    for (let i = slash + 1; i < prefix.length; i++) {
      const d = prefix.charCodeAt(i) - DIGIT_0;
      // as formatPrefix writes it: at most 3 digits, no leading zero
      if (d < 0 || d > 9 || i - slash > 3 || (i > slash + 1 && length === 0)) return NONE;
      length = length * 10 + d;
    }
    if (slash === prefix.length - 1 || length > (family === 4 ? IPV4_BITS : IPV6_BITS)) return NONE;
    const key = this.key;
    key.fill(0);
    if (family === 4) {
      if (!parseIPv4Word(prefix, slash, key)) return NONE;
    } else if (!this.parseIPv6Words(prefix, slash)) return NONE;
    return this.hostBitsClear(length) ? length : NONE;
  }

  /** this.key has no bit set past the first `length` */
  private hostBitsClear(length: number): boolean {
    for (let i = 0; i < WORDS; i++) {
      const bits = Math.min(IPV4_BITS, Math.max(0, length - i * IPV4_BITS));
      const host = bits === IPV4_BITS ? 0 : 0xffffffff >>> bits;
      if ((this.key[i]! & host) !== 0) return false;
    }
    return true;
  }

  /**
   * The IPv6 address before `end` into this.key, as parseIPv6 reads it but
   * in one pass with no strings or arrays made: a full table's IPv6 routes
   * are parsed at each load. Text with an IPv4 tail (::ffff:a.b.c.d) is
   * rare, and left to parseIPv6.
   */
  private parseIPv6Words(text: string, end: number): boolean {
    const groups = this.groups;
    let count = 0;
    let gapAt = NONE;
    let value = 0;
    let digits = 0;
    for (let i = 0; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c === COLON) {
        if (digits === 0) {
          // an empty group is only the second colon of '::', or a leading '::'
          const leadingPair = i === 0 && text.charCodeAt(1) === COLON && end > 1;
          if (gapAt !== NONE || (i === 0 ? !leadingPair : text.charCodeAt(i - 1) !== COLON)) return false;
          gapAt = count;
          if (leadingPair) i++;
          continue;
        }
        if (count === IPV6_GROUPS) return false;
        groups[count++] = value;
        value = digits = 0;
        // a trailing single colon
        if (i === end - 1) return false;
        continue;
      }
      if (c === DOT) return this.parseIPv6Text(text.slice(0, end));
      const d = hexValue(c);
      if (d < 0 || digits === MAX_HEX_DIGITS) return false;
      value = value * 16 + d;
      digits++;
    }
    if (digits > 0) {
      if (count === IPV6_GROUPS) return false;
      groups[count++] = value;
    }
    if (gapAt === NONE ? count !== IPV6_GROUPS : count > IPV6_GROUPS - 1) return false;
    const fill = IPV6_GROUPS - count;
    const key = this.key;
    for (let g = 0, from = 0; g < IPV6_GROUPS; g++) {
      const group = gapAt !== NONE && g >= gapAt && g < gapAt + fill ? 0 : groups[from++]!;
      key[g >> 1] = g & 1 ? (key[g >> 1]! | group) >>> 0 : group * 0x10000;
    }
    return true;
  }

  private parseIPv6Text(text: string): boolean {
    const addr = parseIPv6(text);
    if (!addr) return false;
    for (let i = 0; i < WORDS; i++) this.key[i] = addr.readUInt32BE(i * 4);
    return true;
  }

  private hash(family: Family, length: number): number {
    let h = Math.imul(family * 256 + length, GOLDEN);
    for (let i = 0; i < WORDS; i++) h = Math.imul(h ^ this.key[i]!, GOLDEN) ^ (h >>> 15);
    return mix(h);
  }

  private slotHash(slot: number): number {
    for (let i = 0; i < WORDS; i++) this.key[i] = this.words[slot * WORDS + i]!;
    return this.hash(this.family(slot), this.lengths[slot]!);
  }

  private lookup(family: Family, length: number, hash: number): number {
    const mask = this.buckets.length - 1;
    for (let b = hash & mask; ; b = (b + 1) & mask) {
      const entry = this.buckets[b]!;
      if (entry === EMPTY_BUCKET) return NONE;
      const slot = entry - 1;
      if (this.lengths[slot] === length && this.families[slot] === family && this.sameWords(slot)) return slot;
    }
  }

  private sameWords(slot: number): boolean {
    const at = slot * WORDS;
    return this.words[at] === this.key[0] && this.words[at + 1] === this.key[1] && this.words[at + 2] === this.key[2] && this.words[at + 3] === this.key[3];
  }

  private insert(family: Family, length: number, hash: number): number {
    let slot: number;
    if (this.freeHead !== NONE) {
      slot = this.freeHead;
      this.freeHead = this.words[slot * WORDS]! - 1;
    } else {
      if (this.end === this.lengths.length) this.growSlots();
      slot = this.end++;
    }
    this.words.set(this.key, slot * WORDS);
    this.lengths[slot] = length;
    this.families[slot] = family;
    this.count++;
    if (this.count > this.buckets.length * MAX_LOAD) this.rehash(this.buckets.length * 2);
    else this.place(slot, hash);
    return slot;
  }

  private place(slot: number, hash: number): void {
    const mask = this.buckets.length - 1;
    let b = hash & mask;
    while (this.buckets[b] !== EMPTY_BUCKET) b = (b + 1) & mask;
    this.buckets[b] = slot + 1;
  }

  private remove(slot: number): void {
    const mask = this.buckets.length - 1;
    let b = this.slotHash(slot) & mask;
    while (this.buckets[b] !== slot + 1) b = (b + 1) & mask;
    // backward shift: pull each later key of the run into the hole unless its home lies after the hole
    for (let next = (b + 1) & mask; this.buckets[next] !== EMPTY_BUCKET; next = (next + 1) & mask) {
      const home = this.slotHash(this.buckets[next]! - 1) & mask;
      const between = b <= next ? b < home && home <= next : b < home || home <= next;
      if (between) continue;
      this.buckets[b] = this.buckets[next]!;
      b = next;
    }
    this.buckets[b] = EMPTY_BUCKET;
    this.words.fill(0, slot * WORDS, slot * WORDS + WORDS);
    this.lengths[slot] = 0;
    this.families[slot] = 0;
    this.words[slot * WORDS] = this.freeHead + 1;
    this.freeHead = slot;
    this.count--;
  }

  private rehash(size: number): void {
    this.buckets = new Int32Array(size);
    for (let slot = 0; slot < this.end; slot++) if (this.families[slot] !== 0) this.place(slot, this.slotHash(slot));
  }

  private growSlots(slots = Math.ceil(this.lengths.length * SLOT_GROWTH)): void {
    this.words = grownColumn(this.words, slots * WORDS);
    this.lengths = grownColumn(this.lengths, slots);
    this.families = grownColumn(this.families, slots);
    this.holders = grownColumn(this.holders, slots);
    for (const listener of this.listeners) listener(slots);
  }
}

function hexValue(c: number): number {
  const d = c - DIGIT_0;
  if (d >= 0 && d < TEN) return d;
  const lower = c - HEX_A;
  if (lower >= 0 && lower < HEX_LETTERS) return lower + TEN;
  const upper = c - HEX_UPPER_A;
  return upper >= 0 && upper < HEX_LETTERS ? upper + TEN : NONE;
}

/** The dotted quad before `end` into key[0]; false when it is not one (as inet_pton: no leading zeros). */
function parseIPv4Word(text: string, end: number, key: Uint32Array): boolean {
  let word = 0;
  let part = 0;
  let octet = 0;
  let digits = 0;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === DOT) {
      if (digits === 0 || part === 3) return false;
      word = word * 256 + octet;
      part++;
      octet = digits = 0;
      continue;
    }
    const d = c - DIGIT_0;
    if (d < 0 || d > 9 || (digits > 0 && octet === 0)) return false;
    octet = octet * 10 + d;
    if (octet > 255) return false;
    digits++;
  }
  if (digits === 0 || part !== 3) return false;
  key[0] = word * 256 + octet;
  return true;
}
