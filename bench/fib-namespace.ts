// The fast-path benchmark's namespace: one ingress and two egress devices
// (veths: test runs and redirects need real devices), four gateways per
// family, and the same routes in two places: xdp-router's maps and the
// kernel's FIB, which the bpf_fib_lookup reference reads.
import { FastPath, RouteBatch } from '../dataplane/fastpath.js';
import { addon } from '../dataplane/native.js';
import { routeEntry } from '../dataplane/route-target.js';
import type { NativeProgram } from '../dataplane/native.js';
import { createNetns, deleteNetns, ifindexOf, ip, macOf, sysctl } from '../router/lab/netns.js';
import { addRoutes } from './kernel-routes.js';
import { benchObject } from './paths.js';
import { formatPrefix4, formatPrefix6 } from './prefixes.js';
import type { Prefix4, Prefix6 } from './prefixes.js';
import { timed } from './progress.js';

/** in0's MAC: the benchmark's frames are addressed to it */
export const INGRESS_MAC = '02:00:00:00:00:01';
const GATEWAY_MAC = '02:00:00:00:00:02';
export const SOURCE = { v4: '192.0.2.2', v6: '2001:db8:1::2' } as const;

const DEVICES = {
  in0: { v4: '192.0.2.1/24', v6: '2001:db8:1::1/64' },
  out1: { v4: '198.51.100.1/24', v6: '2001:db8:2::1/64' },
  out2: { v4: '203.0.113.1/24', v6: '2001:db8:3::1/64' },
} as const;
type Device = keyof typeof DEVICES;

/** next-hop id -> gateway; the route with index i goes through GATEWAYS[family][i % 4] */
const GATEWAYS = {
  4: [
    { id: 1, dev: 'out1', gw: '198.51.100.2' },
    { id: 2, dev: 'out1', gw: '198.51.100.3' },
    { id: 3, dev: 'out2', gw: '203.0.113.2' },
    { id: 4, dev: 'out2', gw: '203.0.113.3' },
  ],
  6: [
    { id: 5, dev: 'out1', gw: '2001:db8:2::2' },
    { id: 6, dev: 'out1', gw: '2001:db8:2::3' },
    { id: 7, dev: 'out2', gw: '2001:db8:3::2' },
    { id: 8, dev: 'out2', gw: '2001:db8:3::3' },
  ],
} as const;

/** routes handed to the map and to ip -batch per step, to bound memory */
const CHUNK = 100_000;

export interface FillTimes {
  kernelMs: number;
  mapMs: number;
}

export class FibNamespace {
  private installed = { 4: 0, 6: 0 };

  private constructor(
    readonly ns: string,
    readonly ingressIfindex: number,
    private readonly fp: FastPath,
    /**
     * Driven (bpf/bench/driver.h): xdp-router's program, the bpf_fib_lookup
     * reference, and a no-op that is the harness and the driver alone.
     */
    readonly programs: { xdpRouter: NativeProgram; reference: NativeProgram; noop: NativeProgram },
    private readonly closers: Array<() => void>,
  ) {}

  static async create(ns: string): Promise<FibNamespace> {
    await createNetns(ns);
    const closers: Array<() => void> = [];
    try {
      const ifindex = await createDevices(ns);
      // the product's program with the driver in front; FastPath fills its maps as the daemon would
      const fp = await FastPath.open({ netns: ns, hashSeed: 1, objectPath: benchObject('router_driven') });
      closers.push(() => fp.close());
      await programFastPath(fp, ns, ifindex);
      const load = async (name: 'fib_ref' | 'noop', program: string): Promise<NativeProgram> => {
        const p = new addon.XdpProgram(benchObject(name), program, { netns: `/run/netns/${ns}` });
        closers.push(() => p.close());
        await p.load();
        return p;
      };
      const programs = {
        xdpRouter: fp.program,
        reference: await load('fib_ref', 'xdp_fib_ref_driven'),
        noop: await load('noop', 'xdp_noop_driven'),
      };
      return new FibNamespace(ns, ifindex.in0, fp, programs, closers);
    } catch (err) {
      for (const close of closers.reverse()) close();
      await deleteNetns(ns);
      throw err;
    }
  }

  /** Install table[installed..count) in both FIBs; returns the time each took. */
  async grow4(table: Prefix4[], count: number): Promise<FillTimes> {
    return this.grow(4, count, (i) => formatPrefix4(table[i]!));
  }

  async grow6(table: Prefix6[], count: number): Promise<FillTimes> {
    return this.grow(6, count, (i) => formatPrefix6(table[i]!));
  }

  private async grow(family: 4 | 6, count: number, prefixAt: (i: number) => string): Promise<FillTimes> {
    const times: FillTimes = { kernelMs: 0, mapMs: 0 };
    for (let from = this.installed[family]; from < count; from += CHUNK) {
      const to = Math.min(count, from + CHUNK);
      const kernel: string[] = [];
      const map = new RouteBatch(to - from);
      for (let i = from; i < to; i++) {
        const g = GATEWAYS[family][i % 4]!;
        const prefix = prefixAt(i);
        kernel.push(`${prefix} via ${g.gw} dev ${g.dev}`);
        map.addPrefix(prefix, routeEntry('unicast', g.id));
      }
      times.kernelMs += (await timed(() => addRoutes(this.ns, kernel))).ms;
      times.mapMs += (await timed(() => this.fp.setRoutes(map))).ms;
      this.installed[family] = to;
    }
    return times;
  }

  async destroy(): Promise<void> {
    for (const close of this.closers.reverse()) close();
    await deleteNetns(this.ns);
  }
}

async function createDevices(ns: string): Promise<Record<Device, number>> {
  const ifindex = {} as Record<Device, number>;
  for (const [dev, addr] of Object.entries(DEVICES) as Array<[Device, { v4: string; v6: string }]>) {
    await ip(['link', 'add', dev, 'type', 'veth', 'peer', 'name', `${dev}p`], ns);
    await ip(['addr', 'add', addr.v4, 'dev', dev], ns);
    await ip(['addr', 'add', addr.v6, 'dev', dev, 'nodad'], ns);
    await ip(['link', 'set', `${dev}p`, 'up'], ns);
    await ip(['link', 'set', dev, 'up'], ns);
    ifindex[dev] = await ifindexOf(ns, dev);
  }
  await ip(['link', 'set', 'in0', 'address', INGRESS_MAC], ns);
  // bpf_fib_lookup refuses (FWD_DISABLED) unless the ingress device forwards
  await sysctl(ns, 'net.ipv4.ip_forward', 1);
  await sysctl(ns, 'net.ipv6.conf.all.forwarding', 1);
  for (const g of [...GATEWAYS[4], ...GATEWAYS[6]]) {
    await ip(['neigh', 'replace', g.gw, 'lladdr', GATEWAY_MAC, 'dev', g.dev, 'nud', 'permanent'], ns);
  }
  return ifindex;
}

/** The same interfaces, local addresses, next hops and neighbours as the kernel has. */
async function programFastPath(fp: FastPath, ns: string, ifindex: Record<Device, number>): Promise<void> {
  for (const [dev, addr] of Object.entries(DEVICES) as Array<[Device, { v4: string; v6: string }]>) {
    fp.setInterface(ifindex[dev], { mac: await macOf(ns, dev), mtu: 1500, up: true });
    fp.addLocalAddress(addr.v4.split('/')[0]!, ifindex[dev]);
    fp.addLocalAddress(addr.v6.split('/')[0]!, ifindex[dev]);
  }
  for (const g of [...GATEWAYS[4], ...GATEWAYS[6]]) {
    fp.setNexthop(g.id, { ifindex: ifindex[g.dev], gateway: g.gw });
    fp.setNeighbour(ifindex[g.dev], g.gw, GATEWAY_MAC);
  }
}
