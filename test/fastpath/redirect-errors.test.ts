// Refused redirects at the tracepoints, in isolation: live frames (test runs
// that really redirect) out of the fixture's veth out1, whose peer takes a
// redirected frame only with GRO on and only up to its MTU. The tracing
// programs move what it refuses from forwarded to drop-redirect of the
// interface the frame came in on: a tagged frame's VLAN interface too.
import { mkdirSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestContext } from 'vitest';
import { perCpuSize } from '../../dataplane/entry-codecs.js';
import { counter, iface, ifaceKey, REASONS, u32, VLAN_NONE } from '../../dataplane/layout.js';
import { addon } from '../../dataplane/native.js';
import { RedirectErrors } from '../../dataplane/redirect-errors.js';
import type { NativeError } from '../../dataplane/native.js';
import { run } from '../../router/lab/netns.js';
import { ipv4Frame } from '../../support/frames.js';
import type { EthSpec } from '../../support/frames.js';
import { createFixture, MAC } from './fixture.js';
import type { Device, Fixture } from './fixture.js';

const PIN_DIR = `/sys/fs/bpf/xrt-rerr-${process.pid}`;
const FRAMES = 32;
/** out1's peer MTU in the flush case: below the big frame, above the small one */
const PEER_MTU = 1000;
const BIG_PAYLOAD = 1200;
const IN: EthSpec = { dst: MAC.routerIn, src: MAC.hostA };
/** 198.51.100.64/26 leaves by out1 via 198.51.100.2 */
const VIA_OUT1 = { src: '192.0.2.10', dst: '198.51.100.70' };

describe('redirects the egress device refuses, counted at the tracepoints', () => {
  let fixture: Fixture;
  let counting: RedirectErrors | undefined;
  /** false where the kernel refuses live frames (EPERM): nothing here can run */
  let live = true;

  beforeAll(async () => {
    fixture = await createFixture('rerr');
    mkdirSync(PIN_DIR);
    counting = await RedirectErrors.attach(fixture.fp, PIN_DIR);
    await fixture.fp.program.runLiveFrames({ data: ipv4Frame(IN, VIA_OUT1), repeat: 1, ingressIfindex: fixture.ifindex.in0 }).catch((err: NativeError) => {
      if (err.code !== 'EPERM') throw err;
      live = false;
    });
  });

  afterAll(async () => {
    try {
      counting?.detach('all');
      await fixture?.teardown();
    } finally {
      rmSync(PIN_DIR, { recursive: true, force: true });
    }
  });

  const packets = async (device: Device): Promise<{ forwarded: bigint; refused: bigint }> => ({
    forwarded: await fixture.fp.packets('forwarded', fixture.ifindex[device]),
    refused: await fixture.fp.packets('drop-redirect', fixture.ifindex[device]),
  });

  /** send FRAMES copies of a frame in on in0; what moved on `device` */
  const send = async (ctx: TestContext, frame: Buffer, device: Device): Promise<{ forwarded: bigint; refused: bigint }> => {
    if (!live) ctx.skip();
    const before = await packets(device);
    await fixture.fp.program.runLiveFrames({ data: frame, repeat: FRAMES, ingressIfindex: fixture.ifindex.in0 });
    const after = await packets(device);
    return { forwarded: after.forwarded - before.forwarded, refused: after.refused - before.refused };
  };

  const withPeer = async <T>(settings: string[], undo: string[], body: () => Promise<T>): Promise<T> => {
    await run(settings, fixture.ns);
    try {
      return await body();
    } finally {
      await run(undo, fixture.ns);
    }
  };
  const groOn = (body: () => Promise<unknown>): Promise<unknown> => withPeer(['ethtool', '-K', 'out1p', 'gro', 'on'], ['ethtool', '-K', 'out1p', 'gro', 'off'], body);

  it('refused at once (the peer has neither XDP nor GRO): drop-redirect, forwarded gives them back', async (ctx) => {
    expect(await send(ctx, ipv4Frame(IN, VIA_OUT1), 'in0')).toEqual({ forwarded: 0n, refused: BigInt(FRAMES) });
  });

  it('a tagged frame is counted under its VLAN interface, and so is its refusal', async (ctx) => {
    // a refusal is taken from in0's own forwarded count before its VLANs'
    // (redirect_errors.c): what other cases forwarded on in0 goes first
    const in0 = fixture.fp.map('xr_ifaces').lookup(ifaceKey.encode({ ifindex: fixture.ifindex.in0, vlan_id: VLAN_NONE }));
    if (!in0) throw new Error('in0 is not in xr_ifaces: the fixture set it up');
    const forwarded = u32.encode({ value: iface.decode(in0).slot * REASONS.length + REASONS.indexOf('forwarded') });
    fixture.fp.map('xr_counters').update(forwarded, Buffer.alloc(perCpuSize(counter.size, addon.possibleCpus())));
    const before = await packets('in0');
    expect(await send(ctx, ipv4Frame({ ...IN, vlan: 200 }, VIA_OUT1), 'in0.200')).toEqual({ forwarded: 0n, refused: BigInt(FRAMES) });
    expect(await packets('in0')).toEqual(before);
  });

  it('taken (the peer has GRO): forwarded, nothing moved', async (ctx) => {
    await groOn(async () => expect(await send(ctx, ipv4Frame(IN, VIA_OUT1), 'in0')).toEqual({ forwarded: BigInt(FRAMES), refused: 0n }));
  });

  it('refused at the devmap flush (over the peer\'s MTU): drop-redirect too', async (ctx) => {
    const big = ipv4Frame(IN, { ...VIA_OUT1, payload: Buffer.alloc(BIG_PAYLOAD) });
    await groOn(() =>
      withPeer(['ip', 'link', 'set', 'out1p', 'mtu', String(PEER_MTU)], ['ip', 'link', 'set', 'out1p', 'mtu', '1500'], async () => {
        expect(await send(ctx, big, 'in0')).toEqual({ forwarded: 0n, refused: BigInt(FRAMES) });
        // a frame the peer can take still goes
        expect(await send(ctx, ipv4Frame(IN, VIA_OUT1), 'in0')).toEqual({ forwarded: BigInt(FRAMES), refused: 0n });
      }),
    );
  });
});
