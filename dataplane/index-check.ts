// The program's index arrays checked against the tries they mirror: at the
// first and the last address of every prefix (and at the router's own IPv4
// addresses) the entry the program loads must be the trie's longest match.
// The longest matches come from one sorted sweep over the trie's dump, not
// from a lookup system call per address: a full table has 2.7 million
// addresses to check.
import { formatAddress } from './addr.js';
import { Dir24, type Dir24Memory } from './dir24.js';
import { Dir6, TRIE_MARK, type Dir6Memory } from './dir6.js';
import type { Fib4Mismatch } from './fib4-index.js';
import { addressAt, prefixLength, routeTarget, type TrieDump } from './route-dump.js';
import { fib4Entry, fib4Target } from './route-target.js';

const LOCAL_ENTRY = fib4Entry({ type: 'local' });
const ALL_ONES = 0xffff_ffff;

/** the bits of byte b of an IPv6 address that a /len leaves to the host */
const hostBits = (len: number, b: number): number => 0xff >> Math.max(0, Math.min(8, len - b * 8));

/**
 * Calls `visit` with each distinct probe, in ascending order, and the
 * prefix that holds it most narrowly (-1: none). `order` lists the
 * prefixes by first address, the wider first where two start alike. Two
 * prefixes are nested or apart, so those holding an address form a chain,
 * which a stack follows through the sweep.
 */
function sweepLongestMatch<K extends number | string>(
  first: ArrayLike<K>,
  last: ArrayLike<K>,
  order: ArrayLike<number>,
  probes: ArrayLike<K>,
  visit: (address: K, prefix: number) => void,
): void {
  const chain: number[] = [];
  const top = (): number => chain[chain.length - 1]!;
  let next = 0;
  for (let p = 0; p < probes.length; p++) {
    const a = probes[p]!;
    if (p > 0 && probes[p - 1] === a) continue;
    for (; next < order.length && first[order[next]!]! <= a; next++) {
      const i = order[next]!;
      while (chain.length > 0 && last[top()]! < first[i]!) chain.pop();
      chain.push(i);
    }
    while (chain.length > 0 && last[top()]! < a) chain.pop();
    visit(a, chain.length > 0 ? top() : -1);
  }
}

/** The prefixes' indices by first address, then length. */
function prefixOrder<K extends number | string>(first: ArrayLike<K>, length: Uint8Array): Uint32Array {
  const order = new Uint32Array(length.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  return order.sort((a, b) => (first[a]! < first[b]! ? -1 : first[a]! > first[b]! ? 1 : length[a]! - length[b]!));
}

/** IPv4: the trie's dump (family 4) against the mapped arrays, the router's addresses as local /32s over it. */
export function fib4Mismatches(trie: TrieDump, memory: Dir24Memory, locals: readonly number[]): Fib4Mismatch[] {
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
  const probes = new Uint32Array(2 * n + locals.length);
  probes.set(first);
  probes.set(last, n);
  probes.set(locals, 2 * n);
  probes.sort();
  const local = new Set(locals);
  const out: Fib4Mismatch[] = [];
  const address = Buffer.alloc(4);
  sweepLongestMatch(first, last, prefixOrder(first, length), probes, (addr, prefix) => {
    const trieTarget = local.has(addr) ? { type: 'local' as const } : prefix >= 0 ? routeTarget(trie, prefix) : null;
    const want = local.has(addr) ? LOCAL_ENTRY : trieTarget ? fib4Entry(trieTarget) : 0;
    const entry = Dir24.read(memory, addr);
    if (want === entry) return;
    address.writeUInt32BE(addr);
    out.push({ address: formatAddress(address), trie: trieTarget, index: entry ? fib4Target(entry) : null });
  });
  return out;
}

/** IPv6: the trie's dump (family 6) against the mapped arrays; where the index sends an address to the trie, the two agree by definition. */
export function fib6Mismatches(trie: TrieDump, memory: Dir6Memory): Fib4Mismatch[] {
  const n = trie.entries.count;
  // fixed-width hex compares as the addresses do
  const first: string[] = new Array<string>(n);
  const last: string[] = new Array<string>(n);
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
  const probes = first.concat(last).sort();
  const out: Fib4Mismatch[] = [];
  sweepLongestMatch(first, last, prefixOrder(first, length), probes, (hex, prefix) => {
    scratch.write(hex, 'hex');
    const entry = Dir6.read(memory, scratch);
    if (entry === TRIE_MARK) return;
    const trieTarget = prefix >= 0 ? routeTarget(trie, prefix) : null;
    if ((trieTarget ? fib4Entry(trieTarget) : 0) !== entry) out.push({ address: formatAddress(scratch), trie: trieTarget, index: entry ? fib4Target(entry) : null });
  });
  return out;
}
