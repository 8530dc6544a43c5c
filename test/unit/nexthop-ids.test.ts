// Next-hop and group ids index array maps: they stay below the limit, are
// used again once recycled after their grace period (never before), and a
// previous run's ids stay out of use until the sync that replaces them
// gives them back.
import { describe, expect, it } from 'vitest';
import { RefCountedIds } from '../../router/sync/nexthop-ids.js';

describe('RefCountedIds', () => {
  it('shares an id per key, counted, and frees it with the last holder', () => {
    const ids = new RefCountedIds(16);
    expect(ids.acquire('a')).toEqual({ id: 1, created: true });
    expect(ids.acquire('a')).toEqual({ id: 1, created: false });
    expect(ids.acquire('b')).toEqual({ id: 2, created: true });
    expect(ids.release('a')).toBeUndefined();
    expect(ids.release('a')).toBe(1);
    expect(ids.holds(1)).toBe(false);
    // a reader may still follow id 1 to a's entry: not reused yet
    expect(ids.acquire('c')).toEqual({ id: 3, created: true });
    ids.recycle(1);
    expect(ids.acquire('d')).toEqual({ id: 1, created: true });
  });

  it('stays below its limit however long the churn goes on', () => {
    const ids = new RefCountedIds(8, 'next-hop id');
    for (let round = 0; round < 1000; round++) {
      const key = `k${round}`;
      expect(ids.acquire(key).id).toBeLessThan(8);
      // a few stay held, the rest come and go, each grace period over by the next round
      if (round % 200 !== 0) ids.recycle(ids.release(key)!);
    }
    expect(ids.size).toBe(5);
    ids.acquire('x');
    ids.acquire('y');
    expect(() => ids.acquire('one too many')).toThrow('no free next-hop id: all 7 are in use');
  });

  it('keeps reserved ids out of use until they are given back', () => {
    const ids = new RefCountedIds(8);
    ids.reserve([1, 2, 4]);
    expect([ids.acquire('a').id, ids.acquire('b').id, ids.acquire('c').id]).toEqual([3, 5, 6]);
    ids.unreserve(2);
    expect(ids.acquire('d').id).toBe(2);
    ids.unreserve(1);
    ids.unreserve(4);
    expect([ids.acquire('e').id, ids.acquire('f').id].sort()).toEqual([1, 4]);
  });
});
