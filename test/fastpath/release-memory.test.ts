// What the daemon's memory release (router/sync/memory-release.ts) does:
// the V8 heap's garbage collected at once and the heap shrunk, before the
// call returns, so that a quiet router does not keep its busiest minute's
// footprint.
import { describe, expect, it } from 'vitest';
import { addon } from '../../dataplane/native.js';

const MiB = 1024 * 1024;

describe('addon.releaseMemory', () => {
  it('collects the V8 heap at once and shrinks it', async () => {
    // garbage of some 100 MiB, in objects the young generation promotes: unreachable, not yet collected
    let garbage: Array<{ a: number[] }> | undefined = Array.from({ length: 400_000 }, (_, i) => ({ a: [i, i + 1, i + 2, i + 3, i + 4, i + 5, i + 6, i + 7] }));
    const held = process.memoryUsage();
    garbage = undefined;
    expect(garbage).toBeUndefined();
    const trimmed = addon.releaseMemory();
    // the collection is the call's, on this thread: the daemon times its pause around the call
    const after = process.memoryUsage();
    await trimmed;
    expect(after.heapUsed).toBeLessThan(held.heapUsed - 40 * MiB);
    expect(after.heapTotal).toBeLessThan(held.heapTotal - 40 * MiB);
  });
});
