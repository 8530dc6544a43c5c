// The forward benchmark's throughput search (RFC 2544's throughput with a
// loss tolerance) against paths of known capacity: a path that carries up
// to `capacity` Mpps and loses the excess above it.
import { describe, expect, it } from 'vitest';
import { searchThroughput } from '../../bench/throughput-search.js';
import type { SearchOptions, Trial } from '../../bench/throughput-search.js';

/** a trial through a path of this capacity; the generator sends at most `generatorMost` */
function pathOf(capacity: number, generatorMost = Infinity): { trial: (mpps: number) => Promise<Trial>; asked: number[] } {
  const asked: number[] = [];
  return {
    asked,
    trial: async (mpps) => {
      asked.push(mpps);
      const offered = Math.min(mpps, generatorMost);
      const carried = Math.min(offered, capacity);
      const sent = Math.round(offered * 1e6);
      const received = Math.round(carried * 1e6);
      return { askedMpps: mpps, offeredMpps: offered, mpps: carried, sent, received, loss: (sent - received) / sent };
    },
  };
}

const OPTIONS: SearchOptions = { startMpps: 1, ceilingMpps: 14, lossTolerance: 0.001, resolution: 0.05, maxTrials: 6 };

describe('throughput search', () => {
  it.each<[string, number, Partial<SearchOptions>]>([
    ['the flood overloaded it: carried less than its capacity', 1.2, { startMpps: 0.9 }],
    ['the flood carried more than it forwards without loss', 0.8, { startMpps: 1 }],
    ['far below the flood', 0.3, { startMpps: 1 }],
  ])('%s', async (_, capacity, options) => {
    const path = pathOf(capacity);
    const { best, trials } = await searchThroughput(path.trial, { ...OPTIONS, ...options });
    expect(trials.length).toBeLessThanOrEqual(OPTIONS.maxTrials);
    expect(best).not.toBeNull();
    // within the trials' budget the passing rate is under the capacity and close to it
    expect(best!.askedMpps).toBeLessThanOrEqual(capacity);
    expect(best!.askedMpps).toBeGreaterThan(capacity * 0.75);
    expect(best!.loss).toBeLessThanOrEqual(OPTIONS.lossTolerance);
    // the answer is the highest passing trial
    expect(Math.max(...trials.filter((t) => t.loss <= OPTIONS.lossTolerance).map((t) => t.askedMpps))).toBe(best!.askedMpps);
  });

  it('stops once a pass and a failure are within the resolution', async () => {
    const path = pathOf(1.0);
    const { best, trials } = await searchThroughput(path.trial, { ...OPTIONS, startMpps: 0.98, maxTrials: 20 });
    const failing = Math.min(...trials.filter((t) => t.loss > OPTIONS.lossTolerance).map((t) => t.askedMpps));
    expect(failing - best!.askedMpps).toBeLessThanOrEqual(failing * OPTIONS.resolution);
    expect(trials.length).toBeLessThan(20);
  });

  it('never asks for the flood rate, which is known to fail', async () => {
    const path = pathOf(100);
    await searchThroughput(path.trial, { ...OPTIONS, startMpps: 14 });
    expect(Math.max(...path.asked)).toBeLessThan(OPTIONS.ceilingMpps);
  });

  it('answers null when every trial loses more than the tolerance', async () => {
    const path = pathOf(0);
    const { best, trials } = await searchThroughput(path.trial, OPTIONS);
    expect(best).toBeNull();
    expect(trials).toHaveLength(OPTIONS.maxTrials);
  });

  it('refuses rates of 0', async () => {
    await expect(searchThroughput(pathOf(1).trial, { ...OPTIONS, startMpps: 0 })).rejects.toThrow(/above 0 Mpps/);
  });
});
