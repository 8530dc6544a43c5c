// The interface a frame arrives on: found in xr_ingress's word (a device
// below L.INGRESS_DIRECT, untagged) or in xr_ifaces (a device above it).
// Both give the same decisions, the words follow every change of the
// interfaces, and a start repairs what a dead run left in them. Runs the
// real program through BPF_PROG_TEST_RUN.
import { existsSync, rmSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FastPath } from '../../dataplane/fastpath.js';
import * as L from '../../dataplane/layout.js';
import type { Reason } from '../../dataplane/layout.js';
import { createNetns, deleteNetns, ifindexOf, ip } from '../../router/lab/netns.js';
import { ipv4Frame } from '../../support/frames.js';

const ROUTER_MAC = '02:00:00:00:00:01';
const NEW_MAC = '02:00:00:00:00:11';
const HOST_MAC = '02:00:00:00:00:0a';
const GATEWAY_MAC = '02:00:00:00:01:02';
/** an ifindex above L.INGRESS_DIRECT: its device is found in xr_ifaces */
const BIG_IFINDEX = 5000;

const ns = `xrt-ingress-${process.pid}`;
const pinDir = `/sys/fs/bpf/xrt-ingress-${process.pid}`;
let fp: FastPath;
const ifindex = { small: 0, big: BIG_IFINDEX, out: 0 };

const toward = (mac: string): Buffer => ipv4Frame({ dst: mac, src: HOST_MAC }, { src: '192.0.2.10', dst: '203.0.113.5' });

/** A frame's verdict, and the counters it moved, as `ifindex reason` (0: a device the fast path does not know). */
async function decide(frame: Buffer, ingress: number): Promise<{ action: number; counted: string[] }> {
  const before = await fp.counters();
  const res = await fp.testRun({ data: frame, ingressIfindex: ingress });
  const after = await fp.counters();
  const counted = after
    .filter((row) => row.packets !== (before.find((b) => b.ifindex === row.ifindex && b.reason === row.reason)?.packets ?? 0n))
    .map((row) => `${row.ifindex} ${row.reason}`);
  return { action: res.retval, counted };
}

const counted = (ingress: number, reason: Reason): string[] => [`${ingress} ${reason}`];

const words = (): BigUint64Array => new BigUint64Array(fp.map('xr_ingress').memory(), 0, L.INGRESS_DIRECT);

beforeAll(async () => {
  await createNetns(ns);
  await ip(['link', 'add', 'small0', 'type', 'veth', 'peer', 'name', 'small0p'], ns);
  await ip(['link', 'add', 'big0', 'index', String(BIG_IFINDEX), 'type', 'veth', 'peer', 'name', 'big0p'], ns);
  await ip(['link', 'add', 'out0', 'type', 'veth', 'peer', 'name', 'out0p'], ns);
  for (const dev of ['small0', 'small0p', 'big0', 'big0p', 'out0', 'out0p']) await ip(['link', 'set', dev, 'up'], ns);
  ifindex.small = await ifindexOf(ns, 'small0');
  ifindex.out = await ifindexOf(ns, 'out0');
  expect(ifindex.small).toBeLessThan(L.INGRESS_DIRECT);
  expect(await ifindexOf(ns, 'big0')).toBe(BIG_IFINDEX);
  fp = await FastPath.open({ netns: ns, pinDir });
  for (const i of [ifindex.small, ifindex.big]) fp.setInterface(i, { mac: ROUTER_MAC, mtu: 1500, up: true });
  fp.setInterface(ifindex.out, { mac: '02:00:00:00:01:01', mtu: 1500, up: true });
  fp.setNexthop(1, { ifindex: ifindex.out, gateway: '198.51.100.2' });
  fp.setNeighbour(ifindex.out, '198.51.100.2', GATEWAY_MAC);
  fp.setRoute('203.0.113.0/24', { type: 'unicast', nexthop: 1 });
});

afterAll(async () => {
  fp?.unpin();
  fp?.close();
  if (existsSync(pinDir)) rmSync(pinDir, { recursive: true, force: true });
  await deleteNetns(ns);
});

describe("the ingress interface: xr_ingress's word or xr_ifaces", () => {
  it('a device below INGRESS_DIRECT has its word; one above has none, nor does any other index', () => {
    const w = words();
    expect(w[ifindex.small]! & L.IngressWord.valid).toBe(L.IngressWord.valid);
    expect(w[ifindex.out]! & L.IngressWord.valid).toBe(L.IngressWord.valid);
    const written = [...w.keys()].filter((i) => w[i] !== 0n);
    expect(written.sort((a, b) => a - b)).toEqual([ifindex.small, ifindex.out].sort((a, b) => a - b));
  });

  for (const side of ['small', 'big'] as const) {
    it(`${side} ifindex: forwards a frame to its MAC, passes one to another MAC or a multicast MAC`, async () => {
      const i = ifindex[side];
      expect(await decide(toward(ROUTER_MAC), i)).toEqual({ action: L.XdpAction.redirect, counted: counted(i, 'forwarded') });
      expect(await decide(toward('02:00:00:00:99:99'), i)).toEqual({ action: L.XdpAction.pass, counted: counted(i, 'pass-other-host') });
      expect(await decide(toward('01:00:5e:00:00:05'), i)).toEqual({ action: L.XdpAction.pass, counted: counted(i, 'pass-multicast') });
    });
  }

  it('a new MAC, and a pass flag, reach the word', async () => {
    fp.setInterface(ifindex.small, { mac: NEW_MAC, mtu: 1500, up: true });
    const i = ifindex.small;
    expect((await decide(toward(ROUTER_MAC), i)).counted).toEqual(counted(i, 'pass-other-host'));
    expect((await decide(toward(NEW_MAC), i)).counted).toEqual(counted(i, 'forwarded'));
    fp.setInterface(i, { mac: NEW_MAC, mtu: 1500, up: true, passes: { vrf: true } });
    expect((await decide(toward(NEW_MAC), i)).counted).toEqual(counted(i, 'pass-vrf'));
    fp.setInterface(i, { mac: ROUTER_MAC, mtu: 1500, up: true });
    expect((await decide(toward(ROUTER_MAC), i)).counted).toEqual(counted(i, 'forwarded'));
    expect(await fp.ingressMismatches()).toEqual([]);
  });

  it('a start repairs the words a dead run left: wrong, stray, or missing', async () => {
    const w = words();
    const stray = L.INGRESS_DIRECT - 1;
    w[ifindex.small] = w[ifindex.small]! ^ 0xffn; // another MAC
    w[stray] = w[ifindex.out]!;
    w[ifindex.out] = 0n;
    expect((await fp.ingressMismatches()).map((m) => m.ifindex)).toEqual([ifindex.out, ifindex.small, stray].sort((a, b) => a - b));
    fp.close();
    fp = await FastPath.open({ netns: ns, pinDir });
    expect(await fp.ingressMismatches()).toEqual([]);
    expect((await decide(toward(ROUTER_MAC), ifindex.small)).counted).toEqual(counted(ifindex.small, 'forwarded'));
  });

  it('an upgrade from a version without xr_ingress: the start adopts the others and fills a new array', async () => {
    fp.close();
    unlinkSync(join(pinDir, 'xr_ingress'));
    fp = await FastPath.open({ netns: ns, pinDir });
    expect(fp.adoptedPins).toBe(true);
    expect(existsSync(join(pinDir, 'xr_ingress'))).toBe(true);
    expect(words()[ifindex.small]! & L.IngressWord.valid).toBe(L.IngressWord.valid);
    expect(await fp.ingressMismatches()).toEqual([]);
    expect((await decide(toward(ROUTER_MAC), ifindex.small)).counted).toEqual(counted(ifindex.small, 'forwarded'));
  });

  it('an interface taken out has its word cleared: its frames then find no interface', async () => {
    fp.deleteInterface(ifindex.small);
    expect(words()[ifindex.small]).toBe(0n);
    expect(await decide(toward(ROUTER_MAC), ifindex.small)).toEqual({ action: L.XdpAction.pass, counted: counted(0, 'pass-no-iface') });
    expect(await fp.ingressMismatches()).toEqual([]);
  });
});
