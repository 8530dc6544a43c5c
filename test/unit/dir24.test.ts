// The DIR-24-8 builder answers every address as a longest-prefix match over
// the prefixes it holds, for any order of updates, reads the way the XDP
// program reads, gives back the tbl8 groups it no longer needs (only after
// their grace period), orders its stores so a concurrent reader never sees
// a half-made update, and adopts arrays a program is reading without
// changing an answer that stays the same.
import { beforeEach, describe, expect, it } from 'vitest';
import { seededRandom } from '../../router/lab/random.js';
import { Dir24, TBL24_ENTRIES, TBL8_FLAG, TBL8_GROUP_SIZE, type Dir24Memory } from '../../dataplane/dir24.js';

const ip = (text: string): number => text.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
const mask = (addr: number, len: number): number => (len === 0 ? 0 : (addr & (-1 << (32 - len))) >>> 0);

/** The lookup the BPF program does, straight on the arrays. */
function readAsProgram(memory: Dir24Memory, addr: number): number {
  const entry = memory.tbl24[addr >>> 8];
  if (entry & TBL8_FLAG) return memory.tbl8[(entry & 0x7fff_ffff) * TBL8_GROUP_SIZE + (addr & 0xff)];
  return entry;
}

function countOther(array: Uint32Array, value: number): number {
  let n = 0;
  for (let i = 0; i < array.length; i++) if (array[i] !== value) n++;
  return n;
}

/** The obvious longest-prefix match: one Map per length, longest first. */
class Reference {
  private readonly byLength = Array.from({ length: 33 }, () => new Map<number, number>());

  set(addr: number, len: number, value: number): void {
    this.byLength[len].set(addr, value);
  }

  delete(addr: number, len: number): boolean {
    return this.byLength[len].delete(addr);
  }

  lookup(addr: number): number {
    for (let len = 32; len >= 0; len--) {
      const value = this.byLength[len].get(mask(addr, len));
      if (value !== undefined) return value;
    }
    return 0;
  }

  prefixes(): Array<[number, number]> {
    return this.byLength.flatMap((byAddr, len) => [...byAddr.keys()].map((addr): [number, number] => [addr, len]));
  }

  entries(): Array<{ addr: number; len: number; value: number }> {
    return this.byLength.flatMap((byAddr, len) => [...byAddr].map(([addr, value]) => ({ addr, len, value })));
  }

  /** /24s holding a prefix longer than 24: each needs exactly one tbl8 group */
  slash24sWithLong(): number {
    const slash24s = new Set<number>();
    for (let len = 25; len <= 32; len++) for (const addr of this.byLength[len].keys()) slash24s.add(addr >>> 8);
    return slash24s.size;
  }
}


// Every instance needs 64 MiB of tbl24 and 16 MiB of depths: share one and
// clear it between tests.
const GROUPS = 64;
const memory: Dir24Memory = { tbl24: new Uint32Array(TBL24_ENTRIES), tbl8: new Uint32Array(GROUPS * TBL8_GROUP_SIZE) };
const table = new Dir24(memory);

describe('Dir24', () => {
  beforeEach(() => table.clear());

  it('starts empty: every address misses and no group is used', () => {
    expect(table.lookup(0)).toBe(0);
    expect(table.lookup(ip('10.1.2.3'))).toBe(0);
    expect(table.lookup(0xffff_ffff)).toBe(0);
    expect(table.size).toBe(0);
    expect(table.groupsUsed).toBe(0);
    expect(table.groupsTotal).toBe(GROUPS);
  });

  it('a /0 fills all 16,777,216 tbl24 entries; deleting it empties them again', () => {
    table.set(0, 0, 5);
    expect(countOther(memory.tbl24, 5)).toBe(0);
    expect([table.lookup(0), table.lookup(ip('10.1.2.3')), table.lookup(0xffff_ffff)]).toEqual([5, 5, 5]);

    table.set(ip('10.0.0.0'), 8, 6);
    expect([table.lookup(ip('9.255.255.255')), table.lookup(ip('10.0.0.0')), table.lookup(ip('10.255.255.255'))]).toEqual([5, 6, 6]);

    expect(table.delete(0, 0)).toBe(true);
    expect(countOther(memory.tbl24, 0)).toBe(1 << 16);
    expect([table.lookup(ip('9.255.255.255')), table.lookup(ip('10.9.9.9')), table.lookup(ip('11.0.0.0'))]).toEqual([0, 6, 0]);

    table.delete(ip('10.0.0.0'), 8);
    expect(countOther(memory.tbl24, 0)).toBe(0);
    expect(table.size).toBe(0);
  });

  it('a /32 gets a group filled with its /24\'s answer before the pointer is stored', () => {
    table.set(ip('10.1.0.0'), 16, 7);
    table.set(ip('10.1.2.3'), 32, 9);

    expect(memory.tbl24[ip('10.1.2.0') >>> 8]).toBe((TBL8_FLAG | 0) >>> 0);
    expect(memory.tbl8[3]).toBe(9);
    expect(countOther(memory.tbl8.subarray(0, TBL8_GROUP_SIZE), 7)).toBe(1);
    expect(memory.tbl24[ip('10.1.3.0') >>> 8]).toBe(7);
    expect([table.lookup(ip('10.1.2.2')), table.lookup(ip('10.1.2.3')), table.lookup(ip('10.1.2.4'))]).toEqual([7, 9, 7]);
    expect(table.groupsUsed).toBe(1);
    expect(table.size).toBe(2);
  });

  it('nested prefixes of every length 0..32 each answer where they are the longest, in any deletion order', () => {
    const base = ip('192.168.123.45');
    const ref = new Reference();
    for (let len = 0; len <= 32; len++) {
      table.set(mask(base, len), len, 100 + len);
      ref.set(mask(base, len), len, 100 + len);
    }
    // base with bit `len` flipped shares exactly the first len bits with it
    const probes = [base, ...Array.from({ length: 32 }, (_, len) => (base ^ (1 << (31 - len))) >>> 0)];
    const answers = (): number[] => probes.map((addr) => table.lookup(addr));
    expect(answers()).toEqual([132, ...Array.from({ length: 32 }, (_, len) => 100 + len)]);
    expect(table.size).toBe(33);
    expect(table.groupsUsed).toBe(1);

    const rand = seededRandom(24);
    const order = Array.from({ length: 33 }, (_, len) => len);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (const len of order) {
      expect(table.delete(mask(base, len), len)).toBe(true);
      ref.delete(mask(base, len), len);
      expect(answers(), `after deleting /${len}`).toEqual(probes.map((addr) => ref.lookup(addr)));
      expect(table.groupsUsed).toBe(ref.slash24sWithLong());
    }
    expect(table.size).toBe(0);
    expect(countOther(memory.tbl24, 0)).toBe(0);
    expect(countOther(memory.tbl8, 0)).toBe(0);
  });

  it('setting a prefix again replaces its value and still counts it once', () => {
    table.set(ip('10.1.0.0'), 16, 1);
    table.set(ip('10.1.2.16'), 28, 2);
    table.set(ip('10.1.0.0'), 16, 3);
    table.set(ip('10.1.2.16'), 28, 4);

    expect([table.lookup(ip('10.1.9.9')), table.lookup(ip('10.1.2.1')), table.lookup(ip('10.1.2.17'))]).toEqual([3, 3, 4]);
    expect(memory.tbl8[0]).toBe(3); // the group's background followed the /16
    expect(table.size).toBe(2);
    expect(table.groupsUsed).toBe(1);
    // one delete is enough to free the group: the /28 was not counted twice
    table.delete(ip('10.1.2.16'), 28);
    expect(table.groupsUsed).toBe(0);
    expect(memory.tbl24[ip('10.1.2.0') >>> 8]).toBe(3);
  });

  it('deleting a covering prefix keeps its more specifics and falls back to the next shorter one', () => {
    table.set(ip('10.0.0.0'), 8, 1);
    table.set(ip('10.1.0.0'), 16, 2);
    table.set(ip('10.1.2.0'), 24, 3);
    table.set(ip('10.1.2.128'), 25, 4);
    table.set(ip('10.1.2.192'), 26, 5);

    table.delete(ip('10.1.2.0'), 24);
    expect([table.lookup(ip('10.1.2.1')), table.lookup(ip('10.1.2.130')), table.lookup(ip('10.1.2.200'))]).toEqual([2, 4, 5]);
    expect(memory.tbl8[1]).toBe(2);

    table.delete(ip('10.1.2.128'), 25);
    expect([table.lookup(ip('10.1.2.130')), table.lookup(ip('10.1.2.200'))]).toEqual([2, 5]);

    table.delete(ip('10.0.0.0'), 8);
    expect([table.lookup(ip('10.2.0.0')), table.lookup(ip('10.1.3.3')), table.lookup(ip('10.1.2.1')), table.lookup(ip('10.1.2.200'))]).toEqual([0, 2, 2, 5]);
    expect(table.size).toBe(2);
  });

  it('deleting the last >24 prefix of a /24 frees its group and restores what the ≤24 prefixes give', () => {
    const slash24 = ip('10.1.2.0') >>> 8;
    table.set(ip('10.1.2.0'), 24, 5);
    table.set(ip('10.1.2.0'), 26, 6);
    table.set(ip('10.1.2.64'), 27, 7);
    expect(table.groupsUsed).toBe(1);

    // the ≤24 cover changes while the group exists: a /16 under the /24, then the /24 goes
    table.set(ip('10.1.0.0'), 16, 9);
    table.delete(ip('10.1.2.0'), 24);
    expect([table.lookup(ip('10.1.2.1')), table.lookup(ip('10.1.2.65')), table.lookup(ip('10.1.2.200'))]).toEqual([6, 7, 9]);

    table.delete(ip('10.1.2.0'), 26);
    expect(table.groupsUsed).toBe(1);
    expect([table.lookup(ip('10.1.2.1')), table.lookup(ip('10.1.2.65'))]).toEqual([9, 7]);

    table.delete(ip('10.1.2.64'), 27);
    expect(table.groupsUsed).toBe(0);
    expect(memory.tbl24[slash24]).toBe(9);
    expect(countOther(memory.tbl8, 0)).toBe(0);

    // the freed group comes back clean for another /24
    table.set(ip('10.1.7.1'), 32, 8);
    expect(memory.tbl24[ip('10.1.7.0') >>> 8]).toBe((TBL8_FLAG | 0) >>> 0);
    expect([table.lookup(ip('10.1.7.0')), table.lookup(ip('10.1.7.1'))]).toEqual([9, 8]);
    expect(countOther(memory.tbl8.subarray(0, TBL8_GROUP_SIZE), 9)).toBe(1);

    // no ≤24 prefix at all: the /24 goes back to a miss
    table.delete(ip('10.1.0.0'), 16);
    table.delete(ip('10.1.7.1'), 32);
    expect(memory.tbl24[ip('10.1.7.0') >>> 8]).toBe(0);
    expect(table.groupsUsed).toBe(0);
  });

  it('a ≤24 prefix over /24s with groups changes the group entries no longer prefix holds', () => {
    const first = ip('10.1.2.0') >>> 8;
    const second = ip('10.1.3.0') >>> 8;
    table.set(ip('10.1.2.128'), 25, 3);
    table.set(ip('10.1.3.4'), 30, 4);
    const pointers = [memory.tbl24[first], memory.tbl24[second]];
    const group = (slash24: number): number[] => {
      const g = memory.tbl24[slash24] & 0x7fff_ffff;
      return [...memory.tbl8.subarray(g * TBL8_GROUP_SIZE, (g + 1) * TBL8_GROUP_SIZE)];
    };
    const filled = (value: number, from: number, to: number, inner: number): number[] =>
      Array.from({ length: TBL8_GROUP_SIZE }, (_, i) => (i >= from && i < to ? inner : value));

    table.set(ip('10.0.0.0'), 8, 1);
    expect([memory.tbl24[first], memory.tbl24[second]]).toEqual(pointers);
    expect(memory.tbl24[ip('10.1.4.0') >>> 8]).toBe(1);
    expect(group(first)).toEqual(filled(1, 128, 256, 3));
    expect(group(second)).toEqual(filled(1, 4, 8, 4));

    table.set(ip('10.1.2.0'), 23, 2);
    expect(group(first)).toEqual(filled(2, 128, 256, 3));
    expect(group(second)).toEqual(filled(2, 4, 8, 4));

    table.delete(ip('10.1.2.0'), 23);
    expect(group(first)).toEqual(filled(1, 128, 256, 3));
    expect(group(second)).toEqual(filled(1, 4, 8, 4));

    table.delete(ip('10.0.0.0'), 8);
    expect([memory.tbl24[first], memory.tbl24[second]]).toEqual(pointers);
    expect(group(first)).toEqual(filled(0, 128, 256, 3));
    expect(group(second)).toEqual(filled(0, 4, 8, 4));
    expect(memory.tbl24[ip('10.1.4.0') >>> 8]).toBe(0);
  });

  it('delete says false for a prefix that is not there and changes nothing', () => {
    table.set(ip('10.1.0.0'), 16, 1);
    table.set(ip('10.1.2.3'), 32, 2);
    expect(table.delete(ip('10.2.0.0'), 16)).toBe(false);
    expect(table.delete(ip('10.1.0.0'), 17)).toBe(false);
    expect(table.delete(ip('10.1.2.2'), 32)).toBe(false);
    expect(table.delete(ip('10.1.2.0'), 24)).toBe(false);
    expect(table.size).toBe(2);
    expect(table.groupsUsed).toBe(1);
    expect([table.lookup(ip('10.1.0.0')), table.lookup(ip('10.1.2.3'))]).toEqual([1, 2]);
    expect(table.delete(ip('10.1.2.3'), 32)).toBe(true);
    expect(table.delete(ip('10.1.2.3'), 32)).toBe(false);
  });

  it('running out of tbl8 groups throws, says how many there are, and leaves the table as it was', () => {
    for (let g = 0; g < GROUPS; g++) table.set(ip('10.1.0.0') + g * 256 + 1, 32, g + 1);
    table.set(ip('10.0.0.0'), 8, 100);
    expect(table.groupsUsed).toBe(GROUPS);
    const tbl24 = memory.tbl24.slice();
    const tbl8 = memory.tbl8.slice();

    expect(() => table.set(ip('10.2.0.0'), 25, 7)).toThrow(new Error(`Dir24: cannot add 10.2.0.0/25: no free tbl8 group (all ${GROUPS} groups are in use)`));
    expect(Buffer.from(memory.tbl24.buffer).equals(Buffer.from(tbl24.buffer))).toBe(true);
    expect(Buffer.from(memory.tbl8.buffer).equals(Buffer.from(tbl8.buffer))).toBe(true);
    expect(table.size).toBe(GROUPS + 1);
    expect(table.lookup(ip('10.2.0.1'))).toBe(100);
    expect(table.delete(ip('10.2.0.0'), 25)).toBe(false);

    // /24s that already have a group still take longer prefixes
    table.set(ip('10.1.0.128'), 25, 8);
    expect(table.lookup(ip('10.1.0.200'))).toBe(8);

    table.delete(ip('10.1.5.1'), 32);
    table.set(ip('10.2.0.0'), 25, 7);
    expect([table.lookup(ip('10.2.0.1')), table.lookup(ip('10.2.0.129')), table.lookup(ip('10.1.5.1'))]).toEqual([7, 100, 100]);
    expect(table.groupsUsed).toBe(GROUPS);
  });

  it('rejects bad arguments with a RangeError that says what was wrong', () => {
    expect(() => table.set(ip('10.1.2.3'), 24, 1)).toThrow(new RangeError('Dir24: 10.1.2.3/24 has host bits set (the prefix is 10.1.2.0/24)'));
    expect(() => table.set(1, 0, 1)).toThrow(/0\.0\.0\.1\/0 has host bits set/);
    expect(() => table.set(-1, 32, 1)).toThrow(new RangeError('Dir24: address must be an integer 0..0xffffffff (host order), got -1'));
    expect(() => table.set(2 ** 32, 32, 1)).toThrow(/address must be an integer/);
    expect(() => table.set(1.5, 32, 1)).toThrow(/address must be an integer/);
    expect(() => table.set(0, 33, 1)).toThrow(new RangeError('Dir24: prefix length must be an integer 0..32, got 33'));
    expect(() => table.set(0, -1, 1)).toThrow(/prefix length/);
    expect(() => table.set(0, 8.5, 1)).toThrow(/prefix length/);
    expect(() => table.set(0, 8, 0)).toThrow(new RangeError('Dir24: value must be an integer 1..0x7fffffff, got 0'));
    expect(() => table.set(0, 8, TBL8_FLAG)).toThrow(RangeError);
    expect(() => table.set(0, 8, Number.NaN)).toThrow(RangeError);
    expect(() => table.delete(ip('10.1.2.3'), 8)).toThrow(RangeError);
    expect(() => table.delete(0, 40)).toThrow(RangeError);
    expect(() => table.lookup(-5)).toThrow(RangeError);
    expect(() => table.lookup(0.5)).toThrow(RangeError);
    expect(table.size).toBe(0);
    expect(countOther(memory.tbl24, 0)).toBe(0);
  });

  it('rejects arrays of the wrong size', () => {
    expect(() => new Dir24({ tbl24: new Uint32Array(1 << 16), tbl8: new Uint32Array(256) })).toThrow(new RangeError(`Dir24: tbl24 must have ${TBL24_ENTRIES} entries, got 65536`));
    expect(() => new Dir24({ tbl24: memory.tbl24, tbl8: new Uint32Array(300) })).toThrow(/whole number of 256-entry groups, got 300/);
  });

  it('clear() zeroes both arrays, forgets every prefix and frees every group', () => {
    table.set(0, 0, 1);
    table.set(ip('10.1.2.3'), 32, 2);
    table.set(ip('10.9.0.0'), 16, 3);
    table.clear();
    expect(countOther(memory.tbl24, 0)).toBe(0);
    expect(countOther(memory.tbl8, 0)).toBe(0);
    expect([table.size, table.groupsUsed]).toEqual([0, 0]);
    expect(table.delete(0, 0)).toBe(false);
    // no stale depth left behind: a new prefix wins everywhere it should
    table.set(ip('10.0.0.0'), 8, 4);
    expect([table.lookup(ip('10.1.2.3')), table.lookup(ip('10.9.1.1'))]).toEqual([4, 4]);
  });

  it('agrees with a naive longest-prefix match over thousands of random nested updates', () => {
    const rand = seededRandom(0x5eed);
    const below = (n: number): number => Math.floor(rand() * n);
    const ref = new Reference();
    // a few /8s, and in each a couple of /16s with a few /24s, so prefixes
    // of all lengths pile up on the same addresses
    const slash8s = [10, 100, 203];
    const clustered = (): number => ((slash8s[below(3)] << 24) | (below(2) << 16) | (below(4) << 8) | below(256)) >>> 0;
    const randomPrefix = (): [number, number] => {
      const len = rand() < 0.01 ? below(8) : 8 + below(25);
      return [mask(clustered(), len), len];
    };
    const probe = (live: Array<[number, number]>): number => {
      const r = rand();
      if (r < 0.5 && live.length > 0) {
        const [addr, len] = live[below(live.length)];
        return addr + below(2 ** (32 - len));
      }
      return r < 0.85 ? clustered() : below(2 ** 32);
    };
    const check = (when: string): void => {
      const live = ref.prefixes();
      const wrong: string[] = [];
      for (let i = 0; i < 2000; i++) {
        const addr = probe(live);
        const [got, want] = [table.lookup(addr), ref.lookup(addr)];
        if (got !== want) wrong.push(`${addr >>> 24}.${(addr >>> 16) & 255}.${(addr >>> 8) & 255}.${addr & 255}: ${got}, want ${want}`);
      }
      expect(wrong.slice(0, 5), when).toEqual([]);
      expect(table.size, when).toBe(live.length);
      expect(table.groupsUsed, when).toBe(ref.slash24sWithLong());
    };

    const OPS = 6000;
    let deletes = 0;
    for (let op = 1; op <= OPS; op++) {
      const live = ref.prefixes();
      if (live.length === 0 || rand() < 0.7) {
        const [addr, len] = randomPrefix();
        const value = 1 + below(0x7fff_ffff);
        table.set(addr, len, value);
        ref.set(addr, len, value);
      } else {
        // mostly prefixes that are there, sometimes ones that may not be
        const [addr, len] = rand() < 0.8 ? live[below(live.length)] : randomPrefix();
        expect(table.delete(addr, len)).toBe(ref.delete(addr, len));
        deletes++;
      }
      if (op % 250 === 0) check(`after ${op} operations`);
    }
    expect(deletes).toBeGreaterThan(OPS / 4);

    for (const [addr, len] of ref.prefixes()) {
      expect(table.delete(addr, len)).toBe(true);
      ref.delete(addr, len);
    }
    check('after deleting everything');
    expect(countOther(memory.tbl24, 0)).toBe(0);
    expect(countOther(memory.tbl8, 0)).toBe(0);
  });

  it('with an overflow value, a /24 that finds no group answers it, then takes the next group that frees', () => {
    const OVERFLOW = 0x2800_0000;
    const small = new Dir24({ tbl24: memory.tbl24, tbl8: memory.tbl8.subarray(0, TBL8_GROUP_SIZE) }, { overflowValue: OVERFLOW });
    try {
      small.set(ip('10.0.0.0'), 8, 5);
      small.set(ip('10.1.1.7'), 32, 6); // takes the only group
      small.set(ip('10.2.2.9'), 32, 7); // none left
      small.set(ip('10.2.2.128'), 25, 8);
      expect([small.groupsUsed, small.overflowed]).toEqual([1, 1]);
      for (const a of ['10.2.2.9', '10.2.2.1', '10.2.2.200']) expect(small.lookup(ip(a)), a).toBe(OVERFLOW);
      // a shorter prefix over the waiting /24 leaves it waiting, and covers the rest
      small.set(ip('10.2.0.0'), 16, 9);
      expect([small.lookup(ip('10.2.2.1')), small.lookup(ip('10.2.3.1'))]).toEqual([OVERFLOW, 9]);
      // the group frees: the waiting /24 gets it, with both its longer prefixes
      small.delete(ip('10.1.1.7'), 32);
      expect([small.groupsUsed, small.overflowed]).toEqual([1, 0]);
      expect(['10.2.2.9', '10.2.2.200', '10.2.2.1', '10.1.1.7'].map((a) => small.lookup(ip(a)))).toEqual([7, 8, 9, 5]);
      small.delete(ip('10.2.2.9'), 32);
      small.delete(ip('10.2.2.128'), 25);
      expect(small.groupsUsed).toBe(0);
      expect(small.lookup(ip('10.2.2.9'))).toBe(9);
      // a waiting /24 whose longer prefixes all go answers its cover again
      small.set(ip('10.3.3.3'), 32, 10);
      small.set(ip('10.4.4.4'), 32, 11);
      expect(small.lookup(ip('10.4.4.4'))).toBe(OVERFLOW);
      small.delete(ip('10.4.4.4'), 32);
      expect([small.lookup(ip('10.4.4.4')), small.overflowed]).toEqual([5, 0]);
    } finally {
      small.clear();
    }
  });

  it('with an overflow value, any mix of updates answers as the naive match, or the overflow value where a /24 waits', () => {
    const OVERFLOW = 0x2800_0000;
    const GROUPS_HERE = 3;
    const small = new Dir24({ tbl24: memory.tbl24, tbl8: memory.tbl8.subarray(0, GROUPS_HERE * TBL8_GROUP_SIZE) }, { overflowValue: OVERFLOW });
    const rand = seededRandom(0xf10);
    const below = (n: number): number => Math.floor(rand() * n);
    const ref = new Reference();
    const clustered = (): number => ((10 << 24) | (below(2) << 16) | (below(5) << 8) | below(256)) >>> 0;
    try {
      for (let op = 1; op <= 3000; op++) {
        const live = ref.prefixes();
        if (live.length === 0 || rand() < 0.6) {
          const len = 16 + below(17);
          const addr = mask(clustered(), len);
          const value = 1 + below(1000);
          small.set(addr, len, value);
          ref.set(addr, len, value);
        } else {
          const [addr, len] = live[below(live.length)];
          small.delete(addr, len);
          ref.delete(addr, len);
        }
        if (op % 100 !== 0) continue;
        const needing = ref.slash24sWithLong();
        expect(small.groupsUsed, `op ${op}`).toBe(Math.min(GROUPS_HERE, needing));
        expect(small.overflowed, `op ${op}`).toBe(needing - small.groupsUsed);
        const longIn = new Set(ref.prefixes().filter(([, len]) => len > 24).map(([addr]) => addr >>> 8));
        for (let i = 0; i < 500; i++) {
          const addr = clustered();
          const [got, want] = [small.lookup(addr), ref.lookup(addr)];
          if (got !== want) {
            expect(got, `op ${op}`).toBe(OVERFLOW);
            expect(longIn.has(addr >>> 8), `op ${op}`).toBe(true);
          }
        }
      }
    } finally {
      small.clear();
    }
  });

  it('orders its stores so a reader between any two sees each address answer as before or as after the update', () => {
    const target: Dir24Memory = { tbl24: new Uint32Array(TBL24_ENTRIES), tbl8: new Uint32Array(4 * TBL8_GROUP_SIZE) };
    let onStore = (): void => {};
    const watched = new Dir24(target, {
      store: (array, index, value) => {
        Atomics.store(array, index, value);
        onStore();
      },
    });
    const ref = new Reference();
    const probes = Array.from({ length: 512 }, (_, i) => ip('10.1.2.0') + i);
    const steps: Array<['set', string, number, number] | ['delete', string, number]> = [
      ['set', '10.1.2.0', 24, 1],
      ['set', '10.1.2.128', 25, 2], // allocates and publishes a group
      ['set', '10.1.2.192', 26, 3],
      ['set', '10.1.0.0', 16, 4],
      ['delete', '10.1.2.0', 24], // the group's background changes under it
      ['set', '10.1.2.0', 23, 5],
      ['delete', '10.1.2.128', 25],
      ['delete', '10.1.2.192', 26], // frees the group
      ['set', '10.1.3.7', 32, 6], // takes the freed group again
      ['set', '10.1.2.0', 23, 7],
      ['delete', '10.1.3.7', 32],
    ];
    const torn: string[] = [];
    let stores = 0;
    for (const step of steps) {
      const before = probes.map((addr) => ref.lookup(addr));
      if (step[0] === 'set') ref.set(ip(step[1]), step[2], step[3]);
      else ref.delete(ip(step[1]), step[2]);
      const after = probes.map((addr) => ref.lookup(addr));
      onStore = () => {
        stores++;
        probes.forEach((addr, i) => {
          const seen = readAsProgram(target, addr);
          if (seen !== before[i] && seen !== after[i]) torn.push(`${step.join(' ')}: address ${i} read ${seen}, not ${before[i]} or ${after[i]}`);
        });
      };
      if (step[0] === 'set') watched.set(ip(step[1]), step[2], step[3]);
      else watched.delete(ip(step[1]), step[2]);
      onStore = () => {};
      expect(probes.map((addr) => readAsProgram(target, addr))).toEqual(after);
    }
    expect(torn.slice(0, 5)).toEqual([]);
    expect(stores).toBeGreaterThan(steps.length);
  });

  describe('with grace periods', () => {
    const OVERFLOW = 0x2800_0000;
    /** reclaims wait here, as they would while a program run is in flight */
    let graceQueue: Array<() => void> = [];
    const retire = (reclaim: () => void): void => void graceQueue.push(reclaim);
    const endGracePeriod = (): void => graceQueue.splice(0).forEach((reclaim) => reclaim());
    beforeEach(() => {
      graceQueue = [];
    });

    it('a slow reader holding a tbl24 entry across any number of updates reads its address\'s old or new answer, never another prefix\'s', () => {
      const GROUPS_HERE = 4;
      const small = new Dir24({ tbl24: memory.tbl24, tbl8: memory.tbl8.subarray(0, GROUPS_HERE * TBL8_GROUP_SIZE) }, { overflowValue: OVERFLOW, retire });
      const rand = seededRandom(0x5104);
      const below = (n: number): number => Math.floor(rand() * n);
      const ref = new Reference();
      const clustered = (): number => ((10 << 24) | (below(6) << 8) | below(256)) >>> 0;
      const wrong: string[] = [];
      try {
        for (let reader = 0; reader < 300; reader++) {
          // the reader: one load of tbl24 now, its tbl8 load after many writes
          const addr = clustered();
          const held = memory.tbl24[addr >>> 8]!;
          const answerThen = readAsProgram(memory, addr);
          const answersSince = new Set([answerThen, OVERFLOW]);
          for (let op = 0; op < 40; op++) {
            const live = ref.prefixes();
            if (live.length === 0 || rand() < 0.55) {
              const len = 22 + below(11);
              const a = mask(clustered(), len);
              const value = 1 + below(1000);
              small.set(a, len, value);
              ref.set(a, len, value);
            } else {
              const [a, len] = live[below(live.length)]!;
              small.delete(a, len);
              ref.delete(a, len);
            }
            answersSince.add(ref.lookup(addr));
          }
          const seen = held & TBL8_FLAG ? memory.tbl8[(held & 0x7fff_ffff) * TBL8_GROUP_SIZE + (addr & 0xff)]! : held;
          if (!answersSince.has(seen)) wrong.push(`reader ${reader}: ${addr} read ${seen}, answers were ${[...answersSince].join(',')}`);
          // the reader is done: the groups it could hold may be used again
          endGracePeriod();
        }
        expect(wrong.slice(0, 5)).toEqual([]);
      } finally {
        endGracePeriod();
        small.clear();
      }
    });

    it('a group let go of is not reused before its grace period; a waiting /24 then gets it built whole, in one store', () => {
      const stores: Array<[Uint32Array, number, number]> = [];
      const small = new Dir24(
        { tbl24: memory.tbl24, tbl8: memory.tbl8.subarray(0, TBL8_GROUP_SIZE) },
        { overflowValue: OVERFLOW, retire, store: (array, index, value) => (Atomics.store(array, index, value), stores.push([array, index, value])) },
      );
      try {
        small.set(ip('10.0.0.0'), 8, 5);
        small.set(ip('10.1.1.7'), 32, 6); // takes the only group
        const held = memory.tbl24[ip('10.1.1.7') >>> 8]!;
        small.set(ip('10.2.2.9'), 32, 7); // waits
        small.set(ip('10.2.2.128'), 25, 8);
        small.delete(ip('10.1.1.7'), 32); // the group retires
        expect([small.groupsUsed, small.groupsRetiring, small.overflowed]).toEqual([1, 1, 1]);
        expect(small.lookup(ip('10.2.2.9'))).toBe(OVERFLOW);
        // a reader that loaded the old pointer still finds 10.1.1.7's answers
        expect(memory.tbl8[(held & 0x7fff_ffff) * TBL8_GROUP_SIZE + 7]).toBe(6);
        stores.length = 0;
        endGracePeriod();
        expect([small.groupsUsed, small.groupsRetiring, small.overflowed]).toEqual([1, 0, 0]);
        expect(['10.2.2.9', '10.2.2.200', '10.2.2.1', '10.1.1.7'].map((a) => small.lookup(ip(a)))).toEqual([7, 8, 5, 5]);
        // the waiting /24's entry was stored once, last, after its whole group
        const pointerStores = stores.filter(([array, index]) => array === memory.tbl24 && index === ip('10.2.2.0') >>> 8);
        expect(pointerStores.length).toBe(1);
        expect(stores.at(-1)).toBe(pointerStores[0]);
      } finally {
        endGracePeriod();
        small.clear();
      }
    });

    it('adopting arrays a program reads changes no answer that stays the same, keeps each /24 its group, and retires the rest', () => {
      const GROUPS_HERE = 8;
      const live: Dir24Memory = { tbl24: memory.tbl24, tbl8: memory.tbl8.subarray(0, GROUPS_HERE * TBL8_GROUP_SIZE) };
      // the previous run: groups handed out in an order of its own history
      const previous = new Dir24(live, { overflowValue: OVERFLOW });
      const prefixes: Array<[string, number, number]> = [
        ['10.0.0.0', 8, 5], ['10.3.3.0', 24, 9], ['10.5.5.99', 32, 12], ['10.1.1.128', 25, 6], ['10.1.1.7', 32, 7], ['10.2.2.0', 26, 8], ['10.4.4.4', 32, 11],
      ];
      for (const [a, len, value] of prefixes) previous.set(ip(a), len, value);
      previous.delete(ip('10.5.5.99'), 32); // frees a group in the middle of the list
      const probes = [...new Set(['10.1.1', '10.2.2', '10.3.3', '10.4.4', '10.5.5', '10.6.6'].flatMap((n) => [0, 7, 63, 64, 128, 200, 255].map((h) => ip(`${n}.${h}`))))];
      const before = probes.map((addr) => readAsProgram(live, addr));
      const groupOf = (net: string): number => live.tbl24[ip(net) >>> 8]! & 0x7fff_ffff;
      const groupsBefore = ['10.1.1.0', '10.2.2.0', '10.4.4.0'].map(groupOf);
      // the trie the run recorded differs a little: 10.4.4.4/32 was deleted, 10.6.6.6/32 added
      const ref = new Reference();
      for (const [a, len, value] of prefixes) if (a !== '10.5.5.99' && a !== '10.4.4.4') ref.set(ip(a), len, value);
      ref.set(ip('10.6.6.6'), 32, 13);
      const after = probes.map((addr) => ref.lookup(addr));
      const torn: string[] = [];
      const adopted = Dir24.adopt(live, ref.entries(), {
        overflowValue: OVERFLOW,
        retire,
        store: (array, index, value) => {
          Atomics.store(array, index, value);
          probes.forEach((addr, i) => {
            const seen = readAsProgram(live, addr);
            if (seen !== before[i] && seen !== after[i] && seen !== OVERFLOW) torn.push(`${addr}: ${seen}, not ${before[i]} or ${after[i]}`);
          });
        },
      });
      try {
        expect(torn).toEqual([]);
        // the /24s that keep longer prefixes keep their groups; 10.4.4.0 lets go of its own
        expect(['10.1.1.0', '10.2.2.0'].map(groupOf)).toEqual(groupsBefore.slice(0, 2));
        expect(live.tbl24[ip('10.4.4.0') >>> 8]).toBe(5);
        // 10.6.6.0 had no group: it waits for one that has had its grace period
        expect(adopted.lookup(ip('10.6.6.6'))).toBe(OVERFLOW);
        endGracePeriod();
        expect(probes.map((addr) => adopted.lookup(addr))).toEqual(after);
        expect([adopted.groupsUsed, adopted.overflowed, adopted.groupsRetiring]).toEqual([3, 0, 0]);
        // and it goes on as a table of its own
        adopted.delete(ip('10.1.1.7'), 32);
        adopted.delete(ip('10.1.1.128'), 25);
        endGracePeriod();
        expect([adopted.lookup(ip('10.1.1.7')), adopted.groupsUsed]).toEqual([5, 2]);
      } finally {
        endGracePeriod();
        adopted.clear();
      }
    });
  });
});
