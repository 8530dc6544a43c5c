// The sync shares one next-hop (or group) id among the routes that use the
// same next hop, counted, and gives it back to the fast path with the last.
import { describe, expect, it } from 'vitest';
import { RefCountedIds } from '../../router/sync/nexthop-ids.js';

/** The fast path's side: ids handed out in turn, and the ones given back. */
function slots(): { take: () => number; release: (id: number) => void; released: number[] } {
  let next = 1;
  const released: number[] = [];
  return { take: () => next++, release: (id) => released.push(id), released };
}

describe('RefCountedIds', () => {
  it('shares an id per key, counted, and gives it back with the last holder', () => {
    const s = slots();
    const ids = new RefCountedIds(s);
    expect(ids.acquire('a')).toEqual({ id: 1, created: true });
    expect(ids.acquire('a')).toEqual({ id: 1, created: false });
    expect(ids.acquire('b')).toEqual({ id: 2, created: true });
    ids.release('a');
    expect(s.released).toEqual([]);
    ids.release('a');
    expect(s.released).toEqual([1]);
    // a key let go of takes a new id when it comes back
    expect(ids.acquire('a')).toEqual({ id: 3, created: true });
  });

  it('gives nothing back for a key it does not hold', () => {
    const s = slots();
    const ids = new RefCountedIds(s);
    ids.release('never acquired');
    expect(s.released).toEqual([]);
  });
});
