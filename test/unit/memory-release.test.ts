// When the daemon hands memory back: after a full sync at once, after a
// burst of route changes once it has gone quiet, never in the middle of one
// (what the addon's release does: test/fastpath/release-memory.test.ts).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MemoryRelease } from '../../router/sync/memory-release.js';

describe('MemoryRelease', () => {
  let releases: number;
  let failures: Error[];
  let release: MemoryRelease;

  beforeEach(() => {
    vi.useFakeTimers();
    releases = 0;
    failures = [];
    release = new MemoryRelease({
      release: async () => {
        releases++;
      },
      log: { info: () => undefined, warn: (_msg, fields) => failures.push(fields!.err as Error) },
      afterChanges: 100,
      quietMs: 1_000,
    });
  });
  afterEach(() => {
    release.stop();
    vi.useRealTimers();
  });

  it('releases at once after a full sync', async () => {
    release.now();
    await vi.runAllTimersAsync();
    expect(releases).toBe(1);
  });

  it('releases once a burst has been quiet for a while, and not for a trickle', async () => {
    release.changed(60);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(releases).toBe(0);
    release.changed(60);
    await vi.advanceTimersByTimeAsync(999);
    expect(releases).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(releases).toBe(1);
    // the count starts again after a release
    release.changed(60);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(releases).toBe(1);
  });

  it('waits while the changes go on', async () => {
    for (let i = 0; i < 20; i++) {
      release.changed(100);
      await vi.advanceTimersByTimeAsync(500);
    }
    expect(releases).toBe(0);
    await vi.advanceTimersByTimeAsync(500);
    expect(releases).toBe(1);
  });

  it('a full sync takes the place of a pending release; stop cancels one', async () => {
    release.changed(100);
    release.now();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(releases).toBe(1);
    release.changed(100);
    release.stop();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(releases).toBe(1);
  });

  it('tells a failure, does not throw it', async () => {
    const failing = new MemoryRelease({ release: () => Promise.reject(new Error('no')), log: { info: () => undefined, warn: (_msg, fields) => failures.push(fields!.err as Error) } });
    failing.now();
    await vi.runAllTimersAsync();
    expect(failures.map((e) => e.message)).toEqual(['no']);
  });
});
