// The map state the fast-path cases run against: a router namespace with
// dummy interfaces (devmap entries and test-run ingress need real devices),
// routes of every kind, next hops, groups and neighbours.
import { FastPath } from '../../dataplane/fastpath.js';
import type { Reason } from '../../dataplane/layout.js';
import { createNetns, deleteNetns, ifindexOf, ip } from '../../router/lab/netns.js';

export const MAC = {
  routerIn: '02:00:00:00:00:01',
  hostA: '02:00:00:00:00:0a',
  out1: '02:00:00:00:01:01',
  out2: '02:00:00:00:02:01',
  gw1: '02:00:00:00:01:02',
  host1: '02:00:00:00:01:07',
  gw2: '02:00:00:00:02:02',
  gw1v6: '02:00:00:00:01:62',
  host1v6: '02:00:00:00:01:67',
  gw1ll: '02:00:00:00:01:fe',
  gw2v6: '02:00:00:00:02:62',
  gw2ll: '02:00:00:00:02:fe',
  vlanGw: '02:00:00:00:64:02',
  vlanGwV6: '02:00:00:00:64:62',
  other: '02:00:00:00:99:99',
} as const;

/** Real devices in the namespace: devmap entries and test-run ingress need them. */
export const DEVICES = ['in0', 'in9', 'out1', 'out2', 'out3'] as const;
/**
 * VLAN interfaces exist for the fast path only as map entries (this kernel
 * has no 8021q module): tagged frames arrive on in0 and leave by out1.
 */
export const VLAN_IFINDEX = { 'in0.200': 1200, 'out1.100': 1100 } as const;
export type Device = (typeof DEVICES)[number] | keyof typeof VLAN_IFINDEX;

export interface Fixture {
  ns: string;
  fp: FastPath;
  ifindex: Record<Device, number>;
  /** run one frame in on a device; the counter of the expected reason must move by one */
  run(frame: Buffer, ingress?: Device): Promise<{ action: number; out: Buffer; reasons: Reason[] }>;
  teardown(): Promise<void>;
}

/** the veths' MACs; out3 (an ifb, whose address cannot be set) is down and never sends */
const DEVICE_MACS = { in0: MAC.routerIn, out1: MAC.out1, out2: MAC.out2 } as const;

async function createDevices(ns: string): Promise<void> {
  for (const dev of ['in0', 'in9', 'out1', 'out2']) {
    await ip(['link', 'add', dev, 'type', 'veth', 'peer', 'name', `${dev}p`], ns);
    await ip(['link', 'set', `${dev}p`, 'up'], ns);
  }
  // an ifb has no native XDP hook: the generic-mode fallback is tried on it
  await ip(['link', 'add', 'out3', 'type', 'ifb'], ns);
  // the devices carry the MACs the interface map gives them, as a daemon
  // would have read them from the kernel
  for (const [dev, mac] of Object.entries(DEVICE_MACS)) await ip(['link', 'set', dev, 'address', mac], ns);
  for (const dev of DEVICES) await ip(['link', 'set', dev, 'up'], ns);
}

function fillMaps(fp: FastPath, ix: Record<Device, number>): void {
  fp.setInterface(ix.in0, { mac: MAC.routerIn, mtu: 1500, up: true });
  fp.setInterface(ix['in0.200'], { mac: MAC.routerIn, mtu: 1500, up: true, vlan: { id: 200, lowerIfindex: ix.in0 } });
  fp.setInterface(ix.out1, { mac: MAC.out1, mtu: 1500, up: true });
  fp.setInterface(ix.out2, { mac: MAC.out2, mtu: 1500, up: true });
  fp.setInterface(ix.out3, { mac: '02:00:00:00:03:01', mtu: 1500, up: false });
  fp.setInterface(ix['out1.100'], { mac: MAC.out1, mtu: 1500, up: true, vlan: { id: 100, lowerIfindex: ix.out1 } });

  fp.addLocalAddress('192.0.2.1', ix.in0);
  fp.addLocalAddress('2001:db8:1::1', ix.in0);

  fp.setNexthop(1, { ifindex: ix.out1, gateway: '198.51.100.2' });
  fp.setNexthop(2, { ifindex: ix.out2, gateway: '203.0.113.2' });
  fp.setNexthop(3, { ifindex: ix.out1 });
  fp.setNexthop(4, { ifindex: ix['out1.100'], gateway: '198.51.100.130' });
  fp.setNexthop(5, { ifindex: ix.out2, gateway: '203.0.113.9' });
  fp.setNexthop(11, { ifindex: ix.out2, gateway: 'fe80::3' });
  fp.setNexthop(12, { ifindex: ix.out2, gateway: '203.0.113.10' });
  fp.setNexthop(13, { ifindex: ix.out3, gateway: '203.0.113.2' });
  fp.setNexthop(6, { ifindex: ix.out1, gateway: '2001:db8:2::2' });
  fp.setNexthop(7, { ifindex: ix.out2, gateway: '2001:db8:3::2' });
  fp.setNexthop(8, { ifindex: ix.out1 });
  fp.setNexthop(9, { ifindex: ix['out1.100'], gateway: '2001:db8:100::2' });
  fp.setNexthop(10, { ifindex: ix.out1, gateway: 'fe80::2' });
  fp.setNexthop(14, { ifindex: ix.out2, gateway: '2001:db8:3::9' });
  fp.setGroup(100, [
    { nexthop: 1, weight: 1 },
    { nexthop: 2, weight: 1 },
  ]);
  fp.setGroup(101, [
    { nexthop: 1, weight: 1 },
    { nexthop: 2, weight: 3 },
  ]);
  fp.setGroup(102, [
    { nexthop: 6, weight: 1 },
    { nexthop: 7, weight: 1 },
  ]);

  fp.setNeighbour(ix.out1, '198.51.100.2', MAC.gw1);
  fp.setNeighbour(ix.out1, '198.51.100.7', MAC.host1);
  fp.setNeighbour(ix.out2, '203.0.113.2', MAC.gw2);
  fp.setNeighbour(ix.out2, '203.0.113.9', '00:00:00:00:00:00', { valid: false });
  fp.setNeighbour(ix.out2, 'fe80::3', MAC.gw2ll);
  fp.setNeighbour(ix['out1.100'], '198.51.100.130', MAC.vlanGw);
  fp.setNeighbour(ix.out1, '2001:db8:2::2', MAC.gw1v6);
  fp.setNeighbour(ix.out1, '2001:db8:2::7', MAC.host1v6);
  fp.setNeighbour(ix.out1, 'fe80::2', MAC.gw1ll);
  fp.setNeighbour(ix.out2, '2001:db8:3::2', MAC.gw2v6);
  fp.setNeighbour(ix['out1.100'], '2001:db8:100::2', MAC.vlanGwV6);

  const routes: Array<[string, Parameters<FastPath['setRoute']>[1]]> = [
    ['198.51.100.0/26', { type: 'unicast', nexthop: 3 }],
    ['198.51.100.64/26', { type: 'unicast', nexthop: 1 }],
    ['198.51.100.128/26', { type: 'unicast', nexthop: 4 }],
    ['203.0.113.0/26', { type: 'unicast', nexthop: 2 }],
    ['203.0.113.64/26', { type: 'unicast', group: 100 }],
    ['203.0.113.128/26', { type: 'unicast', group: 101 }],
    ['203.0.113.192/27', { type: 'blackhole' }],
    ['203.0.113.224/28', { type: 'unreachable' }],
    ['203.0.113.240/28', { type: 'prohibit' }],
    ['198.51.100.96/27', { type: 'kernel' }],
    ['192.0.2.64/26', { type: 'unicast', nexthop: 5 }],
    ['192.0.2.128/26', { type: 'unicast', nexthop: 12 }],
    ['192.0.2.192/26', { type: 'unicast', nexthop: 11 }],
    ['192.0.2.32/27', { type: 'unicast', nexthop: 13 }],
    ['2001:db8:2::/64', { type: 'unicast', nexthop: 8 }],
    ['2001:db8:20::/48', { type: 'unicast', nexthop: 6 }],
    ['2001:db8:30::/48', { type: 'unicast', nexthop: 10 }],
    ['2001:db8:40::/48', { type: 'unicast', group: 102 }],
    ['2001:db8:100::/48', { type: 'unicast', nexthop: 9 }],
    ['2001:db8:5::/48', { type: 'unicast', nexthop: 14 }],
    ['2001:db8:dead::/48', { type: 'blackhole' }],
    ['2001:db8:beef::/48', { type: 'unreachable' }],
  ];
  for (const [prefix, target] of routes) fp.setRoute(prefix, target);

  // punt rules: test runs have no AF_XDP socket, so matches go up to the kernel
  fp.setPuntRule(1, { prefix: '198.51.100.80/28' });
  fp.setPuntRule(2, { prefix: '2001:db8:20::/64', protocol: 17, port: 5353 });
  fp.setPuntRule(3, { prefix: '203.0.113.0/28', protocol: 6 });
}

export async function createFixture(tag: string): Promise<Fixture> {
  const ns = `xrt-${tag}-${process.pid}`;
  await createNetns(ns);
  let fp: FastPath | undefined;
  try {
    await createDevices(ns);
    const ifindex = {} as Record<Device, number>;
    for (const dev of DEVICES) ifindex[dev] = await ifindexOf(ns, dev);
    Object.assign(ifindex, VLAN_IFINDEX);
    fp = await FastPath.open({ netns: ns, hashSeed: 0x5eed, punt: true });
    fillMaps(fp, ifindex);
    const opened = fp;
    return {
      ns,
      fp: opened,
      ifindex,
      async run(frame, ingress = 'in0') {
        const before = await opened.counters();
        const res = await opened.testRun({ data: frame, ingressIfindex: ifindex[ingress] });
        const after = await opened.counters();
        const reasons = after
          .filter((row) => {
            const prev = before.find((b) => b.ifindex === row.ifindex && b.reason === row.reason);
            return row.packets !== (prev?.packets ?? 0n);
          })
          .map((row) => row.reason);
        return { action: res.retval, out: res.data, reasons };
      },
      async teardown() {
        opened.close();
        await deleteNetns(ns);
      },
    };
  } catch (err) {
    fp?.close();
    await deleteNetns(ns);
    throw err;
  }
}
