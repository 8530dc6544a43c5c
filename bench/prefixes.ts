// Synthetic routing tables with the prefix-length mix of the public
// Internet tables, seeded so every run installs the same routes. No traffic
// is ever sent to them: they fill FIBs for table-size scaling only, so they
// may use any unicast space outside the documentation ranges (which carry
// the benchmarks' real traffic and stay reachable).
import { formatAddress } from '../dataplane/addr.js';
import { seededRandom } from '../router/lab/random.js';

export interface Prefix4 {
  /** network address, host order */
  addr: number;
  length: number;
}

export interface Prefix6 {
  /** network address, 16 bytes network order */
  addr: Buffer;
  length: number;
}

/**
 * Share of each IPv4 prefix length, in percent, in a full-table BGP
 * router's FIB: /24 about 60%, then /22, /23, /21, /20, /19, /16, as in the
 * "prefix length distribution" of the CIDR Report and of bgp.potaroo.net's
 * AS131072 table (https://bgp.potaroo.net/as2.0/bgp-active.html, 2024,
 * about 1.03M prefixes); the host routes and the rest longer than /24
 * stand for a provider's own internal routes.
 */
const IPV4_MIX: Array<[number, number]> = [
  [8, 0.002], [9, 0.005], [10, 0.01], [11, 0.02], [12, 0.04], [13, 0.08], [14, 0.15], [15, 0.25],
  [16, 1.3], [17, 0.8], [18, 1.4], [19, 2.8], [20, 4.5], [21, 5.0], [22, 10.5], [23, 9.0],
  [24, 59.5], [25, 0.5], [26, 0.5], [27, 0.4], [28, 0.4], [29, 0.5], [30, 0.3], [31, 0.1], [32, 2.0],
];

/** IPv6 lengths whose share of the global table is known (issue 14, from bgp.potaroo.net's IPv6 report, 2024) */
const IPV6_NAMED: Array<[number, number]> = [[48, 50], [32, 15], [44, 7], [40, 5.5], [36, 4], [29, 3.4]];
/** longer than /48: about 0.2% in all, filtered by most networks */
const IPV6_LONGER: Array<[number, number]> = [[52, 0.02], [56, 0.1], [64, 0.06], [128, 0.02]];
/** /19 to /47 but the named ones share the rest evenly */
const IPV6_MIX: Array<[number, number]> = (() => {
  const named = new Set(IPV6_NAMED.map(([len]) => len));
  const rest = Array.from({ length: 47 - 19 + 1 }, (_, k) => 19 + k).filter((len) => !named.has(len));
  const share = 100 - [...IPV6_NAMED, ...IPV6_LONGER].reduce((sum, [, w]) => sum + w, 0);
  return [...IPV6_NAMED, ...rest.map((len): [number, number] => [len, share / rest.length]), ...IPV6_LONGER].sort((a, b) => a[0] - b[0]);
})();

/**
 * Share of IPv6 prefixes that are more-specifics of another prefix of the
 * table: 57% (bgp.potaroo.net/v6/as2.0, "Entries advertising more specific
 * prefixes of aggregates", 2024). Where prefixes sit matters to an index
 * as much as their lengths: a /48 inside an announced /32 shares that /32's
 * path, an independent one needs its own.
 */
const IPV6_MORE_SPECIFIC = 0.57;

/** The regional registries' IPv6 blocks (2001::/16 less the documentation /32, and the /12s) */
const RIR6_BLOCKS: Array<{ top: number; length: number }> = [
  { top: 0x2001_0000, length: 16 },
  { top: 0x2400_0000, length: 12 },
  { top: 0x2600_0000, length: 12 },
  { top: 0x2800_0000, length: 12 },
  { top: 0x2a00_0000, length: 12 },
  { top: 0x2c00_0000, length: 12 },
];

/** The full-table profile: what a router with the global IPv4 and IPv6 tables holds. */
export const FULL_TABLE = { ipv4: 1_050_000, ipv6: 300_000 } as const;

/** Blocks no synthetic prefix may overlap: the labs' documentation ranges. */
const PROTECTED4: Prefix4[] = ['192.0.2.0', '198.51.100.0', '203.0.113.0'].map((a) => ({ addr: ipv4ToNumber(a), length: 24 }));

/** the first 32 bits of 2001:db8::/32 */
const DOC6_TOP = 0x20010db8;

function lengthPicker(mix: Array<[number, number]>, random: () => number): () => number {
  const total = mix.reduce((s, [, w]) => s + w, 0);
  return () => {
    let r = random() * total;
    for (const [length, weight] of mix) {
      r -= weight;
      if (r < 0) return length;
    }
    return mix[mix.length - 1]![0];
  };
}

export function ipv4ToNumber(text: string): number {
  return text.split('.').reduce((n, o) => n * 256 + Number(o), 0);
}

function mask4(length: number): number {
  return length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
}

function overlaps4(a: Prefix4, b: Prefix4): boolean {
  const m = mask4(Math.min(a.length, b.length));
  return ((a.addr & m) >>> 0) === ((b.addr & m) >>> 0);
}

/** Unicast space only: 0/8, 127/8, 169.254/16 and 224/3 never reach a FIB lookup. */
function usable4(p: Prefix4): boolean {
  const first = p.addr >>> 24;
  if (first === 0 || first === 127 || first >= 224) return false;
  if (p.addr >>> 16 === 0xa9fe) return false;
  return !PROTECTED4.some((q) => overlaps4(p, q));
}

/**
 * count distinct prefixes, lengths drawn from mix, in a random order (any
 * leading slice has the same mix). draw makes a candidate of a length, or
 * null when it falls where no synthetic prefix may be, given the prefixes
 * drawn so far; key tells them apart.
 */
function distinctTable<P>(count: number, seed: number, mix: Array<[number, number]>, draw: (length: number, random: () => number, drawn: readonly P[]) => P | null, key: (p: P) => number | string): P[] {
  const random = seededRandom(seed);
  const pickLength = lengthPicker(mix, random);
  const seen = new Set<number | string>();
  const out: P[] = [];
  while (out.length < count) {
    const p = draw(pickLength(), random, out);
    if (p === null || seen.has(key(p))) continue;
    seen.add(key(p));
    out.push(p);
  }
  return out;
}

/** count distinct IPv4 prefixes of unicast space outside the documentation ranges */
export function ipv4Table(count: number, seed = 4): Prefix4[] {
  return distinctTable(
    count,
    seed,
    IPV4_MIX,
    (length, random) => {
      const p = { addr: (Math.floor(random() * 2 ** 32) & mask4(length)) >>> 0, length };
      return usable4(p) ? p : null;
    },
    (p) => p.addr * 64 + p.length,
  );
}

/**
 * count distinct IPv6 prefixes of the global table's length mix in the
 * registries' blocks, outside 2001:db8::/32. A share IPV6_MORE_SPECIFIC
 * lies inside a shorter prefix drawn before it (so any leading slice has
 * the same structure); the others anywhere in the blocks.
 */
export function ipv6Table(count: number, seed = 6): Prefix6[] {
  return distinctTable(
    count,
    seed,
    IPV6_MIX,
    (length, random, drawn) => {
      const addr = Buffer.alloc(16);
      for (let i = 0; i < 16; i += 4) addr.writeUInt32BE(Math.floor(random() * 2 ** 32), i);
      const parent = random() < IPV6_MORE_SPECIFIC ? shorterPrefix(drawn, length, random) : undefined;
      if (parent) {
        copyBits(parent.addr, addr, parent.length);
      } else {
        const block = RIR6_BLOCKS[Math.floor(random() * RIR6_BLOCKS.length)]!;
        const keep = mask4(block.length);
        addr.writeUInt32BE(((block.top & keep) | (addr.readUInt32BE(0) & ~keep)) >>> 0, 0);
      }
      maskBytes(addr, length);
      const top = mask4(Math.min(length, 32));
      // nothing in or over 2001:db8::/32
      if (((addr.readUInt32BE(0) & top) >>> 0) === ((DOC6_TOP & top) >>> 0)) return null;
      return { addr, length };
    },
    (p) => `${p.addr.toString('hex')}/${p.length}`,
  );
}

/** A prefix drawn before, shorter than length, or undefined after a few misses (a short length has few) */
function shorterPrefix(drawn: readonly Prefix6[], length: number, random: () => number): Prefix6 | undefined {
  for (let tries = 0; tries < 8 && drawn.length > 0; tries++) {
    const p = drawn[Math.floor(random() * drawn.length)]!;
    if (p.length < length) return p;
  }
  return undefined;
}

/** the first `bits` bits of from into to */
function copyBits(from: Buffer, to: Buffer, bits: number): void {
  for (let i = 0; i < 16 && bits > 0; i++, bits -= 8) {
    const keep = bits >= 8 ? 0xff : (0xff00 >> bits) & 0xff;
    to[i] = (from[i]! & keep) | (to[i]! & ~keep & 0xff);
  }
}

/**
 * The full-table profile, both families, seeded: load them together. Fewer
 * than the profile's counts give a leading slice of it (same mix).
 */
export function fullTable(seed = 14, counts: { ipv4: number; ipv6: number } = FULL_TABLE): { ipv4: Prefix4[]; ipv6: Prefix6[] } {
  return { ipv4: ipv4Table(counts.ipv4, seed), ipv6: ipv6Table(counts.ipv6, seed + 1) };
}

function maskBytes(addr: Buffer, length: number): void {
  for (let i = 0; i < addr.length; i++) {
    const keep = Math.max(0, Math.min(8, length - i * 8));
    addr[i] = addr[i]! & ((0xff00 >> keep) & 0xff);
  }
}

/**
 * Where the forward benchmark's spread IPv6 traffic goes: a quarter of the
 * documentation /32 (2001:db8:4000::/34), clear of the lab's own subnets
 * (2001:db8:a::/64, 2001:db8:b::/64, 2001:db8:cafe::/48, router/lab/topology.ts).
 */
export const SPREAD6_BLOCK: Prefix6 = { addr: Buffer.from('20010db8400000000000000000000000', 'hex'), length: 34 };
/** 2000::/3: the bits every prefix of ipv6Table shares */
const GLOBAL6_LENGTH = 3;

function bitAt(addr: Buffer, bit: number): number {
  return (addr[bit >> 3]! >> (7 - (bit & 7))) & 1;
}

/**
 * A prefix of ipv6Table moved under SPREAD6_BLOCK with its shape: its bits
 * after 2000::/3 follow the block's, so a /48 becomes a /79 (a /128 stays
 * one, its last bits cut). The table's tree below the block is the global
 * table's, and traffic to it stays on the documentation range.
 */
export function underSpreadBlock6(p: Prefix6): Prefix6 {
  const shift = SPREAD6_BLOCK.length - GLOBAL6_LENGTH;
  const length = Math.min(128, p.length + shift);
  const addr = Buffer.from(SPREAD6_BLOCK.addr);
  for (let bit = SPREAD6_BLOCK.length; bit < length; bit++) addr[bit >> 3] = addr[bit >> 3]! | (bitAt(p.addr, bit - shift) << (7 - (bit & 7)));
  return { addr, length };
}

export function formatPrefix4(p: Prefix4): string {
  return `${numberToIpv4(p.addr)}/${p.length}`;
}

export function formatPrefix6(p: Prefix6): string {
  return `${formatAddress(p.addr)}/${p.length}`;
}

export function numberToIpv4(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 0xff).join('.');
}

/** A random address inside an IPv4 prefix, host order. */
export function addressIn4(p: Prefix4, random: () => number): number {
  return (p.addr | (Math.floor(random() * 2 ** 32) & ~mask4(p.length))) >>> 0;
}

/** A random address inside an IPv6 prefix. */
export function addressIn6(p: Prefix6, random: () => number): Buffer {
  const out = Buffer.from(p.addr);
  for (let i = 0; i < 16; i++) {
    const keep = Math.max(0, Math.min(8, p.length - i * 8));
    const hostBits = 0xff >> keep;
    out[i] = out[i]! | (Math.floor(random() * 256) & hostBits);
  }
  return out;
}
