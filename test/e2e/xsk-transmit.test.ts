// XskSocket.transmitRepeatedly, the forward benchmark's AF_XDP generator:
// count frames, cycling through the given ones, from a worker thread, out
// of a real veth whose peer counts them, as fast as it can or paced; the
// socket is the worker's until the promise settles.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addon } from '../../dataplane/native.js';
import type { XskSocket } from '../../dataplane/native.js';
import { createNetns, deleteNetns, ifindexOf, ip, run } from '../../router/lab/netns.js';

const NS = `xrt-xsktx-${process.pid}`;
const FRAMES = 100_000;

/** a broadcast Ethernet frame of 64 bytes with an unknown EtherType: counted on receive, then dropped */
function frame(tag: number): Buffer {
  const f = Buffer.alloc(64);
  f.fill(0xff, 0, 6);
  f.writeUInt16BE(0x88b5, 12); // IEEE 802 local experimental
  f[14] = tag;
  return f;
}

async function rxPackets(dev: string): Promise<number> {
  const out = await run(['cat', `/sys/class/net/${dev}/statistics/rx_packets`], NS);
  return Number(out.trim());
}

describe('XskSocket.transmitRepeatedly', () => {
  let socket: XskSocket;

  beforeAll(async () => {
    await createNetns(NS);
    await ip(['link', 'add', 'x0', 'type', 'veth', 'peer', 'name', 'x1'], NS);
    for (const dev of ['x0', 'x1']) await ip(['link', 'set', dev, 'up'], NS);
    socket = new addon.XskSocket({ ifindex: await ifindexOf(NS, 'x0'), queue: 0, netns: `/run/netns/${NS}`, frameCount: 256, ringSize: 64, bind: 'copy' });
  });
  afterAll(async () => {
    socket?.close();
    await deleteNetns(NS);
  });

  it('sends count frames, in turn, and the peer receives them all', async () => {
    const before = await rxPackets('x1');
    const sent = socket.transmitRepeatedly([frame(1), frame(2), frame(3)], FRAMES);
    // the socket is lent to the worker meanwhile
    expect(() => socket.transmit([frame(4)])).toThrow(expect.objectContaining({ code: 'EBUSY' }));
    expect(() => socket.close()).toThrow(expect.objectContaining({ code: 'EBUSY' }));
    expect(await sent).toBe(FRAMES);
    expect(socket.stats().transmitted).toBe(FRAMES);
    // a veth delivers synchronously; the peer's kernel may add a few frames of its own (IPv6 ND)
    const received = (await rxPackets('x1')) - before;
    expect(received).toBeGreaterThanOrEqual(FRAMES);
    expect(received).toBeLessThan(FRAMES + 20);
  });

  it('paced, sends a frame every intervalNs: count frames take count intervals, not less', async () => {
    const paced = 20_000;
    const intervalNs = 20_000; // 50,000 frames/s: 400 ms
    const before = await rxPackets('x1');
    const t0 = performance.now();
    expect(await socket.transmitRepeatedly([frame(6)], paced, intervalNs)).toBe(paced);
    const ms = performance.now() - t0;
    // the last frame's turn comes (paced - 1) intervals after the first; a stall catches up by 32 frames at most
    expect(ms).toBeGreaterThanOrEqual(((paced - 1 - 32) * intervalNs) / 1e6);
    expect((await rxPackets('x1')) - before).toBeGreaterThanOrEqual(paced);
  });

  it('refuses frames it cannot send, and gives the socket back', async () => {
    await expect(socket.transmitRepeatedly([], 10)).rejects.toThrow(/no frames to transmit/);
    await expect(socket.transmitRepeatedly([Buffer.alloc(10)], 10)).rejects.toThrow(/a frame of 10 bytes; a frame is 14 to 2048 bytes/);
    expect(socket.transmit([frame(5)])).toBe(1);
  });
});
