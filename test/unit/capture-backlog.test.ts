// A capture client that falls behind: frames beyond the backlog are skipped
// rather than held in the daemon, and the next frame that gets through
// says how many the client missed.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { capturePackets } from '../../router/api/punt-service.js';
import type { CapturedPacketView, PuntManager } from '../../router/punt/manager.js';

type Call = Parameters<ReturnType<typeof capturePackets>>[0];

describe('CapturePackets and a slow client', () => {
  it('skips what does not fit and reports the count with the next frame', () => {
    let deliver: (p: CapturedPacketView) => void = () => undefined;
    const manager = {
      capture(_req: unknown, listener: (p: CapturedPacketView) => void) {
        deliver = listener;
        return () => undefined;
      },
    } as unknown as PuntManager;
    const written: Array<{ skippedBefore: string; timeNs: string }> = [];
    const call = Object.assign(new EventEmitter(), {
      request: { filter: null },
      writableLength: 0,
      write: (m: { skippedBefore: string; timeNs: string }) => written.push(m),
      end: () => undefined,
    });
    capturePackets(() => manager)(call as unknown as Call);

    const frame = (n: number): CapturedPacketView => ({ interface: 'r0', queue: 0, timeNs: BigInt(n), data: Buffer.alloc(60) });
    deliver(frame(1));
    call.writableLength = 10_000; // the client stopped reading
    for (let n = 2; n <= 4; n++) deliver(frame(n));
    call.writableLength = 0;
    deliver(frame(5));
    deliver(frame(6));
    expect(written.map((m) => [m.timeNs, m.skippedBefore])).toEqual([
      ['1', '0'],
      ['5', '3'],
      ['6', '0'],
    ]);
  });
});
