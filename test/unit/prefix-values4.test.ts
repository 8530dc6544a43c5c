// The IPv4 index writer's prefix record against a Map, over random sets and
// deletes crowded into few addresses (long probe runs, deletes that shift
// entries back across the end of the slots), and through its growth.
import { describe, expect, it } from 'vitest';
import { PrefixValues4 } from '../../dataplane/prefix-values4.js';

/** xorshift32: the same operations on every run */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

describe('PrefixValues4', () => {
  for (const seed of [1, 7, 2024]) {
    it(`answers as a Map over 60,000 random sets and deletes (seed ${seed})`, () => {
      const rnd = random(seed);
      const table = new PrefixValues4();
      const model = new Map<string, number>();
      // a few hundred addresses of every length: the same address under several lengths, and the high bit set
      const addrs = Array.from({ length: 300 }, () => Math.floor(rnd() * 2 ** 32) >>> 0);
      for (let op = 0; op < 60_000; op++) {
        const addr = addrs[Math.floor(rnd() * addrs.length)]!;
        const len = Math.floor(rnd() * 33);
        const key = `${addr}/${len}`;
        if (rnd() < 0.55) {
          const value = 1 + Math.floor(rnd() * 0x7fffffff);
          table.set(addr, len, value);
          model.set(key, value);
        } else {
          expect(table.delete(addr, len)).toBe(model.delete(key));
        }
        if (op % 997 === 0) {
          for (const a of addrs) for (let l = 0; l <= 32; l++) expect(table.get(a, l)).toBe(model.get(`${a}/${l}`));
        }
      }
      expect(table.size).toBe(model.size);
      for (const [key, value] of model) {
        const [a, l] = key.split('/').map(Number);
        expect(table.has(a!, l!)).toBe(true);
        expect(table.get(a!, l!)).toBe(value);
      }
    });
  }

  it('keeps every prefix through growth, and clear() forgets them all', () => {
    const table = new PrefixValues4();
    for (let i = 0; i < 100_000; i++) table.set((i * 2654435761) >>> 0, i % 33, i + 1);
    expect(table.size).toBe(100_000);
    for (let i = 0; i < 100_000; i++) expect(table.get((i * 2654435761) >>> 0, i % 33)).toBe(i + 1);
    expect(table.get(0, 1)).toBeUndefined();
    table.clear();
    expect(table.size).toBe(0);
    expect(table.has(0, 0)).toBe(false);
  });
});
