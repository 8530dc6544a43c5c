// The namespace lab: host A - router - host B over veth pairs, on the
// documentation ranges. Behind B sits one more prefix (a loopback address)
// so that routes via a gateway are exercised too. The lab command and the
// end-to-end tests share it.
import { createNetns, deleteNetns, ifindexOf, ip, macOf, run, sysctl } from './netns.js';

export interface LabHost {
  ns: string;
  dev: string;
  mac: string;
  ifindex: number;
  v4: string;
  v6: string;
}

export interface Lab {
  prefix: string;
  a: LabHost;
  b: LabHost;
  router: { ns: string; toA: LabHost; toB: LabHost };
  /** addresses on B's loopback, reached through B as a gateway */
  remote: { v4: string; v6: string; prefix4: string; prefix6: string };
  nets: { a4: string; a6: string; b4: string; b6: string };
}

export const LAB_ADDRESSES = {
  a: { v4: '192.0.2.2', v6: '2001:db8:a::2' },
  routerA: { v4: '192.0.2.1', v6: '2001:db8:a::1' },
  routerB: { v4: '198.51.100.1', v6: '2001:db8:b::1' },
  b: { v4: '198.51.100.2', v6: '2001:db8:b::2' },
  remote: { v4: '203.0.113.10', v6: '2001:db8:cafe::10', prefix4: '203.0.113.0/24', prefix6: '2001:db8:cafe::/48' },
  nets: { a4: '192.0.2.0/24', a6: '2001:db8:a::/64', b4: '198.51.100.0/24', b6: '2001:db8:b::/64' },
} as const;

async function quietVeth(ns: string, dev: string): Promise<void> {
  // Tags must stay in the frame XDP sees; GRO lets a veth accept redirected
  // frames; and a veth otherwise hands over UDP/TCP with only a partial
  // checksum that XDP_REDIRECT cannot finish, so the far host would drop them.
  await run(['ethtool', '-K', dev, 'rxvlan', 'off', 'txvlan', 'off', 'gro', 'on', 'tx', 'off'], ns);
  // no duplicate address detection: the lab's addresses are unique and tests must not wait
  await sysctl(ns, `net.ipv6.conf.${dev}.accept_dad`, 0);
  // as on a router: IPv6 addresses survive a link going down and up
  await sysctl(ns, `net.ipv6.conf.${dev}.keep_addr_on_down`, 1);
}

async function addAddresses(ns: string, dev: string, v4: string, v6: string, len4: number, len6: number): Promise<void> {
  await ip(['addr', 'add', `${v4}/${len4}`, 'dev', dev], ns);
  await ip(['addr', 'add', `${v6}/${len6}`, 'dev', dev, 'nodad'], ns);
  await ip(['link', 'set', dev, 'up'], ns);
}

export interface CreateLabOptions {
  /** install the router's route to B's IPv4 loopback prefix (default true) */
  remoteRoute4?: boolean;
}

/**
 * Create the lab. Namespaces are named PREFIX-a, PREFIX-r, PREFIX-b; on any
 * failure whatever was made is removed before the error is thrown.
 */
export async function createLab(prefix: string, options: CreateLabOptions = {}): Promise<Lab> {
  const names = { a: `${prefix}-a`, r: `${prefix}-r`, b: `${prefix}-b` };
  try {
    for (const ns of Object.values(names)) await createNetns(ns);
    await ip(['link', 'add', 'a0', 'netns', names.a, 'type', 'veth', 'peer', 'name', 'r0', 'netns', names.r]);
    await ip(['link', 'add', 'b0', 'netns', names.b, 'type', 'veth', 'peer', 'name', 'r1', 'netns', names.r]);
    for (const [ns, dev] of [[names.a, 'a0'], [names.r, 'r0'], [names.r, 'r1'], [names.b, 'b0']] as const) {
      await quietVeth(ns, dev);
    }
    const L = LAB_ADDRESSES;
    await addAddresses(names.a, 'a0', L.a.v4, L.a.v6, 24, 64);
    await addAddresses(names.r, 'r0', L.routerA.v4, L.routerA.v6, 24, 64);
    await addAddresses(names.r, 'r1', L.routerB.v4, L.routerB.v6, 24, 64);
    await addAddresses(names.b, 'b0', L.b.v4, L.b.v6, 24, 64);
    await ip(['addr', 'add', `${L.remote.v4}/32`, 'dev', 'lo'], names.b);
    await ip(['addr', 'add', `${L.remote.v6}/128`, 'dev', 'lo'], names.b);
    await ip(['route', 'add', 'default', 'via', L.routerA.v4], names.a);
    await ip(['-6', 'route', 'add', 'default', 'via', L.routerA.v6], names.a);
    await ip(['route', 'add', 'default', 'via', L.routerB.v4], names.b);
    await ip(['-6', 'route', 'add', 'default', 'via', L.routerB.v6], names.b);
    if (options.remoteRoute4 ?? true) await ip(['route', 'add', L.remote.prefix4, 'via', L.b.v4, 'dev', 'r1'], names.r);
    await ip(['-6', 'route', 'add', L.remote.prefix6, 'via', L.b.v6, 'dev', 'r1'], names.r);

    const host = async (ns: string, dev: string, v4: string, v6: string): Promise<LabHost> => ({
      ns,
      dev,
      v4,
      v6,
      mac: await macOf(ns, dev),
      ifindex: await ifindexOf(ns, dev),
    });
    return {
      prefix,
      a: await host(names.a, 'a0', L.a.v4, L.a.v6),
      b: await host(names.b, 'b0', L.b.v4, L.b.v6),
      router: {
        ns: names.r,
        toA: await host(names.r, 'r0', L.routerA.v4, L.routerA.v6),
        toB: await host(names.r, 'r1', L.routerB.v4, L.routerB.v6),
      },
      remote: { ...L.remote },
      nets: { ...L.nets },
    };
  } catch (err) {
    await destroyLab(prefix);
    throw err;
  }
}

/** Remove the lab's namespaces; their veths go with them. */
export async function destroyLab(prefix: string): Promise<void> {
  for (const suffix of ['a', 'r', 'b']) await deleteNetns(`${prefix}-${suffix}`);
}

/** Kernel forwarding in the router namespace, both families. */
export async function setKernelForwarding(lab: Lab, on: boolean): Promise<void> {
  await sysctl(lab.router.ns, 'net.ipv4.ip_forward', on ? 1 : 0);
  await sysctl(lab.router.ns, 'net.ipv6.conf.all.forwarding', on ? 1 : 0);
}
