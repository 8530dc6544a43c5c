// xr_local6_filter: a bit per 16-bit hash of an IPv6 address, set while one
// of the router's addresses (xr_local6, the record) has that hash. The
// program looks a destination up in xr_local6 only when its bit is set, so
// the rule is one-sided: a bit may be set with no address behind it (the
// exact lookup answers), never clear under one. So a bit is set after its
// address is in xr_local6, and cleared before the last address of its hash
// leaves, each with one store through the mapping.
import { formatAddress } from './addr.js';
import * as L from './layout.js';
import type { NativeMap } from './native.js';

const WORD_BITS = 32;

/** The bit an address maps to, as bpf/lib/ipv6.h xr_local6_filter_bit computes it: its words as a little-endian CPU loads them, XORed, folded to 16 bits. */
export function local6FilterBit(addr: Buffer): number {
  if (addr.length !== 16) throw new RangeError(`an IPv6 address is 16 bytes, not ${addr.length}`);
  const h = (addr.readUInt32LE(0) ^ addr.readUInt32LE(4) ^ addr.readUInt32LE(8) ^ addr.readUInt32LE(12)) >>> 0;
  return (h ^ (h >>> 16)) & (L.LOCAL6_FILTER_BITS - 1);
}

/** The filter's words, through its mapping. */
export const local6FilterWords = (filter: NativeMap): Uint32Array => new Uint32Array(filter.memory(), 0, L.LOCAL6_FILTER_BITS / WORD_BITS);

const isSet = (words: Uint32Array, bit: number): boolean => (Atomics.load(words, bit >>> 5) & (1 << (bit & 31))) !== 0;

export class Local6Filter {
  /** the addresses behind each set bit (hex), as this instance wrote them */
  private readonly holders = new Map<number, Set<string>>();

  private constructor(private readonly words: Uint32Array) {}

  /**
   * Take over the filter, making its bits say what `addresses` (xr_local6's
   * keys) say: every bit they need is set before any other is cleared, so a
   * frame in flight to one of them meanwhile still finds its bit. A dead
   * run may have left a bit too many (or an older version no array at all).
   */
  static open(filter: NativeMap, addresses: Buffer[]): Local6Filter {
    const f = new Local6Filter(local6FilterWords(filter));
    for (const a of addresses) f.add(a);
    for (let at = 0; at < f.words.length; at++) {
      let want = 0;
      for (let b = 0; b < WORD_BITS; b++) if (f.holders.has(at * WORD_BITS + b)) want |= 1 << b;
      if (Atomics.load(f.words, at) !== want >>> 0) Atomics.store(f.words, at, want);
    }
    return f;
  }

  /** After the address is in xr_local6. */
  add(addr: Buffer): void {
    const bit = local6FilterBit(addr);
    const held = this.holders.get(bit) ?? new Set<string>();
    held.add(addr.toString('hex'));
    this.holders.set(bit, held);
    if (!isSet(this.words, bit)) Atomics.or(this.words, bit >>> 5, 1 << (bit & 31));
  }

  /** Before the address leaves xr_local6: its bit is cleared when no other address holds it. */
  delete(addr: Buffer): void {
    const bit = local6FilterBit(addr);
    const held = this.holders.get(bit);
    if (!held?.delete(addr.toString('hex')) || held.size > 0) return;
    this.holders.delete(bit);
    Atomics.and(this.words, bit >>> 5, ~(1 << (bit & 31)));
  }

  /** The addresses of xr_local6 whose bit is clear: the program would forward what is sent to them (verify). */
  static async mismatches(maps: { xr_local6: NativeMap; xr_local6_filter: NativeMap }): Promise<string[]> {
    const words = local6FilterWords(maps.xr_local6_filter);
    return (await maps.xr_local6.dump()).map(([key]) => key).filter((a) => !isSet(words, local6FilterBit(a))).map(formatAddress);
  }
}
