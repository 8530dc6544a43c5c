// The packed prefix table against a Map of the prefix texts it replaces:
// random holds, releases and finds of both families, through growth of the
// slots and the hash and the reuse of freed slots.
import { describe, expect, it } from 'vitest';
import { formatAddress, formatPrefix, maskAddress, parseIPv6, parsePrefix, type Family } from '../../dataplane/addr.js';
import { seededRandom } from '../../router/lab/random.js';
import { HOLDER, PrefixTable } from '../../router/sync/prefix-table.js';

function prefixes(seed: number): () => { family: Family; prefix: string } {
  const rand = seededRandom(seed);
  const byte = (): number => Math.floor(rand() * 256);
  return () => {
    const family: Family = rand() < 0.5 ? 4 : 6;
    // few distinct addresses, so lengths and families collide on them
    const addr = Buffer.alloc(family === 4 ? 4 : 16);
    addr[0] = family === 4 ? 198 : 0x20;
    addr[1] = family === 4 ? 51 : 0x01;
    for (let i = 2; i < addr.length; i++) addr[i] = rand() < 0.7 ? 0 : byte();
    const max = family === 4 ? 32 : 128;
    const length = Math.floor(rand() * (max + 1));
    return { family, prefix: formatPrefix({ family, addr: maskAddress(addr, length), length }) };
  };
}

describe('PrefixTable', () => {
  for (const seed of [1, 2, 3]) {
    it(`agrees with a Map over 40,000 random holds, releases and finds (seed ${seed})`, () => {
      const table = new PrefixTable();
      const model = new Map<string, number>();
      const next = prefixes(seed);
      const rand = seededRandom(seed * 7919);
      const live: string[] = [];
      for (let step = 0; step < 40_000; step++) {
        const { family, prefix } = next();
        const key = `${family}|${prefix}`;
        const r = rand();
        if (r < 0.55) {
          const slot = table.hold(family, prefix, HOLDER.KERNEL);
          const had = model.get(key);
          if (had === undefined) {
            model.set(key, slot);
            live.push(key);
          } else expect(slot).toBe(had);
        } else if (r < 0.9 && live.length > 0) {
          const i = Math.floor(rand() * live.length);
          const gone = live[i]!;
          live[i] = live[live.length - 1]!;
          live.pop();
          table.release(model.get(gone)!, HOLDER.KERNEL);
          model.delete(gone);
          expect(table.findKey(gone)).toBe(-1);
        } else {
          expect(table.find(family, prefix)).toBe(model.get(key) ?? -1);
        }
        expect(table.size).toBe(model.size);
      }
      for (const [key, slot] of model) {
        expect(table.findKey(key)).toBe(slot);
        expect(table.keyOf(slot)).toBe(key);
      }
      expect([...table.slots(HOLDER.KERNEL)].sort((a, b) => a - b)).toEqual([...model.values()].sort((a, b) => a - b));
    });
  }

  it('grows past a full table of both families and finds every prefix again', () => {
    const table = new PrefixTable();
    const slots: number[] = [];
    for (let i = 0; i < 100_000; i++) slots.push(table.hold(4, `${10 + (i >>> 16)}.${(i >>> 8) & 255}.${i & 255}.0/24`, HOLDER.KERNEL));
    for (let i = 0; i < 50_000; i++) slots.push(table.hold(6, `2001:db8:${i.toString(16)}::/48`, HOLDER.KERNEL));
    expect(new Set(slots).size).toBe(150_000);
    expect(table.capacity).toBeGreaterThanOrEqual(150_000);
    for (let i = 0; i < 100_000; i += 997) expect(table.find(4, `${10 + (i >>> 16)}.${(i >>> 8) & 255}.${i & 255}.0/24`)).toBe(slots[i]);
    for (let i = 0; i < 50_000; i += 499) expect(table.prefix(slots[100_000 + i]!)).toBe(formatPrefix(parsePrefix(`2001:db8:${i.toString(16)}::/48`)));
  });

  it('hands freed slots out again before new ones, and tells columns when the slots grow', () => {
    const table = new PrefixTable();
    const grown: number[] = [];
    table.onGrow((n) => grown.push(n));
    const a = table.hold(4, '192.0.2.0/24', HOLDER.KERNEL);
    const b = table.hold(4, '192.0.2.0/25', HOLDER.KERNEL);
    table.release(a, HOLDER.KERNEL);
    expect(table.hold(6, '2001:db8::/32', HOLDER.KERNEL)).toBe(a);
    expect(table.hold(4, '192.0.2.128/25', HOLDER.KERNEL)).toBe(Math.max(a, b) + 1);
    for (let i = 0; i < 2000; i++) table.hold(4, `203.0.${i >> 8}.${i & 255}/32`, HOLDER.KERNEL);
    expect(grown.length).toBeGreaterThan(0);
    expect(grown.at(-1)).toBe(table.capacity);
  });

  it('keeps a slot until its last holder lets go', () => {
    const table = new PrefixTable();
    const slot = table.hold(4, '198.51.100.0/24', HOLDER.KERNEL);
    table.holdSlot(slot, HOLDER.APPLIED);
    table.release(slot, HOLDER.KERNEL);
    expect(table.find(4, '198.51.100.0/24')).toBe(slot);
    expect([...table.slots(HOLDER.KERNEL)]).toEqual([]);
    expect([...table.slots(HOLDER.APPLIED)]).toEqual([slot]);
    table.release(slot, HOLDER.APPLIED);
    expect(table.find(4, '198.51.100.0/24')).toBe(-1);
    expect(() => table.holdSlot(slot, HOLDER.KERNEL)).toThrow(/free/);
  });

  it('tells prefixes apart by family and length, writes them as formatPrefix does, and gives their packed words', () => {
    const table = new PrefixTable();
    const texts: Array<[Family, string]> = [
      [4, '0.0.0.0/0'], [6, '::/0'], [4, '192.0.2.0/24'], [4, '192.0.2.0/25'], [4, '192.0.2.1/32'],
      [6, '2001:db8::/32'], [6, '2001:db8::/48'], [6, '2001:db8:0:1::/64'], [6, '2001:db8::1:0:0:1/128'], [6, '::ffff:0:0/96'], [6, '1:2:3:4:5:6:7:8/128'], [6, '2001:db8::/127'],
    ];
    const slots = texts.map(([f, p]) => table.hold(f, p, HOLDER.KERNEL));
    expect(new Set(slots).size).toBe(texts.length);
    texts.forEach(([family, prefix], i) => {
      expect(table.family(slots[i]!)).toBe(family);
      expect(table.prefix(slots[i]!)).toBe(formatPrefix(parsePrefix(prefix)));
      expect(table.keyOf(slots[i]!)).toBe(`${family}|${formatPrefix(parsePrefix(prefix))}`);
      const p = parsePrefix(prefix);
      expect(table.length(slots[i]!)).toBe(p.length);
      expect([0, 1, 2, 3].map((k) => table.word(slots[i]!, k))).toEqual([0, 1, 2, 3].map((k) => (k * 4 < p.addr.length ? p.addr.readUInt32BE(k * 4) : 0)));
    });
    expect(table.find(6, '2001:DB8:0:0::/32')).toBe(slots[5]);
  });

  it('finds no slot for text that is not a canonical prefix, and refuses to hold it', () => {
    const table = new PrefixTable();
    table.hold(4, '192.0.2.0/24', HOLDER.KERNEL);
    for (const [family, text] of [[4, '192.0.2.1/24'], [4, '192.0.2.0'], [4, '192.0.2.0/33'], [4, '192.0.02.0/24'], [4, '192.0.2.0/024'], [6, '2001:db8::1/32'], [6, '2001:db8::/129'], [4, '2001:db8::/32'], [6, '192.0.2.0/24']] as const) {
      expect(table.find(family, text), text).toBe(-1);
      expect(() => table.hold(family, text, HOLDER.KERNEL), text).toThrow(/canonical/);
    }
  });

  it('reads IPv6 text as parseIPv6 does: 20,000 random and mangled addresses', () => {
    const rand = seededRandom(99);
    const pick = (chars: string): string => chars[Math.floor(rand() * chars.length)]!;
    const table = new PrefixTable();
    const samples = ['::', '::1', '1::', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7::', '::2:3:4:5:6:7:8', '1::8', ':::', '1:::2', ':1::', '1::2::3', '1:2:3:4:5:6:7:8::', '12345::', '::ffff:192.0.2.1', 'g::', ''];
    for (let i = 0; i < 20_000; i++) {
      const random = Array.from({ length: 1 + Math.floor(rand() * 24) }, () => pick('0123456789abcdefABCDEF::::::.')).join('');
      const addr = Buffer.from(Array.from({ length: 16 }, () => (rand() < 0.5 ? 0 : Math.floor(rand() * 256))));
      const mangled = formatAddress(addr).split('').map((c) => (rand() < 0.03 ? pick('0f:.') : c)).join('');
      samples.push(random, mangled, formatAddress(addr), formatAddress(addr).toUpperCase());
    }
    for (const text of samples) {
      const want = parseIPv6(text);
      let slot = -1;
      try {
        slot = table.hold(6, `${text}/128`, HOLDER.KERNEL);
      } catch {
        // refused: parseIPv6 must refuse it too
      }
      if (want) expect(table.prefix(slot), text).toBe(`${formatAddress(want)}/128`);
      else expect(slot, text).toBe(-1);
    }
  });
});
