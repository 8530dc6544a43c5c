// The program's index arrays checked against the tries they mirror: at the
// first and the last address of every prefix (and at the router's own IPv4
// addresses) the entry the program loads must be the trie's longest match.
// The longest matches come from one sorted sweep over the trie's dump, not
// from a lookup system call per address: a full table has 2.7 million
// addresses to check.
import { formatAddress } from './addr.js';
import { Dir24, type Dir24Memory } from './dir24.js';
import { Dir6, TRIE_MARK, type Dir6Memory } from './dir6.js';
import { prefixOrder4, prefixOrder6 } from './prefix-order.js';
import { routeTarget, type TrieDump } from './route-dump.js';
import { fib4Entry, fib4Target, type RouteTarget } from './route-target.js';

/** An address where the index and the trie give different routes (IPv6 alike). */
export interface Fib4Mismatch {
  address: string;
  trie: RouteTarget | null;
  index: RouteTarget | null;
}

const LOCAL_ENTRY = fib4Entry({ type: 'local' });

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

/** IPv4: the trie's dump (family 4) against the mapped arrays, the router's addresses as local /32s over it. */
export function fib4Mismatches(trie: TrieDump, memory: Dir24Memory, locals: readonly number[]): Fib4Mismatch[] {
  const { first, last, order } = prefixOrder4(trie);
  const n = first.length;
  const probes = new Uint32Array(2 * n + locals.length);
  probes.set(first);
  probes.set(last, n);
  probes.set(locals, 2 * n);
  probes.sort();
  const local = new Set(locals);
  const out: Fib4Mismatch[] = [];
  const address = Buffer.alloc(4);
  sweepLongestMatch(first, last, order, probes, (addr, prefix) => {
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
  const { first, last, order } = prefixOrder6(trie);
  const scratch = Buffer.alloc(16);
  const probes = first.concat(last).sort();
  const out: Fib4Mismatch[] = [];
  sweepLongestMatch(first, last, order, probes, (hex, prefix) => {
    scratch.write(hex, 'hex');
    const entry = Dir6.read(memory, scratch);
    if (entry === TRIE_MARK) return;
    const trieTarget = prefix >= 0 ? routeTarget(trie, prefix) : null;
    if ((trieTarget ? fib4Entry(trieTarget) : 0) !== entry) out.push({ address: formatAddress(scratch), trie: trieTarget, index: entry ? fib4Target(entry) : null });
  });
  return out;
}
