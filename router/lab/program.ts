// Program the fast path for the lab by hand, from what the lab knows about
// itself: the static control plane that stands in until the daemon mirrors
// the kernel over netlink.
import type { AttachMode } from '../../dataplane/native.js';
import type { FastPath } from '../../dataplane/fastpath.js';
import type { Lab } from './topology.js';
import { ip } from './netns.js';

const NH_TO_A = 1;
const NH_TO_B = 2;
const NH_VIA_B4 = 3;
const NH_VIA_B6 = 4;

async function mtuOf(ns: string, dev: string): Promise<number> {
  return (JSON.parse(await ip(['-j', 'link', 'show', 'dev', dev], ns)) as Array<{ mtu: number }>)[0]!.mtu;
}

/** Interfaces, local addresses, next hops, neighbours and routes of the lab. */
export async function programLab(fp: FastPath, lab: Lab): Promise<void> {
  const { toA, toB } = lab.router;
  for (const side of [toA, toB]) {
    fp.setInterface(side.ifindex, { mac: side.mac, mtu: await mtuOf(lab.router.ns, side.dev), up: true });
    fp.addLocalAddress(side.v4, side.ifindex);
    fp.addLocalAddress(side.v6, side.ifindex);
  }
  fp.setNexthop(NH_TO_A, { ifindex: toA.ifindex });
  fp.setNexthop(NH_TO_B, { ifindex: toB.ifindex });
  fp.setNexthop(NH_VIA_B4, { ifindex: toB.ifindex, gateway: lab.b.v4 });
  fp.setNexthop(NH_VIA_B6, { ifindex: toB.ifindex, gateway: lab.b.v6 });
  fp.setNeighbour(toA.ifindex, lab.a.v4, lab.a.mac);
  fp.setNeighbour(toA.ifindex, lab.a.v6, lab.a.mac);
  fp.setNeighbour(toB.ifindex, lab.b.v4, lab.b.mac);
  fp.setNeighbour(toB.ifindex, lab.b.v6, lab.b.mac);
  fp.setRoute(lab.nets.a4, { type: 'unicast', nexthop: NH_TO_A });
  fp.setRoute(lab.nets.a6, { type: 'unicast', nexthop: NH_TO_A });
  fp.setRoute(lab.nets.b4, { type: 'unicast', nexthop: NH_TO_B });
  fp.setRoute(lab.nets.b6, { type: 'unicast', nexthop: NH_TO_B });
  fp.setRoute(lab.remote.prefix4, { type: 'unicast', nexthop: NH_VIA_B4 });
  fp.setRoute(lab.remote.prefix6, { type: 'unicast', nexthop: NH_VIA_B6 });
}

/** Attach to both router interfaces; returns the mode each got. */
export async function attachLab(fp: FastPath, lab: Lab): Promise<Record<string, AttachMode>> {
  const modes: Record<string, AttachMode> = {};
  for (const side of [lab.router.toA, lab.router.toB]) modes[side.dev] = await fp.attach(side.ifindex, 'auto');
  return modes;
}

export async function detachLab(fp: FastPath, lab: Lab): Promise<void> {
  for (const side of [lab.router.toA, lab.router.toB]) await fp.detach(side.ifindex);
}
