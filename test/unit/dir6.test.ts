// The IPv6 index builder answers every address as a longest-prefix match
// over the prefixes it holds, for any order of adds, replaces and deletes
// (seeded random tables against the obvious match); with too few groups it
// sends addresses to the trie, never to a wrong route, and gives the groups
// back to them once some free; freed groups are reused only after their
// grace period; and a restart adopts live arrays without a wrong answer.
import { beforeEach, describe, expect, it } from 'vitest';
import { seededRandom } from '../../router/lab/random.js';
import { Dir6, GROUP_SIZE, TBL24_ENTRIES, TRIE_MARK, type Dir6Memory } from '../../dataplane/dir6.js';

function masked(addr: Uint8Array, len: number): Uint8Array {
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = addr[i]! & ((0xff00 >> Math.max(0, Math.min(8, len - i * 8))) & 0xff);
  return out;
}

const key = (addr: Uint8Array): string => Buffer.from(addr).toString('hex');

/** The obvious longest-prefix match: every held prefix by "len/address", tried from /128 down. */
class Reference {
  readonly held = new Map<string, { addr: Uint8Array; len: number; value: number }>();

  set = (addr: Uint8Array, len: number, value: number): unknown => this.held.set(`${len}/${key(addr)}`, { addr, len, value });
  delete = (addr: Uint8Array, len: number): boolean => this.held.delete(`${len}/${key(addr)}`);
  has = (addr: Uint8Array, len: number): boolean => this.held.has(`${len}/${key(addr)}`);
  entries = (): Array<{ addr: Uint8Array; len: number; value: number }> => [...this.held.values()];

  lookup(addr: Uint8Array): number {
    for (let len = 128; len >= 0; len--) {
      const p = this.held.get(`${len}/${key(masked(addr, len))}`);
      if (p) return p.value;
    }
    return 0;
  }
}

/**
 * Addresses that share long runs of bytes, so prefixes nest and share
 * groups: a few bases, each byte kept or set to one of a few values.
 */
function generator(seed: number): { address: () => Uint8Array; prefix: () => { addr: Uint8Array; len: number } } {
  const rand = seededRandom(seed);
  const bases = Array.from({ length: 3 }, () => Uint8Array.from({ length: 16 }, () => Math.floor(rand() * 256)));
  const address = (): Uint8Array => {
    const a = Uint8Array.from(bases[Math.floor(rand() * bases.length)]!);
    for (let i = 0; i < 16; i++) if (rand() < 0.15) a[i] = [0, 1, 0x80, 0xff][Math.floor(rand() * 4)]!;
    return a;
  };
  // /8 to /128, the global table's /29 to /48 most (the /0 has its own case: it repaints 16M entries)
  const length = (): number => (rand() < 0.6 ? 29 + Math.floor(rand() * 20) : 8 + Math.floor(rand() * 121));
  return { address, prefix: () => { const len = length(); return { addr: masked(address(), len), len }; } };
}

/** Probe the first and last address of every held prefix, and random ones. */
function probes(ref: Reference, random: () => Uint8Array, extra: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const { addr, len } of ref.entries()) {
    out.push(addr);
    const last = Uint8Array.from(addr);
    for (let i = 0; i < 16; i++) last[i] = last[i]! | (0xff >> Math.max(0, Math.min(8, len - i * 8)));
    out.push(last);
  }
  for (let i = 0; i < extra; i++) out.push(random());
  return out;
}

const GROUPS = 2048;
const withGroups = (groups: number, tbl24: Uint32Array = new Uint32Array(TBL24_ENTRIES)): Dir6Memory => ({ tbl24, tbl8: new Uint32Array(groups * GROUP_SIZE) });
// every instance takes 64 MiB of /24 table and 16 MiB of depths: the file shares one /24 table, zeroed between tests
const memory = withGroups(GROUPS);
const table = new Dir6(memory);

describe('Dir6', () => {
  beforeEach(() => table.clear());

  it('answers the longest match after 3,000 random adds, replaces and deletes (3 seeds)', () => {
    for (const seed of [1, 2, 3]) {
      table.clear();
      const gen = generator(seed);
      const rand = seededRandom(seed + 100);
      const ref = new Reference();
      const held: Array<{ addr: Uint8Array; len: number }> = [];
      for (let step = 1; step <= 3000; step++) {
        if (held.length > 0 && rand() < 0.35) {
          const [victim] = held.splice(Math.floor(rand() * held.length), 1);
          expect(table.delete(victim!.addr, victim!.len)).toBe(ref.delete(victim!.addr, victim!.len));
        } else {
          const p = gen.prefix();
          const value = 1 + Math.floor(rand() * 1000);
          if (!ref.has(p.addr, p.len)) held.push(p);
          table.set(p.addr, p.len, value);
          ref.set(p.addr, p.len, value);
        }
        if (step % 500 !== 0) continue;
        for (const a of probes(ref, gen.address, 500)) expect(table.lookup(a), `${key(a)} after ${step} steps (seed ${seed})`).toBe(ref.lookup(a));
        expect(table.usage().prefixes).toBe(ref.entries().length);
      }
      expect(table.usage().marked).toBe(0);
      // all gone: every group back, every address misses
      for (const p of held) table.delete(p.addr, p.len);
      expect(table.usage().used).toBe(0);
      expect(table.lookup(gen.address())).toBe(0);
    }
  });

  it('holds a /128 under a /0 in 14 levels, and a /0 answers everything else', () => {
    const host = Uint8Array.from(Buffer.from('2a0012340000000000000000000000aa', 'hex'));
    table.set(new Uint8Array(16), 0, 7);
    table.set(host, 128, 9);
    expect(table.usage().used).toBe(13);
    expect(table.lookup(host)).toBe(9);
    const neighbour = Uint8Array.from(host);
    neighbour[15] = 0xab;
    expect(table.lookup(neighbour)).toBe(7);
    table.delete(host, 128);
    expect(table.lookup(host)).toBe(7);
    expect(table.usage().used).toBe(0);
  });

  it('tells each load of a lookup, in order: the /24 table, then one group per 8 bits (four loads for a /48)', () => {
    const slash48 = Uint8Array.from(Buffer.from(`2a001234abcd${'0'.repeat(20)}`, 'hex'));
    table.set(slash48, 48, 5);
    const loads: string[] = [];
    expect(Dir6.read(memory, slash48, (array, index) => loads.push(array === memory.tbl24 ? `tbl24 ${index.toString(16)}` : `tbl8 ${index % GROUP_SIZE}`))).toBe(5);
    expect(loads).toEqual(['tbl24 2a0012', 'tbl8 52', 'tbl8 171', 'tbl8 205']);
  });

  it('with too few groups, marks the entry for the trie, then builds the chain once groups free', () => {
    const retired: Array<() => void> = [];
    const small = withGroups(3, memory.tbl24);
    small.tbl24.fill(0);
    const t = new Dir6(small, { retire: (reclaim) => retired.push(reclaim) });
    const a48 = Uint8Array.from(Buffer.from('2a000001000200000000000000000000', 'hex'));
    const b48 = Uint8Array.from(Buffer.from('2a010002000300000000000000000000', 'hex'));
    const b32 = masked(b48, 32);
    t.set(a48, 48, 1); // three groups: all there are
    t.set(masked(b48, 24), 24, 5);
    t.set(b48, 48, 2); // needs three more
    expect(t.usage().marked).toBe(1);
    expect(t.lookup(b48)).toBe(TRIE_MARK);
    // the /24 goes on answering around the mark, the marked /24 is the trie's alone
    t.set(b32, 32, 3);
    expect(t.lookup(b48)).toBe(TRIE_MARK);
    t.delete(a48, 48);
    expect(t.lookup(a48)).toBe(0);
    // not before the grace period
    expect(t.usage().marked).toBe(1);
    for (const reclaim of retired.splice(0)) reclaim();
    expect(t.usage().marked).toBe(0);
    expect(t.lookup(b48)).toBe(2);
    const inB32 = Uint8Array.from(b48);
    inB32[5] = 9;
    expect(t.lookup(inB32)).toBe(3);
    const inB24 = Uint8Array.from(b48);
    inB24[3] = 9;
    expect(t.lookup(inB24)).toBe(5);
    small.tbl24.fill(0);
  });

  it('reuses a freed group only after its grace period, and the old group keeps its answers meanwhile', () => {
    const retired: Array<() => void> = [];
    const t = new Dir6(withGroups(GROUPS, memory.tbl24), { retire: (reclaim) => retired.push(reclaim) });
    const a = Uint8Array.from(Buffer.from('2a000001000000000000000000000000', 'hex'));
    t.set(a, 40, 4);
    const pointer = memory.tbl24[(a[0]! << 16) | (a[1]! << 8) | a[2]!]!;
    const held = { tbl24: new Uint32Array(TBL24_ENTRIES), tbl8: new Uint32Array(0) };
    held.tbl24[0] = pointer;
    t.delete(a, 40);
    expect(t.lookup(a)).toBe(0);
    // a reader that read the pointer before the delete still finds the /40
    const snapshot = { tbl24: held.tbl24, tbl8: (t as unknown as { tbl8: Uint32Array }).tbl8 };
    expect(Dir6.read(snapshot, new Uint8Array([0, 0, 0, ...a.subarray(3)]))).toBe(4);
    expect(t.usage().retiring).toBe(2);
    for (const reclaim of retired.splice(0)) reclaim();
    expect(t.usage().retiring).toBe(0);
    expect(t.usage().used).toBe(0);
    memory.tbl24.fill(0);
  });

  it('adopts live arrays: the same answers, groups kept in place, and it goes on from there', () => {
    const gen = generator(9);
    const ref = new Reference();
    const live = withGroups(GROUPS, memory.tbl24);
    live.tbl24.fill(0);
    const first = new Dir6(live);
    for (let i = 0; i < 800; i++) {
      const p = gen.prefix();
      first.set(p.addr, p.len, i + 1);
      ref.set(p.addr, p.len, i + 1);
    }
    // the same record: not one store, the same answers
    const stores: number[] = [];
    const watch = { store: (array: Uint32Array, index: number, value: number): void => { stores.push(index); array[index] = value; } };
    const same = Dir6.adopt(live, ref.entries(), watch);
    expect(stores).toEqual([]);
    expect(same.usage().prefixes).toBe(ref.entries().length);
    for (const a of probes(ref, gen.address, 1000)) expect(same.lookup(a), key(a)).toBe(ref.lookup(a));
    // a record that differs from the arrays (the previous run died half-way)
    for (let i = 0; i < 20; i++) {
      const p = gen.prefix();
      ref.set(p.addr, p.len, 5000 + i);
    }
    const second = Dir6.adopt(live, ref.entries());
    for (const a of probes(ref, gen.address, 2000)) {
      const got = second.lookup(a);
      expect(got === ref.lookup(a) || got === TRIE_MARK, key(a)).toBe(true);
    }
    for (const p of ref.entries().slice(0, 100)) {
      second.delete(p.addr, p.len);
      ref.delete(p.addr, p.len);
    }
    for (const a of probes(ref, gen.address, 500)) {
      const got = second.lookup(a);
      expect(got === ref.lookup(a) || got === TRIE_MARK, key(a)).toBe(true);
    }
    live.tbl24.fill(0);
  });
});
