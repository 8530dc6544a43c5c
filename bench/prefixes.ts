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
 * Share of each prefix length, in percent, after the IPv4 and IPv6 tables
 * of a full-table BGP router (CIDR Report / bgp.potaroo.net, 2024): /24
 * is about 60% of IPv4, /48 about half of IPv6; the host routes and longer
 * prefixes stand for a provider's internal routes.
 */
const IPV4_MIX: Array<[number, number]> = [
  [8, 0.002], [9, 0.005], [10, 0.01], [11, 0.02], [12, 0.04], [13, 0.08], [14, 0.15], [15, 0.25],
  [16, 1.3], [17, 0.8], [18, 1.4], [19, 2.8], [20, 4.5], [21, 5.0], [22, 10.5], [23, 9.0],
  [24, 59.5], [25, 0.5], [26, 0.5], [27, 0.4], [28, 0.4], [29, 0.5], [30, 0.3], [31, 0.1], [32, 2.0],
];

const IPV6_MIX: Array<[number, number]> = [
  [19, 0.01], [20, 0.05], [22, 0.05], [24, 0.1], [28, 0.5], [29, 2.5], [30, 0.3], [31, 0.3],
  [32, 12.0], [33, 0.8], [34, 0.8], [35, 0.5], [36, 3.5], [37, 0.3], [38, 0.5], [39, 0.3],
  [40, 6.0], [41, 0.3], [42, 1.5], [43, 0.3], [44, 7.5], [45, 1.5], [46, 3.0], [47, 3.0],
  [48, 48.0], [52, 0.3], [56, 2.5], [60, 0.3], [64, 2.0], [128, 1.0],
];

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
 * null when it falls where no synthetic prefix may be; key tells them apart.
 */
function distinctTable<P>(count: number, seed: number, mix: Array<[number, number]>, draw: (length: number, random: () => number) => P | null, key: (p: P) => number | string): P[] {
  const random = seededRandom(seed);
  const pickLength = lengthPicker(mix, random);
  const seen = new Set<number | string>();
  const out: P[] = [];
  while (out.length < count) {
    const p = draw(pickLength(), random);
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

/** count distinct IPv6 prefixes in 2000::/3 outside 2001:db8::/32 */
export function ipv6Table(count: number, seed = 6): Prefix6[] {
  return distinctTable(
    count,
    seed,
    IPV6_MIX,
    (length, random) => {
      const addr = Buffer.alloc(16);
      for (let i = 0; i < 16; i += 4) addr.writeUInt32BE(Math.floor(random() * 2 ** 32), i);
      addr[0] = 0x20 | (addr[0]! & 0x1f);
      maskBytes(addr, length);
      const top = mask4(Math.min(length, 32));
      // nothing in or over 2001:db8::/32
      return ((addr.readUInt32BE(0) & top) >>> 0) === ((DOC6_TOP & top) >>> 0) ? null : { addr, length };
    },
    (p) => `${p.addr.toString('hex')}/${p.length}`,
  );
}

function maskBytes(addr: Buffer, length: number): void {
  for (let i = 0; i < addr.length; i++) {
    const keep = Math.max(0, Math.min(8, length - i * 8));
    addr[i] = addr[i]! & ((0xff00 >> keep) & 0xff);
  }
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
