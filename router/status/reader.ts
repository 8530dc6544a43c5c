// The daemon's state for the status API and `xdp-router status`: counters,
// attached interfaces, neighbours, sync health. Read only, and nothing here
// knows about gRPC.
import type { CounterRow, FastPath } from '../../dataplane/fastpath.js';
import { REASONS, type Reason } from '../../dataplane/layout.js';
import type { NetfilterMode } from '../../config/schema.js';
import { describeHandling, describeRule } from '../sync/policy.js';
import type { DesiredState } from '../sync/desired.js';
import { neighbourKey, type KernelState } from '../sync/kernel-state.js';
import { NUD } from '../sync/model.js';
import type { DaemonStatus } from './view.js';

export interface StatusDeps {
  daemon: DaemonStatus;
  fp: Pick<FastPath, 'counters' | 'neighbours' | 'fib4Groups'>;
  state: KernelState;
  desired: DesiredState;
  fastPathRoutes: () => number;
  tables: readonly number[];
  routeProtocol: number;
  netfilterMode: NetfilterMode;
  version: string;
  startedAt: number;
}

export interface NetfilterChainStatus {
  table: string;
  chain: string;
  hook: string;
  allTraffic: boolean;
  ingressInterfaces: string[];
  egressInterfaces: string[];
}

export interface Counter {
  reason: Reason;
  packets: bigint;
  bytes: bigint;
}

export interface Stats {
  totals: Counter[];
  interfaces: Array<{ name: string; index: number; counters: Counter[] }>;
}

export type LinkState = 'up' | 'down' | 'no-carrier';

export interface InterfaceStatus {
  name: string;
  index: number;
  attachMode: 'native' | 'generic';
  state: LinkState;
  mac: string;
  mtu: number;
  adopted: boolean;
}

export interface NeighbourStatus {
  address: string;
  interface: string;
  mac: string;
  states: string[];
  inFastPath: boolean;
}

export interface RouterStatus {
  version: string;
  uptimeSeconds: number;
  kernelRoutes: number;
  fastPathRoutes: number;
  neighbours: number;
  resyncs: number;
  lastSyncMsAgo: number;
  routeProtocol: number;
  tables: number[];
  interfaces: InterfaceStatus[];
  ipv4IndexGroupsUsed: number;
  ipv4IndexGroupsTotal: number;
  slowPathSockets: number;
  slowPathQueues: Array<{ interface: string; queue: number; mode: string; workerTid: number; workerCpu: number }>;
  policyRules: Array<{ rule: string; handling: string }>;
  netfilterMode: NetfilterMode;
  netfilterChains: NetfilterChainStatus[];
  netfilterUnreadable: string;
}

/** Counters summed by reason, in the order of the canonical list, zero rows left out. */
function byReason(rows: CounterRow[]): Counter[] {
  const sums = new Map<Reason, Counter>();
  for (const r of rows) {
    const c = sums.get(r.reason) ?? { reason: r.reason, packets: 0n, bytes: 0n };
    c.packets += r.packets;
    c.bytes += r.bytes;
    sums.set(r.reason, c);
  }
  return REASONS.flatMap((reason) => {
    const c = sums.get(reason);
    return c && c.packets > 0n ? [c] : [];
  });
}

function nudStates(bits: number): string[] {
  return Object.entries(NUD)
    .filter(([, bit]) => (bits & bit) !== 0)
    .map(([name]) => name);
}

export class StatusReader {
  constructor(private readonly deps: StatusDeps) {}

  private linkName(ifindex: number): string {
    return this.deps.state.links.get(ifindex)?.name ?? String(ifindex);
  }

  async stats(): Promise<Stats> {
    const rows = await this.deps.fp.counters();
    const ifindexes = [...new Set(rows.map((r) => r.ifindex))].sort((a, b) => a - b);
    return {
      totals: byReason(rows),
      interfaces: ifindexes.map((index) => ({
        name: this.linkName(index),
        index,
        counters: byReason(rows.filter((r) => r.ifindex === index)),
      })),
    };
  }

  interfaces(): InterfaceStatus[] {
    return this.deps.daemon.attached.map((a) => {
      const link = this.deps.state.links.get(a.ifindex);
      const state: LinkState = !link?.adminUp ? 'down' : link.carrier ? 'up' : 'no-carrier';
      return { name: a.name, index: a.ifindex, attachMode: a.mode, state, mac: link?.mac ?? '', mtu: link?.mtu ?? 0, adopted: a.adopted };
    });
  }

  async neighbours(): Promise<NeighbourStatus[]> {
    const inMaps = await this.deps.fp.neighbours();
    const out: NeighbourStatus[] = [];
    for (const n of this.deps.state.neighbours.values()) {
      out.push({
        address: n.address,
        interface: this.linkName(n.ifindex),
        mac: n.mac ?? '',
        states: nudStates(n.state),
        inFastPath: inMaps.get(neighbourKey(n))?.valid === true,
      });
    }
    return out.sort((a, b) => a.interface.localeCompare(b.interface) || a.address.localeCompare(b.address, 'en', { numeric: true }));
  }

  status(): RouterStatus {
    let kernelRoutes = 0;
    for (const byId of this.deps.state.routes.values()) kernelRoutes += byId.size;
    const groups = this.deps.fp.fib4Groups();
    return {
      version: this.deps.version,
      uptimeSeconds: Math.floor((Date.now() - this.deps.startedAt) / 1000),
      kernelRoutes,
      fastPathRoutes: this.deps.fastPathRoutes(),
      neighbours: this.deps.state.neighbours.size,
      resyncs: this.deps.daemon.resyncs,
      lastSyncMsAgo: Math.max(0, Date.now() - this.deps.daemon.lastSync),
      routeProtocol: this.deps.routeProtocol,
      tables: [...this.deps.tables],
      interfaces: this.interfaces(),
      ipv4IndexGroupsUsed: groups?.used ?? 0,
      ipv4IndexGroupsTotal: groups?.total ?? 0,
      ...this.slowPath(),
      policyRules: this.deps.desired.policy.rules.map((h) => ({ rule: describeRule(h.rule), handling: describeHandling(h.handling) })),
      netfilterMode: this.deps.netfilterMode,
      ...this.netfilter(),
    };
  }

  private slowPath(): Pick<RouterStatus, 'slowPathSockets' | 'slowPathQueues'> {
    const queues = this.deps.daemon.slowPath?.stats() ?? [];
    return {
      slowPathSockets: queues.length,
      slowPathQueues: queues.map((q) => ({ interface: this.linkName(q.ifindex), queue: q.queue, mode: q.mode, workerTid: q.tid, workerCpu: q.cpu })),
    };
  }

  private netfilter(): Pick<RouterStatus, 'netfilterChains' | 'netfilterUnreadable'> {
    const view = this.deps.daemon.netfilter;
    if (!view) return { netfilterChains: [], netfilterUnreadable: '' };
    if ('unreadable' in view) return { netfilterChains: [], netfilterUnreadable: view.unreadable };
    return {
      netfilterChains: view.chains.map((c) => ({
        table: c.table,
        chain: c.chain,
        hook: c.hook,
        allTraffic: c.ingress === null,
        ingressInterfaces: c.ingress ?? [],
        egressInterfaces: c.egress,
      })),
      netfilterUnreadable: '',
    };
  }
}
