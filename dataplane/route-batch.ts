// Routes for one batch write, packed: the address words, the length and the
// family of each prefix, and its route as the index encodes it
// (route-target.ts fib4Entry: type, group bit, next-hop or group id), each
// in a typed column. A full sync writes a million routes through batches
// like this one, refilled, with no string or object made per route: the
// sync fills it from the slots it already holds (prefix words and lengths),
// and the route table reads the same columns into the tries' keys and
// values and the indexes' entries.
import { formatAddress, parsePrefix, type Family } from './addr.js';
import { grownColumn } from './columns.js';
import { fib4Entry, fib4Target, type RouteTarget } from './route-target.js';

const WORDS = 4;
const INITIAL = 256;
/** where each byte of a network-order word sits in it, first byte first */
const BYTE_SHIFTS = [24, 16, 8, 0] as const;

export class RouteBatch {
  private families: Uint8Array;
  private lengths: Uint8Array;
  private words: Uint32Array;
  private entries: Uint32Array;
  private count = 0;

  constructor(capacity = INITIAL) {
    this.families = new Uint8Array(capacity);
    this.lengths = new Uint8Array(capacity);
    this.words = new Uint32Array(capacity * WORDS);
    this.entries = new Uint32Array(capacity);
  }

  /** Routes given as text, as a test or a tool has them. */
  static of(routes: Iterable<{ prefix: string; target: RouteTarget }>): RouteBatch {
    const batch = new RouteBatch();
    for (const r of routes) batch.addPrefix(r.prefix, fib4Entry(r.target));
    return batch;
  }

  /** Prefixes to delete, given as text. */
  static ofPrefixes(prefixes: Iterable<string>): RouteBatch {
    const batch = new RouteBatch();
    for (const prefix of prefixes) batch.addPrefix(prefix, 0);
    return batch;
  }

  get size(): number {
    return this.count;
  }

  /**
   * One route more: the prefix as address words (network order, host bits
   * clear; IPv4 in w0, the other words 0) and its index entry; 0 for a delete.
   */
  add(family: Family, length: number, w0: number, w1: number, w2: number, w3: number, entry: number): void {
    if (this.count === this.families.length) this.grow();
    const i = this.count++;
    this.families[i] = family;
    this.lengths[i] = length;
    const at = i * WORDS;
    this.words[at] = w0;
    this.words[at + 1] = w1;
    this.words[at + 2] = w2;
    this.words[at + 3] = w3;
    this.entries[i] = entry;
  }

  /** One route more, its prefix as text (parsePrefix's rules; throws on what is no prefix). */
  addPrefix(prefix: string, entry: number): void {
    const p = parsePrefix(prefix);
    const word = (k: number): number => (p.family === 4 && k > 0 ? 0 : p.addr.readUInt32BE(k * 4));
    this.add(p.family, p.length, word(0), word(1), word(2), word(3), entry);
  }

  /** Empty again, its columns kept for the next batch. */
  clear(): void {
    this.count = 0;
  }

  family(i: number): Family {
    return this.families[i] === 6 ? 6 : 4;
  }

  /** Route i's prefix length in bits. */
  prefixLength(i: number): number {
    return this.lengths[i]!;
  }

  /** Route i's first address word (network order): an IPv4 address whole, the IPv4 index's key. */
  firstWord(i: number): number {
    return this.words[i * WORDS]!;
  }

  /** Route i as the index encodes it (fib4Entry). */
  entry(i: number): number {
    return this.entries[i]!;
  }

  /** Route i's address bytes into `out` (4 or 16 by family): the IPv6 index and the tries' keys take bytes. */
  addressInto(i: number, out: Uint8Array, at = 0): void {
    const bytes = this.families[i] === 6 ? WORDS * 4 : 4;
    for (let b = 0; b < bytes; b++) out[at + b] = this.words[i * WORDS + (b >> 2)]! >>> BYTE_SHIFTS[b & 3]!;
  }

  /** The routes as text and targets, an object each: for what reads a few (the unit tests' writer), not for a full table. */
  routes(): Array<{ prefix: string; target: RouteTarget }> {
    return Array.from({ length: this.count }, (_, i) => ({ prefix: this.prefix(i), target: fib4Target(this.entries[i]!) }));
  }

  /** The prefixes as text (a delete's batch has no routes to read), a string each. */
  prefixes(): string[] {
    return Array.from({ length: this.count }, (_, i) => this.prefix(i));
  }

  private prefix(i: number): string {
    const bytes = Buffer.alloc(this.families[i] === 6 ? WORDS * 4 : 4);
    this.addressInto(i, bytes);
    return `${formatAddress(bytes)}/${this.lengths[i]}`;
  }

  private grow(): void {
    const capacity = this.families.length * 2;
    this.families = grownColumn(this.families, capacity);
    this.lengths = grownColumn(this.lengths, capacity);
    this.words = grownColumn(this.words, capacity * WORDS);
    this.entries = grownColumn(this.entries, capacity);
  }
}
