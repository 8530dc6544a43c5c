// The IPv6 index builder answers every address as a longest-prefix match
// over the prefixes it holds, for any order of adds, replaces and deletes
// (seeded random tables against the obvious match), and at every store of
// a change a reader finds each address's old answer or its new one; with
// too few lines it sends addresses to the trie, never to a wrong route, and
// gives the lines back to them once some free; freed lines are reused only
// after their grace period; a change under a crowded /24 costs its node,
// not the /24's; and a restart adopts live arrays without a wrong answer.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { seededRandom } from '../../router/lab/random.js';
import { Dir6, LINE_WORDS, TBL24_ENTRIES, TRIE_MARK, type Dir6Memory } from '../../dataplane/dir6.js';
import { Node6 } from '../../dataplane/dir6-node.js';

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

const LINES = 1 << 15;
const withLines = (lines: number, tbl24: Uint32Array = new Uint32Array(TBL24_ENTRIES)): Dir6Memory => ({ tbl24, lines: new Uint32Array(lines * LINE_WORDS) });
// every instance takes 64 MiB of /24 table: the file shares one, zeroed between tests
const memory = withLines(LINES);
const table = new Dir6(memory);

/** a fresh index over the shared /24 table (zeroed) with `lines` lines of its own */
function fresh(lines: number, options: ConstructorParameters<typeof Dir6>[1] = {}): { t: Dir6; mem: Dir6Memory } {
  memory.tbl24.fill(0);
  const mem = withLines(lines, memory.tbl24);
  return { t: new Dir6(mem, options), mem };
}

const hexAddr = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text.padEnd(32, '0'), 'hex'));

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
        for (const p of ref.entries().slice(0, 50)) expect(table.get(p.addr, p.len)).toBe(p.value);
        expect(table.usage().prefixes).toBe(ref.entries().length);
      }
      expect(table.usage().marked).toBe(0);
      // all gone: every line back, every address misses
      for (const p of held) table.delete(p.addr, p.len);
      expect(table.usage().used).toBe(0);
      expect(table.lookup(gen.address())).toBe(0);
    }
  });

  it('at every store of 2,000 random changes under a few /24s, a reader finds each probed address\'s old answer or its new one', () => {
    const retired: Array<() => void> = [];
    let check: (() => void) | undefined;
    const { t } = fresh(LINES, {
      retire: (reclaim) => retired.push(reclaim),
      store: (array, index, value) => {
        Atomics.store(array, index, value);
        check?.();
      },
    });
    const rand = seededRandom(77);
    const ref = new Reference();
    const bases = ['2a0012', '2a0013', '20010d'];
    const prefix = (): { addr: Uint8Array; len: number } => {
      const a = hexAddr(bases[Math.floor(rand() * bases.length)]!);
      for (let i = 3; i < 16; i++) a[i] = rand() < 0.5 ? Math.floor(rand() * 4) : Math.floor(rand() * 256);
      const len = rand() < 0.6 ? 32 + 8 * Math.floor(rand() * 3) : 25 + Math.floor(rand() * 104);
      return { addr: masked(a, len), len };
    };
    for (let step = 0; step < 2000; step++) {
      const p = prefix();
      const value = 1 + Math.floor(rand() * 1000);
      const remove = ref.has(p.addr, p.len) && rand() < 0.5;
      const probesOf = [p.addr, ...Array.from({ length: 6 }, () => {
        const a = Uint8Array.from(p.addr);
        for (let i = Math.floor(p.len / 8); i < 16; i++) a[i] = a[i]! | (Math.floor(rand() * 256) & (0xff >> Math.max(0, p.len - i * 8)));
        return a;
      })];
      const before = probesOf.map((a) => ref.lookup(a));
      if (remove) ref.delete(p.addr, p.len);
      else ref.set(p.addr, p.len, value);
      const after = probesOf.map((a) => ref.lookup(a));
      check = () => probesOf.forEach((a, i) => {
        const got = t.lookup(a);
        if (got !== before[i] && got !== after[i]) expect.fail(`${key(a)} read ${got} mid-change (step ${step}): neither ${before[i]} nor ${after[i]}`);
      });
      if (remove) t.delete(p.addr, p.len);
      else t.set(p.addr, p.len, value);
      check = undefined;
      probesOf.forEach((a, i) => expect(t.lookup(a)).toBe(after[i]));
      // grace periods end now and then, not after each change
      if (step % 7 === 0) for (const reclaim of retired.splice(0)) reclaim();
    }
    for (const a of probes(ref, () => hexAddr('2a0012'), 0)) expect(t.lookup(a), key(a)).toBe(ref.lookup(a));
    memory.tbl24.fill(0);
  });

  it('holds a /128 under a /0 in five nodes of one line, and a /0 answers everything else', () => {
    const host = hexAddr('2a0012340000000000000000000000aa');
    table.set(new Uint8Array(16), 0, 7);
    table.set(host, 128, 9);
    expect(table.usage().used).toBe(5);
    expect(table.lookup(host)).toBe(9);
    const neighbour = Uint8Array.from(host);
    neighbour[15] = 0xab;
    expect(table.lookup(neighbour)).toBe(7);
    table.delete(host, 128);
    expect(table.lookup(host)).toBe(7);
    expect(table.usage().used).toBe(0);
  });

  it('nested prefixes of the /24 table, set and deleted in any order, each /24 answered by the longest one over it (no depth kept per entry)', () => {
    const at = (text: string): Uint8Array => hexAddr(text.padEnd(32, '0'));
    const prefixes: Array<[string, number, number]> = [['', 0, 1], ['2', 4, 2], ['2001', 16, 3], ['2001d', 20, 4], ['20010d', 24, 5], ['2001d8', 24, 6], ['200f', 16, 7]];
    const probes = ['2a', '2001', '2001c', '2001d0', '20010d', '2001d8', '2001d9', '200f', '3'].map(at);
    const rand = seededRandom(5);
    for (let round = 0; round < 3; round++) {
      const ref = new Reference();
      for (const [hex, len, value] of [...prefixes].sort(() => rand() - 0.5)) {
        table.set(at(hex), len, value);
        ref.set(at(hex), len, value);
        for (const a of probes) expect(table.lookup(a), key(a)).toBe(ref.lookup(a));
      }
      for (const [hex, len] of [...prefixes].sort(() => rand() - 0.5)) {
        table.delete(at(hex), len);
        ref.delete(at(hex), len);
        for (const a of probes) expect(table.lookup(a), key(a)).toBe(ref.lookup(a));
      }
    }
  });

  it('a run of sets in address order (setRun) publishes each /24 once, and answers the longest match', () => {
    const gen = generator(7);
    const sorted = Array.from({ length: 3000 }, () => gen.prefix()).filter((p) => p.len > 24).sort((a, b) => key(a.addr).localeCompare(key(b.addr)));
    const tbl24Stores: number[] = [];
    const { t } = fresh(LINES, { store: (array, index, value) => { if (array.length === TBL24_ENTRIES) tbl24Stores.push(index); Atomics.store(array, index, value); } });
    const ref = new Reference();
    t.setRun(() => sorted.forEach((p, i) => { t.set(p.addr, p.len, i + 1); ref.set(p.addr, p.len, i + 1); }));
    expect(tbl24Stores.length).toBe(new Set(sorted.map((p) => key(p.addr).slice(0, 6))).size);
    expect(t.usage().prefixes).toBe(ref.entries().length);
    for (const a of probes(ref, gen.address, 500)) expect(t.lookup(a), key(a)).toBe(ref.lookup(a));
    memory.tbl24.fill(0);
  });

  it('tells each load of a lookup, in order: the /24 table, then a /48\'s one sparse line, its header and the entry that answers', () => {
    const slash48 = hexAddr('2a001234abcd');
    table.set(slash48, 48, 5);
    const loads: string[] = [];
    expect(Dir6.read(memory, slash48, (array, index) => loads.push(array === memory.tbl24 ? `tbl24 ${index.toString(16)}` : `line ${Math.floor(index / LINE_WORDS)} word ${index % LINE_WORDS}`))).toBe(5);
    expect(loads).toEqual(['tbl24 2a0012', 'line 0 word 0', 'line 0 word 9']);
  });

  it('a change under a /24 of 3,000 prefixes stores a few words and takes a few lines, however many are under it', () => {
    const rand = seededRandom(5);
    const stores: number[] = [];
    const { t } = fresh(LINES, { store: (array, index, value) => { stores.push(index); Atomics.store(array, index, value); } });
    const ref = new Reference();
    for (let i = 0; i < 3000; i++) {
      const a = hexAddr('2a0012');
      for (let b = 3; b < 6; b++) a[b] = Math.floor(rand() * 256);
      const len = [32, 40, 44, 48][Math.floor(rand() * 4)]!;
      t.set(masked(a, len), len, i + 1);
      ref.set(masked(a, len), len, i + 1);
    }
    const used = t.usage().used;
    for (const p of ref.entries().slice(0, 200)) {
      stores.length = 0;
      t.set(p.addr, p.len, p.value + 10_000);
      ref.set(p.addr, p.len, p.value + 10_000);
      // its node, the entry that points at it, and the defaults of the nodes right under it
      expect(stores.length).toBeLessThanOrEqual(1 + 256);
      expect(t.usage().used - used).toBeLessThanOrEqual(17);
    }
    const deep = ref.entries().find((p) => p.len === 48)!;
    stores.length = 0;
    t.set(deep.addr, 48, 1);
    ref.set(deep.addr, 48, 1);
    expect(stores.length).toBe(1);
    for (const a of probes(ref, () => hexAddr('2a0012'), 0).slice(0, 2000)) expect(t.lookup(a), key(a)).toBe(ref.lookup(a));
    memory.tbl24.fill(0);
  });

  it('4,000 /64s of one /48 through one next hop (one run): a change reads a bounded share of them, not all', () => {
    const { t } = fresh(LINES);
    const ref = new Reference();
    const at = (i: number): Uint8Array => hexAddr(`20010db80001${i.toString(16).padStart(4, '0')}`);
    for (let i = 0; i < 4000; i++) {
      t.set(at(i), 64, 7);
      ref.set(at(i), 64, 7);
    }
    // the work of a change, counted where it reads a prefix of a node: remaking a node's runs from all of its ends each time made a stream of these quadratic
    const reads = vi.spyOn(Node6.prototype, 'endSpan');
    t.set(at(4000), 64, 7);
    ref.set(at(4000), 64, 7);
    t.delete(at(17), 64);
    ref.delete(at(17), 64);
    expect(reads.mock.calls.length).toBeLessThanOrEqual(2 * 256);
    reads.mockRestore();
    const rand = seededRandom(9);
    for (const a of probes(ref, () => at(Math.floor(rand() * 4100)), 500)) expect(t.lookup(a), key(a)).toBe(ref.lookup(a));
    memory.tbl24.fill(0);
  });

  it('with too few lines, marks the /24 for the trie, then builds its nodes once lines free', () => {
    const retired: Array<() => void> = [];
    const { t } = fresh(2, { retire: (reclaim) => retired.push(reclaim) });
    const a48 = hexAddr('2a000001000200');
    const b48 = hexAddr('2a010002000300');
    const b32 = masked(b48, 32);
    t.set(a48, 48, 1);
    t.set(a48.slice().fill(0, 3), 24, 4);
    t.set(masked(b48, 24), 24, 5);
    t.set(b48, 48, 2);
    t.set(hexAddr('2a0100020004'), 48, 6); // the second /24 needs two lines of the one left
    expect(t.usage().marked).toBe(1);
    expect(t.lookup(b48)).toBe(TRIE_MARK);
    // the marked /24 is the trie's alone, and the model goes on under it
    t.set(b32, 32, 3);
    expect(t.lookup(b48)).toBe(TRIE_MARK);
    t.delete(a48, 48);
    expect(t.lookup(a48)).toBe(4);
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
    memory.tbl24.fill(0);
  });

  it('reuses freed lines only after their grace period, and the old lines keep their answers meanwhile', () => {
    const retired: Array<() => void> = [];
    const { t, mem } = fresh(LINES, { retire: (reclaim) => retired.push(reclaim) });
    const a = hexAddr('2a0000010000');
    t.set(a, 40, 4);
    const pointer = mem.tbl24[(a[0]! << 16) | (a[1]! << 8) | a[2]!]!;
    t.delete(a, 40);
    expect(t.lookup(a)).toBe(0);
    t.set(hexAddr('2a0000020000'), 40, 8);
    // a reader that read the pointer before the delete still finds the /40
    const held = { tbl24: new Uint32Array(TBL24_ENTRIES), lines: mem.lines };
    held.tbl24[0] = pointer;
    expect(Dir6.read(held, new Uint8Array([0, 0, 0, ...a.subarray(3)]))).toBe(4);
    expect(t.usage().retiring).toBe(1);
    for (const reclaim of retired.splice(0)) reclaim();
    expect(t.usage().retiring).toBe(0);
    expect(t.usage().used).toBe(1);
    memory.tbl24.fill(0);
  });

  it('adopts live arrays: their nodes answer until a grace period, then its own, the same, and it goes on from there', () => {
    const gen = generator(9);
    const ref = new Reference();
    const { t: first, mem: live } = fresh(LINES);
    for (let i = 0; i < 800; i++) {
      const p = gen.prefix();
      first.set(p.addr, p.len, i + 1);
      ref.set(p.addr, p.len, i + 1);
    }
    const lookups = probes(ref, gen.address, 2000);
    // the same record: not one store, the same answers, from the previous run's nodes until the grace period
    const stores: number[] = [];
    const retired: Array<() => void> = [];
    const options = {
      retire: (reclaim: () => void) => retired.push(reclaim),
      store: (array: Uint32Array, index: number, value: number): void => {
        stores.push(index);
        Atomics.store(array, index, value);
      },
    };
    const same = Dir6.adopt(live, ref.entries(), options);
    expect(stores).toEqual([]);
    expect(same.usage().prefixes).toBe(ref.entries().length);
    for (const a of lookups) expect(same.lookup(a), key(a)).toBe(ref.lookup(a));
    for (const reclaim of retired.splice(0)) reclaim();
    expect(same.usage().marked).toBe(0);
    for (const a of lookups) expect(same.lookup(a), key(a)).toBe(ref.lookup(a));
    // a record that differs from the arrays (the previous run died half-way): each address its old answer, the new one or the trie's
    const old = new Reference();
    for (const p of ref.entries()) old.set(p.addr, p.len, p.value);
    for (let i = 0; i < 20; i++) {
      const p = gen.prefix();
      ref.set(p.addr, p.len, 5000 + i);
    }
    const second = Dir6.adopt(live, ref.entries(), { retire: (reclaim) => retired.push(reclaim) });
    for (const a of probes(ref, gen.address, 2000)) expect([ref.lookup(a), old.lookup(a), TRIE_MARK], key(a)).toContain(second.lookup(a));
    for (const reclaim of retired.splice(0)) reclaim();
    expect(second.usage().marked).toBe(0);
    for (const a of probes(ref, gen.address, 2000)) expect(second.lookup(a), key(a)).toBe(ref.lookup(a));
    for (const p of ref.entries().slice(0, 100)) {
      second.delete(p.addr, p.len);
      ref.delete(p.addr, p.len);
    }
    for (const a of probes(ref, gen.address, 500)) expect(second.lookup(a), key(a)).toBe(ref.lookup(a));
    // the previous runs' lines came back: all of them once every prefix is gone
    for (const reclaim of retired.splice(0)) reclaim();
    for (const p of ref.entries()) second.delete(p.addr, p.len);
    for (const reclaim of retired.splice(0)) reclaim();
    expect(second.usage()).toMatchObject({ prefixes: 0, used: 0, retiring: 0, marked: 0 });
    memory.tbl24.fill(0);
  });
});
