// A trie's dump (route-dump.ts) in address order: each prefix's first and
// last address, by first address and then length (the wider first). The
// index check sweeps it; verify finds a prefix in it by binary search. IPv4
// addresses are numbers, IPv6 ones fixed-width hex, which compares as the
// addresses do; verify finds an IPv6 prefix by its four address words
// (findPrefix6), in the same order, with no text made per look-up.
import { addressAt, prefixLength, type TrieDump } from './route-dump.js';

export interface PrefixOrder<K extends number | string> {
  first: ArrayLike<K>;
  last: ArrayLike<K>;
  length: Uint8Array;
  /** the entries' indices in address order */
  order: Uint32Array;
}

export type PrefixOrder4 = PrefixOrder<number> & { first: Uint32Array; last: Uint32Array };
export type PrefixOrder6 = PrefixOrder<string> & { first: string[]; last: string[] };

const ALL_ONES = 0xffff_ffff;

/** the bits of byte b of an IPv6 address that a /len leaves to the host */
const hostBits = (len: number, b: number): number => 0xff >> Math.max(0, Math.min(8, len - b * 8));

function sortedBy<K extends number | string, A extends ArrayLike<K>>(first: A, last: A, length: Uint8Array): PrefixOrder<K> & { first: A; last: A } {
  const order = new Uint32Array(length.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  order.sort((a, b) => (first[a]! < first[b]! ? -1 : first[a]! > first[b]! ? 1 : length[a]! - length[b]!));
  return { first, last, length, order };
}

const orders4 = new WeakMap<TrieDump, PrefixOrder4>();
const orders6 = new WeakMap<TrieDump, PrefixOrder6>();

/** IPv4 (a dump of xr_fib4); computed once per dump. */
export function prefixOrder4(trie: TrieDump): PrefixOrder4 {
  let o = orders4.get(trie);
  if (o) return o;
  const n = trie.entries.count;
  const first = new Uint32Array(n);
  const last = new Uint32Array(n);
  const length = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const len = prefixLength(trie, i);
    const mask = len === 0 ? 0 : (ALL_ONES << (32 - len)) >>> 0;
    first[i] = (trie.entries.keys.readUInt32BE(addressAt(trie, i)) & mask) >>> 0;
    last[i] = (first[i]! | ~mask) >>> 0;
    length[i] = len;
  }
  orders4.set(trie, (o = sortedBy(first, last, length)));
  return o;
}

/** IPv6 (a dump of xr_fib6); computed once per dump. */
export function prefixOrder6(trie: TrieDump): PrefixOrder6 {
  let o = orders6.get(trie);
  if (o) return o;
  const n = trie.entries.count;
  const first = new Array<string>(n);
  const last = new Array<string>(n);
  const length = new Uint8Array(n);
  const scratch = Buffer.alloc(16);
  for (let i = 0; i < n; i++) {
    const len = prefixLength(trie, i);
    trie.entries.keys.copy(scratch, 0, addressAt(trie, i), addressAt(trie, i) + 16);
    for (let b = 0; b < 16; b++) scratch[b] = scratch[b]! & ~hostBits(len, b);
    first[i] = scratch.toString('hex');
    for (let b = 0; b < 16; b++) scratch[b] = scratch[b]! | hostBits(len, b);
    last[i] = scratch.toString('hex');
    length[i] = len;
  }
  orders6.set(trie, (o = sortedBy(first, last, length)));
  return o;
}

const words6 = new WeakMap<TrieDump, Uint32Array>();
const IPV6_WORDS = 4;
const WORD_BITS = 32;

/** Each IPv6 entry's first address as four words (network order), by entry: computed once per dump. */
function firstWords6(trie: TrieDump): Uint32Array {
  let w = words6.get(trie);
  if (w) return w;
  const n = trie.entries.count;
  w = new Uint32Array(n * IPV6_WORDS);
  for (let i = 0; i < n; i++) {
    const len = prefixLength(trie, i);
    for (let k = 0; k < IPV6_WORDS; k++) {
      const bits = Math.min(WORD_BITS, Math.max(0, len - k * WORD_BITS));
      const mask = bits === 0 ? 0 : (ALL_ONES << (WORD_BITS - bits)) >>> 0;
      w[i * IPV6_WORDS + k] = (trie.entries.keys.readUInt32BE(addressAt(trie, i) + k * 4) & mask) >>> 0;
    }
  }
  words6.set(trie, w);
  return w;
}

/**
 * The IPv6 entry holding exactly this prefix (its first address as four
 * words, network order, and its length), -1 when none does: by number, not
 * by hex text, as verify looks up a full table's 300,000 IPv6 prefixes.
 */
export function findPrefix6(trie: TrieDump, address: ArrayLike<number>, length: number): number {
  const { order, length: lengths } = prefixOrder6(trie);
  const words = firstWords6(trie);
  // entry i against the prefix sought: negative when it sorts before
  const compare = (i: number): number => {
    for (let k = 0; k < IPV6_WORDS; k++) {
      const d = words[i * IPV6_WORDS + k]! - address[k]!;
      if (d !== 0) return d;
    }
    return lengths[i]! - length;
  };
  let lo = 0;
  let hi = order.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compare(order[mid]!) < 0) lo = mid + 1;
    else hi = mid;
  }
  const i = order[lo];
  return i !== undefined && compare(i) === 0 ? i : -1;
}

/** The entry holding exactly this prefix (its first address and length), -1 when none does. */
export function findPrefix<K extends number | string>(o: PrefixOrder<K>, first: K, length: number): number {
  let lo = 0;
  let hi = o.order.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const i = o.order[mid]!;
    if (o.first[i]! < first || (o.first[i] === first && o.length[i]! < length)) lo = mid + 1;
    else hi = mid;
  }
  const i = o.order[lo];
  return i !== undefined && o.first[i] === first && o.length[i] === length ? i : -1;
}
