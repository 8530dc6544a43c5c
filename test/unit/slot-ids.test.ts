// Next-hop and group ids index array maps: they stay below the map's size,
// an id let go of keeps its entry and stays out of use until its grace
// period ends, and a previous run's ids stay out of use until released.
import { describe, expect, it } from 'vitest';
import { SlotIds } from '../../dataplane/slot-ids.js';

/** A SlotIds whose grace periods end when the test says, and the slots it cleared. */
function slots(limit: number): { ids: SlotIds; cleared: number[]; endGracePeriod: () => void } {
  const cleared: number[] = [];
  let waiting: Array<() => void> = [];
  const ids = new SlotIds(limit, 'next-hop id', (id) => cleared.push(id), (reclaim) => waiting.push(reclaim));
  const endGracePeriod = (): void => {
    const now = waiting;
    waiting = [];
    for (const reclaim of now) reclaim();
  };
  return { ids, cleared, endGracePeriod };
}

describe('SlotIds', () => {
  // a reader may still follow a released id to its entry: neither cleared
  // nor handed out until the grace period ends; a reserved id (a previous
  // run's) is out of use until released, the same way
  const cases = [
    { what: 'an id it handed out', limit: 16, reserved: [], first: [1, 2], released: 1, meanwhile: 3 },
    { what: 'a reserved id', limit: 8, reserved: [1, 2, 4], first: [3, 5, 6], released: 2, meanwhile: 7 },
  ];
  for (const c of cases) {
    it(`keeps ${c.what}, released, and its entry until the grace period ends`, () => {
      const { ids, cleared, endGracePeriod } = slots(c.limit);
      ids.reserve(c.reserved);
      expect(c.first.map(() => ids.take())).toEqual(c.first);
      ids.release(c.released);
      expect(cleared).toEqual([]);
      expect(ids.take()).toBe(c.meanwhile);
      endGracePeriod();
      expect(cleared).toEqual([c.released]);
      expect(ids.take()).toBe(c.released);
    });
  }

  it('stays below its limit however long the churn goes on', () => {
    const { ids, endGracePeriod } = slots(8);
    for (let round = 0; round < 1000; round++) {
      const id = ids.take();
      expect(id).toBeGreaterThan(0);
      expect(id).toBeLessThan(8);
      // a few stay held, the rest come and go, each grace period over by the next round
      if (round % 200 !== 0) ids.release(id);
      endGracePeriod();
    }
    ids.take();
    ids.take();
    expect(() => ids.take()).toThrow('no free next-hop id: all 7 are in use');
  });

  it('never hands out twice a reserved id that lies ahead of the ids handed out so far', () => {
    const { ids, endGracePeriod } = slots(16);
    ids.reserve([1, 5]);
    expect([ids.take(), ids.take()]).toEqual([2, 3]);
    ids.release(1);
    ids.release(5);
    endGracePeriod();
    const next = [ids.take(), ids.take(), ids.take(), ids.take()];
    expect(next.sort((a, b) => a - b)).toEqual([1, 4, 5, 6]);
  });

  it('clears an id released twice once: by the second grace period it may be another entry', () => {
    const { ids, cleared, endGracePeriod } = slots(8);
    const id = ids.take();
    ids.release(id);
    ids.release(id);
    endGracePeriod();
    expect(cleared).toEqual([id]);
  });

  it('tryTake: undefined rather than a throw when every id is in use or waiting; a reserved id out of range is refused', () => {
    const { ids, endGracePeriod } = slots(5);
    ids.reserve([2]);
    expect([ids.take(), ids.take(), ids.take()]).toEqual([1, 3, 4]);
    expect(ids.tryTake()).toBeUndefined();
    ids.release(3);
    expect(ids.tryTake()).toBeUndefined();
    endGracePeriod();
    expect(ids.tryTake()).toBe(3);
    expect(() => ids.reserve([5])).toThrow(/out of range 1\.\.4/);
  });
});
