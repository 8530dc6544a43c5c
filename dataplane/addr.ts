// Addresses as operators write them (CIDR strings, colon-hex MACs) to and
// from the network-order bytes the maps hold.

export type Family = 4 | 6;

export interface Prefix {
  family: Family;
  /** network-order bytes, 4 or 16 */
  addr: Buffer;
  length: number;
}

export class AddressError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AddressError';
  }
}

const DOT = 0x2e;
const DIGIT_0 = 0x30;

// A loop over the characters, not split and a regex per part: a full table
// or a bulk add parses hundreds of thousands of these.
export function parseIPv4(text: string): Buffer | null {
  const bytes = [0, 0, 0, 0];
  let part = 0;
  let digits = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === DOT) {
      if (digits === 0 || part === 3) return null;
      part++;
      digits = 0;
      continue;
    }
    const d = c - DIGIT_0;
    // a digit after a leading 0 ("01") is refused, as inet_pton refuses it
    if (d < 0 || d > 9 || (digits > 0 && bytes[part] === 0)) return null;
    bytes[part] = bytes[part]! * 10 + d;
    if (bytes[part]! > 255) return null;
    digits++;
  }
  if (digits === 0 || part !== 3) return null;
  return Buffer.from(bytes);
}

export function parseIPv6(text: string): Buffer | null {
  if (!/^[0-9a-fA-F:.]+$/.test(text) || text.length < 2) return null;
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const words = (s: string): number[] | null => {
    if (s === '') return [];
    const out: number[] = [];
    const groups = s.split(':');
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i]!;
      if (i === groups.length - 1 && g.includes('.')) {
        const v4 = parseIPv4(g);
        if (!v4) return null;
        out.push(v4.readUInt16BE(0), v4.readUInt16BE(2));
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
        out.push(parseInt(g, 16));
      }
    }
    return out;
  };
  const head = words(halves[0]!);
  const tail = halves.length === 2 ? words(halves[1]!) : [];
  if (!head || !tail) return null;
  const fill = 8 - head.length - tail.length;
  if (halves.length === 2 ? fill < 1 : fill !== 0) return null;
  const all = [...head, ...new Array<number>(halves.length === 2 ? fill : 0).fill(0), ...tail];
  const out = Buffer.alloc(16);
  all.forEach((w, i) => out.writeUInt16BE(w, i * 2));
  return out;
}

export function parseAddress(text: string): { family: Family; addr: Buffer } | null {
  const v4 = parseIPv4(text);
  if (v4) return { family: 4, addr: v4 };
  const v6 = parseIPv6(text);
  if (v6) return { family: 6, addr: v6 };
  return null;
}

/** Parse an address or throw an AddressError naming what was given. */
export function requireAddress(text: string, what = 'address'): { family: Family; addr: Buffer } {
  const a = parseAddress(text);
  if (!a) throw new AddressError(`${what} "${text}" is not an IPv4 or IPv6 address`);
  return a;
}

export function formatAddress(addr: Buffer): string {
  // no array per address: a route dump formats one or two per route
  if (addr.length === 4) return `${addr[0]}.${addr[1]}.${addr[2]}.${addr[3]}`;
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push(addr.readUInt16BE(i));
  // RFC 5952: compress the longest run of two or more zero words, first one on a tie
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/**
 * Parse "198.51.100.0/24" or "2001:db8::/32". A bare address is a host
 * prefix. Host bits set is an error, as with `ip route` ("Invalid prefix").
 */
export function parsePrefix(text: string): Prefix {
  const slash = text.indexOf('/');
  const addrText = slash < 0 ? text : text.slice(0, slash);
  const a = parseAddress(addrText);
  if (!a) throw new AddressError(`prefix "${text}": "${addrText}" is not an IPv4 or IPv6 address`);
  const max = a.family === 4 ? 32 : 128;
  let length = max;
  if (slash >= 0) {
    const lenText = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(lenText) || Number(lenText) > max) {
      throw new AddressError(`prefix "${text}": length must be 0 to ${max}`);
    }
    length = Number(lenText);
  }
  if (hasHostBits(a.addr, length)) {
    const masked = maskAddress(a.addr, length);
    throw new AddressError(
      `prefix "${text}" has host bits set: did you mean ${formatAddress(masked)}/${length}?`,
    );
  }
  return { family: a.family, addr: a.addr, length };
}

export function formatPrefix(p: Prefix): string {
  return `${formatAddress(p.addr)}/${p.length}`;
}

/** Any bit set beyond the first `length`: checked in place, as every prefix parsed is. */
function hasHostBits(addr: Buffer, length: number): boolean {
  for (let i = length >> 3; i < addr.length; i++) {
    const bits = Math.max(0, length - i * 8);
    if ((addr[i]! & (0xff >> bits)) !== 0) return true;
  }
  return false;
}

export function maskAddress(addr: Buffer, length: number): Buffer {
  const out = Buffer.from(addr);
  for (let i = 0; i < out.length; i++) {
    const bits = Math.max(0, Math.min(8, length - i * 8));
    out[i]! &= (0xff << (8 - bits)) & 0xff;
  }
  return out;
}

/**
 * Whether address bytes addr lie in prefix, whose bits past its length are
 * clear (as parsePrefix makes them); never for the other family.
 */
export function prefixHolds(prefix: { addr: Buffer; length: number }, addr: Buffer): boolean {
  return maskAddress(addr, prefix.length).equals(prefix.addr);
}

export function parseMac(text: string): Buffer {
  if (!/^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$/.test(text)) {
    throw new AddressError(`MAC address "${text}" is not of the form 02:00:00:00:00:01`);
  }
  return Buffer.from(text.split(':').map((h) => parseInt(h, 16)));
}

export function formatMac(mac: Buffer): string {
  return Array.from(mac.subarray(0, 6), (b) => b.toString(16).padStart(2, '0')).join(':');
}
