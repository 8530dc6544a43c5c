// Prometheus metrics (prom-client): the fast path's counters per interface
// and reason, table sizes, sync health, and the slow path's (its own module).
// Values are read from the maps at scrape time, so a scrape costs one counter
// dump and nothing in between. The API server's request metrics share the
// registry (router/api/metrics-interceptor.ts).
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { Counter, Gauge, collectDefaultMetrics } from 'prom-client';
import type { Registry } from 'prom-client';
import { registerSlowPathMetrics } from './slowpath/metrics.js';
import { interfaceName as nameOf, type DaemonStatus } from './status/view.js';

export interface MetricsEndpoint {
  host: string;
  port: number;
}

/** An index's groups, `used` and `free`; none while the fast path is not open. */
function groupsGauge(registry: Registry, name: string, help: string, groups: () => { used: number; total: number } | undefined): void {
  new Gauge({
    name,
    help,
    labelNames: ['state'],
    registers: [registry],
    collect() {
      this.reset();
      const g = groups();
      if (!g) return;
      this.set({ state: 'used' }, g.used);
      this.set({ state: 'free' }, g.total - g.used);
    },
  });
}

/** The daemon's metrics, added to `registry`; returns it. */
export function createMetrics(daemon: DaemonStatus, registry: Registry): Registry {
  collectDefaultMetrics({ register: registry, prefix: 'xdp_router_process_' });
  const interfaceName = (ifindex: number): string => nameOf(daemon, ifindex);

  // `forwarded` gives back, a moment after the redirect, the frames the
  // egress device refused (bpf/redirect_errors.c moves them to
  // drop-redirect): a scrape in between sees it fall, which Prometheus takes
  // for a counter reset. So each series reports the highest value it has
  // had; a frame in flight at a scrape stays in forwarded's series until
  // later traffic covers it.
  const highest = new Map<string, number>();
  const monotonic = (series: string, value: number): number => {
    const top = Math.max(highest.get(series) ?? 0, value);
    highest.set(series, top);
    return top;
  };
  for (const [field, help] of [
    ['packets', 'Packets the fast path saw, by ingress interface and what it did with them (reason)'],
    ['bytes', 'Bytes the fast path saw, by ingress interface and reason'],
  ] as const) {
    new Counter({
      name: `xdp_router_${field}_total`,
      help,
      labelNames: ['interface', 'reason'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const row of (await daemon.fp?.counters()) ?? []) {
          const labels = { interface: interfaceName(row.ifindex), reason: row.reason };
          this.inc(labels, monotonic(`${field} ${row.ifindex} ${row.reason}`, Number(row[field])));
        }
      },
    });
  }
  const tableSizes = {
    routes: () => daemon.reconciler?.routeCounts(),
    neighbours: () => daemon.reconciler?.neighbourCounts(),
  };
  for (const [what, read] of Object.entries(tableSizes)) {
    new Gauge({
      name: `xdp_router_${what}`,
      help: `${what[0]!.toUpperCase()}${what.slice(1)} in the fast path, by family`,
      labelNames: ['family'],
      registers: [registry],
      collect() {
        for (const [family, n] of Object.entries(read() ?? { ipv4: 0, ipv6: 0 })) this.set({ family }, n);
      },
    });
  }
  new Counter({
    name: 'xdp_router_sync_resyncs_total',
    help: 'Full resyncs with the kernel (lost netlink events, failed updates)',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(daemon.resyncs);
    },
  });
  new Gauge({
    name: 'xdp_router_sync_last_age_seconds',
    help: 'Seconds since the fast path last applied a kernel change',
    registers: [registry],
    collect() {
      this.set(daemon.lastSync ? (Date.now() - daemon.lastSync) / 1000 : -1);
    },
  });
  new Gauge({
    name: 'xdp_router_interface_attached',
    help: 'Interfaces the program is attached to, by attach mode (1 = attached)',
    labelNames: ['interface', 'mode'],
    registers: [registry],
    collect() {
      this.reset();
      for (const i of daemon.attached) this.set({ interface: i.name, mode: i.mode }, 1);
    },
  });
  groupsGauge(registry, 'xdp_router_fib4_groups', 'Groups of 256 entries in the IPv4 index, one per /24 that holds longer prefixes: used and free', () => daemon.fp?.fib4Groups());
  new Gauge({
    name: 'xdp_router_fib4_waiting_slash24s',
    help: '/24s holding prefixes longer than /24 that found no free group: the kernel forwards their traffic until one frees',
    registers: [registry],
    collect() {
      this.set(daemon.fp?.fib4Groups()?.waiting ?? 0);
    },
  });
  groupsGauge(registry, 'xdp_router_fib6_lines', '64-byte lines of the IPv6 index\'s nodes, which hold the prefixes longer than /24: used and free', () => daemon.fp?.fib6Lines());
  new Gauge({
    name: 'xdp_router_fib6_trie_entries',
    help: '/24 entries of the IPv6 index that found too few free lines: the program asks the LPM trie for their addresses until lines free',
    registers: [registry],
    collect() {
      this.set(daemon.fp?.fib6Lines()?.marked ?? 0);
    },
  });
  new Gauge({
    name: 'xdp_router_netfilter_chains',
    help: 'Netfilter base chains on a forwarding hook whose traffic goes to the kernel (pass-netfilter), by table, chain and scope (all, or interfaces); table "(unreadable)" when the ruleset cannot be read',
    labelNames: ['table', 'chain', 'scope'],
    registers: [registry],
    collect() {
      this.reset();
      const view = daemon.netfilter;
      if (!view) return;
      if ('unreadable' in view) {
        this.set({ table: '(unreadable)', chain: '', scope: 'all' }, 1);
        return;
      }
      for (const c of view.chains) this.set({ table: c.table, chain: c.chain, scope: c.ingress === null ? 'all' : 'interfaces' }, 1);
    },
  });
  registerSlowPathMetrics(registry, { slowPath: () => daemon.slowPath, fastPath: () => daemon.fp, interfaceName });
  return registry;
}

/** Serve /metrics; anything else is 404. */
export function serveMetrics(registry: Registry, at: MetricsEndpoint): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end('not found: try /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'Content-Type': registry.contentType }).end(text),
      (err: Error) => res.writeHead(500).end(`${err.message}\n`),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(at.port, at.host, () => resolve(server));
  });
}
