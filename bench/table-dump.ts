// A full-table route dump as the kernel would send it (datagrams of
// RTM_NEWROUTE messages), without a kernel: the input of the sync's
// harnesses (sync-heap.ts, sync-write.ts). Every route goes through one
// gateway on one egress link, so the next-hop side stays out of the figures.
import type { KernelRoute } from '../router/sync/model.js';
import { routeAddPayload } from '../router/sync/rtnl-encode.js';
import { RTM, align4, readU32, requestMessage, writeU16 } from '../router/sync/rtnl-wire.js';
import { formatPrefix4, formatPrefix6, fullTable } from './prefixes.js';

/** a dump's datagrams are about this big (the kernel fills what the reader's buffer takes) */
const DATAGRAM_BYTES = 32 * 1024;
export const MAIN_TABLE = 254;
const PROTOCOL = 77;
export const GATEWAYS = { 4: '198.51.100.3', 6: '2001:db8:b::3' } as const;

function datagrams(routes: KernelRoute[]): Buffer[] {
  const out: Buffer[] = [];
  let pending: Buffer[] = [];
  let size = 0;
  for (const r of routes) {
    const msg = requestMessage(RTM.NEWROUTE, 0, routeAddPayload(r, PROTOCOL));
    if (size + msg.length > DATAGRAM_BYTES) {
      out.push(Buffer.concat(pending));
      pending = [];
      size = 0;
    }
    pending.push(msg);
    size += msg.length;
  }
  if (pending.length > 0) out.push(Buffer.concat(pending));
  return out;
}

/** fullTable(counts)'s routes, all via GATEWAYS on `egress`, as a dump's datagrams. */
export function tableDump(counts: { ipv4: number; ipv6: number }, egress: number): Buffer[] {
  const table = fullTable(undefined, counts);
  const route = (family: 4 | 6, prefix: string): KernelRoute => ({
    family, table: MAIN_TABLE, prefix, metric: family === 4 ? 0 : 1024, protocol: PROTOCOL, type: 'unicast', tos: 0,
    nexthops: [{ ifindex: egress, gateway: GATEWAYS[family], weight: 1 }],
  });
  return datagrams([...table.ipv4.map((p) => route(4, formatPrefix4(p))), ...table.ipv6.map((p) => route(6, formatPrefix6(p)))]);
}

/** The dump's messages as events of `type` (RTM.NEWROUTE, RTM.DELROUTE): the same bytes, another message type. */
export function routeEvents(datagrams: readonly Buffer[], type: number): Buffer[] {
  return datagrams.map((d) => {
    const out = Buffer.from(d);
    for (let at = 0; at < out.length; at += align4(readU32(out, at))) writeU16(out, type, at + 4);
    return out;
  });
}
