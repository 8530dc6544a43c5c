// The router's IPv6 addresses behind xr_local6_filter: the program looks a
// destination up in xr_local6 only when the filter's bit for it is set. So
// the bit the daemon computes must be the bit the program reads, a bit may
// never be clear under an address, and an address that only shares a bit
// with one of the router's is still forwarded. Runs the real program
// through BPF_PROG_TEST_RUN.
import { existsSync, rmSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatAddress, parseAddress } from '../../dataplane/addr.js';
import { FastPath } from '../../dataplane/fastpath.js';
import type { Reason } from '../../dataplane/layout.js';
import { local6FilterBit, local6FilterWords } from '../../dataplane/local6-filter.js';
import { createNetns, deleteNetns, ifindexOf, ip } from '../../router/lab/netns.js';
import { ipv6Frame } from '../../support/frames.js';

const ROUTER_MAC = '02:00:00:00:00:01';
const HOST_MAC = '02:00:00:00:00:0a';
const GATEWAY_MAC = '02:00:00:00:01:02';
/** every destination of the test is in this route's prefix, so what is not local is forwarded */
const ROUTED = '2001:db8:20::/48';
const LOCAL = '2001:db8:20::1';
/** LOCAL with its last two words swapped: the same XOR, so the same bit, and not an address of the router */
const SHARES_LOCAL_BIT = '2001:db8:20::1:0:0';

const ns = `xrt-local6-${process.pid}`;
const pinDir = `/sys/fs/bpf/xrt-local6-${process.pid}`;
let fp: FastPath;
const ifindex = { in: 0, out: 0 };

const addr = (text: string): Buffer => parseAddress(text)!.addr;

/** What the program decided for a frame to dst, as the counter it moved. */
async function reasonFor(dst: string): Promise<Reason> {
  const before = await fp.counters();
  await fp.testRun({ data: ipv6Frame({ dst: ROUTER_MAC, src: HOST_MAC }, { src: '2001:db8:1::10', dst }), ingressIfindex: ifindex.in });
  const moved = (await fp.counters()).filter((row) => row.packets !== (before.find((b) => b.ifindex === row.ifindex && b.reason === row.reason)?.packets ?? 0n));
  expect(moved).toHaveLength(1);
  return moved[0]!.reason;
}

const words = (): Uint32Array => local6FilterWords(fp.map('xr_local6_filter'));

const bitIsSet = (address: string): boolean => {
  const bit = local6FilterBit(addr(address));
  return (Atomics.load(words(), bit >>> 5) & (1 << (bit & 31))) !== 0;
};

/** Flip the address's bit behind the daemon's back; returns how to put it back. */
function flipBit(address: string): () => void {
  const bit = local6FilterBit(addr(address));
  const w = words();
  const was = Atomics.load(w, bit >>> 5);
  Atomics.store(w, bit >>> 5, was ^ (1 << (bit & 31)));
  return () => Atomics.store(w, bit >>> 5, was);
}

/** Addresses under ROUTED that differ in every word, from a fixed seed. */
function spreadAddresses(count: number): string[] {
  let x = 0x2545f491;
  const next = (): number => (x = (Math.imul(x, 1103515245) + 12345) >>> 0);
  return Array.from({ length: count }, () => {
    const a = addr('2001:db8:20::');
    for (let i = 6; i < 16; i += 2) a.writeUInt16BE(next() >>> 16, i);
    return formatAddress(a);
  });
}

beforeAll(async () => {
  await createNetns(ns);
  for (const dev of ['in0', 'out0']) {
    await ip(['link', 'add', dev, 'type', 'veth', 'peer', 'name', `${dev}p`], ns);
    await ip(['link', 'set', dev, 'up'], ns);
    await ip(['link', 'set', `${dev}p`, 'up'], ns);
  }
  ifindex.in = await ifindexOf(ns, 'in0');
  ifindex.out = await ifindexOf(ns, 'out0');
  fp = await FastPath.open({ netns: ns, pinDir });
  fp.setInterface(ifindex.in, { mac: ROUTER_MAC, mtu: 1500, up: true });
  fp.setInterface(ifindex.out, { mac: '02:00:00:00:01:01', mtu: 1500, up: true });
  fp.setNexthop(1, { ifindex: ifindex.out, gateway: '2001:db8:2::2' });
  fp.setNeighbour(ifindex.out, '2001:db8:2::2', GATEWAY_MAC);
  fp.setRoute(ROUTED, { type: 'unicast', nexthop: 1 });
  fp.addLocalAddress(LOCAL, ifindex.in);
});

afterAll(async () => {
  fp?.unpin();
  fp?.close();
  if (existsSync(pinDir)) rmSync(pinDir, { recursive: true, force: true });
  await deleteNetns(ns);
});

describe("the router's IPv6 addresses behind xr_local6_filter", () => {
  it('an address of the router goes up; one that only shares its bit is forwarded', async () => {
    expect(local6FilterBit(addr(SHARES_LOCAL_BIT))).toBe(local6FilterBit(addr(LOCAL)));
    expect(await reasonFor(LOCAL)).toBe('pass-local');
    expect(await reasonFor(SHARES_LOCAL_BIT)).toBe('forwarded');
    expect(await fp.local6FilterMismatches()).toEqual([]);
  });

  it('the program reads the bit the daemon computes, for addresses that differ in every word', async () => {
    for (const a of spreadAddresses(16)) {
      expect(local6FilterBit(addr(a))).not.toBe(local6FilterBit(addr(LOCAL)));
      expect(await reasonFor(a)).toBe('forwarded');
      fp.addLocalAddress(a, ifindex.in);
      expect(await reasonFor(a)).toBe('pass-local');
      // with its bit cleared, the program skips the exact lookup: so it read that bit
      const putBack = flipBit(a);
      try {
        expect(await reasonFor(a)).toBe('forwarded');
        expect(await fp.local6FilterMismatches()).toEqual([a]);
      } finally {
        putBack();
      }
      fp.deleteLocalAddress(a);
      expect(await reasonFor(a)).toBe('forwarded');
    }
  });

  it("a bit two addresses share is cleared with the second's going, not the first's", async () => {
    fp.addLocalAddress(SHARES_LOCAL_BIT, ifindex.in);
    expect(await reasonFor(SHARES_LOCAL_BIT)).toBe('pass-local');
    fp.deleteLocalAddress(SHARES_LOCAL_BIT);
    expect(bitIsSet(LOCAL)).toBe(true);
    expect(await reasonFor(LOCAL)).toBe('pass-local');
    expect(await reasonFor(SHARES_LOCAL_BIT)).toBe('forwarded');
    fp.deleteLocalAddress(LOCAL);
    expect(bitIsSet(LOCAL)).toBe(false);
    expect(await reasonFor(LOCAL)).toBe('forwarded');
    fp.addLocalAddress(LOCAL, ifindex.in);
  });

  it('a start repairs the bits a dead run left: a missing one set, a stray one cleared', async () => {
    const [stray] = spreadAddresses(1);
    expect(local6FilterBit(addr(stray!)) >>> 5).not.toBe(local6FilterBit(addr(LOCAL)) >>> 5);
    flipBit(LOCAL);
    flipBit(stray!);
    expect(await fp.local6FilterMismatches()).toEqual([LOCAL]);
    fp.close();
    fp = await FastPath.open({ netns: ns, pinDir });
    expect(await fp.local6FilterMismatches()).toEqual([]);
    expect(bitIsSet(stray!)).toBe(false);
    expect(words().filter((w) => w !== 0)).toHaveLength(1);
    expect(await reasonFor(LOCAL)).toBe('pass-local');
  });

  it('an upgrade from a version without xr_local6_filter: the start fills a new array from xr_local6', async () => {
    fp.close();
    unlinkSync(join(pinDir, 'xr_local6_filter'));
    fp = await FastPath.open({ netns: ns, pinDir });
    expect(fp.adoptedPins).toBe(true);
    expect(bitIsSet(LOCAL)).toBe(true);
    expect(await reasonFor(LOCAL)).toBe('pass-local');
  });
});
