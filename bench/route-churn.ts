// The sync benchmark's churn: a set of routes withdrawn and announced again
// in turn at a steady rate, over the project's own rtnetlink socket in the
// router's namespace (RtnlRequester: each tick's changes in one
// transaction, many messages per sendmsg, every answer checked). ip -batch
// reading stdin reached about 12,000 changes/s here, short of the 20,000
// the churn asks for.
import { RtnlRequester } from '../router/sync/rtnl-socket.js';
import { routeAddPayload, routeDeletePayload } from '../router/sync/rtnl-encode.js';
import { NLM_F, RTM, requestMessage } from '../router/sync/rtnl-wire.js';
import { sleep } from './progress.js';
import type { FeedRoute, Gateways } from './sync-table.js';
import { MAIN_TABLE } from './table-dump.js';

/** how often the churn hands what is due to the socket */
const TICK_MS = 10;

export interface ChurnResult {
  /** the routes it left withdrawn: a withdrawing pass cut short left its first routes out, an announcing one its last */
  withdrawn: FeedRoute[];
  /** changes sent, each acknowledged by the kernel */
  changes: number;
}

/** The churn's set with each route's add and delete messages, made once: the churn's ticks only slice them. */
export interface ChurnSet {
  routes: readonly FeedRoute[];
  add: Buffer[];
  del: Buffer[];
}

/**
 * Encode `set`'s messages (`ifindex`: g.dev's in the router's namespace).
 * Apart from churnRoutes and before the lag is timed: two hundred thousand
 * Buffers made and promoted kept the bench's thread and its collector busy
 * for a second or so, on a CPU the daemon shares, at the start of the churn.
 */
export function churnSet(routes: readonly FeedRoute[], g: Gateways, ifindex: number): ChurnSet {
  const add: Buffer[] = [];
  const del: Buffer[] = [];
  for (const r of routes) {
    const gateway = (r.probe ? g.probe : g.other)[r.family];
    const route = { family: r.family, table: MAIN_TABLE, prefix: r.prefix, metric: 0, protocol: g.protocol, type: 'unicast' as const, tos: 0, nexthops: [{ ifindex, gateway, weight: 1 }] };
    add.push(requestMessage(RTM.NEWROUTE, NLM_F.CREATE | NLM_F.EXCL, routeAddPayload(route, g.protocol)));
    del.push(requestMessage(RTM.DELROUTE, 0, routeDeletePayload({ family: r.family, table: MAIN_TABLE, prefix: r.prefix, protocol: g.protocol })));
  }
  return { routes, add, del };
}

/**
 * Withdraw and re-announce the set's routes in turn at `rate` per second for
 * `seconds`, in the namespace at `netnsPath`.
 * Each tick sends what is due by then in one transaction; at most one
 * waits behind the one the kernel answers, so a kernel that falls behind
 * gets larger batches, never an unbounded queue. A refused change fails
 * the churn.
 */
export async function churnRoutes(netnsPath: string, churn: ChurnSet, rate: number, seconds: number): Promise<ChurnResult> {
  const { routes: set, add, del } = churn;
  const requests = new RtnlRequester(netnsPath, () => {});
  const total = Math.round(rate * seconds);
  // pass 0 withdraws the set, pass 1 announces it again, and so on
  const withdrawing = (n: number): boolean => Math.floor(n / set.length) % 2 === 0;
  // one transaction waits behind the one the kernel works on, so the socket never idles between ticks
  let answering: Promise<void> = Promise.resolve();
  try {
    const t0 = performance.now();
    for (let sent = 0; sent < total; ) {
      const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * rate));
      const batch: Buffer[] = [];
      for (let n = sent; n < due; n++) batch.push((withdrawing(n) ? del : add)[n % set.length]!);
      const from = sent;
      sent = due;
      const answered = requests.changes(batch, (i) => `${withdrawing(from + i) ? 'delete' : 'add'} ${set[(from + i) % set.length]!.prefix}`).then((answers) => {
        const refused = answers.filter((a) => a !== null);
        if (refused.length > 0) throw new Error(`the churn's kernel refused ${refused.length} of ${batch.length} changes, the first: ${refused[0]!.message}`);
      });
      // handled when its turn comes to be awaited; until then a refusal must not count as unhandled
      answered.catch(() => undefined);
      await answering;
      answering = answered;
      await sleep(Math.max(0, TICK_MS - ((performance.now() - t0) % TICK_MS)));
    }
    await answering;
  } finally {
    requests.close();
  }
  const passes = Math.floor(total / set.length);
  const cut = total % set.length;
  return { withdrawn: passes % 2 === 0 ? set.slice(0, cut) : set.slice(cut), changes: total };
}
