// Where a lost datagram of the lab's A -> B stream went: every counter the
// kernel keeps of a drop on the way, read in each namespace before and
// after, split by who dropped it. A test that wants "zero loss" asserts
// the router's share and the harness's share apart, so a loss can never
// hide in the sender or the receiver, nor be blamed on them.
import type { CounterRow } from '../../dataplane/fastpath.js';
import { run } from './netns.js';
import type { Lab } from './topology.js';

/** Who dropped: the sending host, the router (kernel or fast path), the receiving host. */
export type LossStage = 'sender' | 'router' | 'receiver';

/** counter name -> value, per stage */
export type LossCounters = Record<LossStage, Record<string, number>>;

/** nstat counters that count a dropped datagram, by the stage whose namespace holds them. */
const SNMP_DROPS: Record<LossStage, string[]> = {
  sender: ['UdpSndbufErrors', 'Udp6SndbufErrors', 'IpOutDiscards', 'Ip6OutDiscards', 'IpOutNoRoutes'],
  // with kernel forwarding off, what XDP passes up lands in InAddrErrors / Ip6InNoRoutes
  router: ['IpInAddrErrors', 'IpInDiscards', 'IpInHdrErrors', 'IpOutDiscards', 'IpExtInNoRoutes', 'Ip6InAddrErrors', 'Ip6InNoRoutes', 'Ip6InDiscards', 'Ip6OutDiscards'],
  receiver: ['UdpRcvbufErrors', 'UdpInErrors', 'Udp6RcvbufErrors', 'Udp6InErrors', 'IpInDiscards', 'Ip6InDiscards'],
};

/** veth drop counters (ethtool -S) and link drop counters (ip -s link) */
const VETH_DROPS = /^(rx_queue_\d+_drops|rx_queue_\d+_xdp_drops|rx_queue_\d+_xdp_tx_errors|tx_queue_\d+_xdp_xmit_errors)$/;

/**
 * The kernel's SNMP counters `names` in namespace ns, by nstat's names
 * (IpInHdrErrors, IpExtInCsumErrors, Udp6NoPorts...). A name nstat does
 * not list is an error, not a zero: a misspelt counter would otherwise
 * read as nothing counted.
 */
export async function nstatCounters(ns: string, names: string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const wanted = new Set(names);
  // -a absolute, -s keep no history file, -z zeros too
  for (const line of (await run(['nstat', '-asz'], ns)).split('\n')) {
    const m = /^(\S+)\s+(\d+)/.exec(line);
    if (m && wanted.has(m[1]!)) out[m[1]!] = Number(m[2]);
  }
  const unknown = names.filter((n) => !(n in out));
  if (unknown.length) throw new Error(`nstat in namespace ${ns} lists no counter ${unknown.join(', ')}: check the name against \`nstat -asz\``);
  return out;
}

async function linkDrops(ns: string, dev: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const line of (await run(['ethtool', '-S', dev], ns)).split('\n')) {
    const m = /^\s*(\S+):\s+(\d+)/.exec(line);
    if (m && VETH_DROPS.test(m[1]!)) out[`${dev}.${m[1]}`] = Number(m[2]);
  }
  const [link] = JSON.parse(await run(['ip', '-s', '-j', 'link', 'show', 'dev', dev], ns)) as Array<{
    stats64: { rx: { dropped: number }; tx: { dropped: number } };
  }>;
  out[`${dev}.rx_dropped`] = link!.stats64.rx.dropped;
  out[`${dev}.tx_dropped`] = link!.stats64.tx.dropped;
  return out;
}

/**
 * Every drop counter on the path A -> router -> B. `fastPath` adds the
 * program's drop reasons (drop-*) on the router's ingress from A.
 */
export async function lossCounters(lab: Lab, fastPath?: () => Promise<CounterRow[]>): Promise<LossCounters> {
  const router: Record<string, number> = {
    ...(await nstatCounters(lab.router.ns, SNMP_DROPS.router)),
    ...(await linkDrops(lab.router.ns, lab.router.toA.dev)),
    ...(await linkDrops(lab.router.ns, lab.router.toB.dev)),
  };
  for (const row of (await fastPath?.()) ?? []) {
    if (row.ifindex === lab.router.toA.ifindex && row.reason.startsWith('drop-')) router[`xdp.${row.reason}`] = Number(row.packets);
  }
  return {
    sender: { ...(await nstatCounters(lab.a.ns, SNMP_DROPS.sender)), ...(await linkDrops(lab.a.ns, lab.a.dev)) },
    router,
    receiver: { ...(await nstatCounters(lab.b.ns, SNMP_DROPS.receiver)), ...(await linkDrops(lab.b.ns, lab.b.dev)) },
  };
}

/** Each counter that moved between two readings, by how much; none when nothing did. */
export function counterRise(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, value] of Object.entries(after)) {
    const rise = value - (before[name] ?? 0);
    if (rise !== 0) out[name] = rise;
  }
  return out;
}

/** The counters that rose between two readings, per stage (empty when nothing was dropped). */
export function lossBetween(before: LossCounters, after: LossCounters): LossCounters {
  const stage = (s: LossStage): Record<string, number> => counterRise(before[s], after[s]);
  return { sender: stage('sender'), router: stage('router'), receiver: stage('receiver') };
}

/** One line: "router: IpInAddrErrors +812; receiver: none"... */
export function formatLoss(loss: LossCounters): string {
  return (Object.keys(loss) as LossStage[])
    .map((s) => {
      const rows = Object.entries(loss[s]).map(([k, v]) => `${k} +${v}`);
      return `${s}: ${rows.length ? rows.join(', ') : 'none'}`;
    })
    .join('; ');
}
