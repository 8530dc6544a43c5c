// Prometheus families of the slow path: its AF_XDP sockets' counters (the
// kernel's XDP_STATISTICS, and what userspace read and sent), what the
// userspace forwarder did with each frame, and each punt rule's hits. Read at
// scrape time like the fast path's counters; without a slow path (no punt
// rules in the config) the families have no series.
import { Counter, Gauge } from 'prom-client';
import type { Registry } from 'prom-client';
import type { FastPath } from '../../dataplane/fastpath.js';
import type { SlowPath, QueueStats } from './service.js';

export interface SlowPathMetricsSource {
  slowPath(): SlowPath | undefined;
  fastPath(): FastPath | undefined;
  /** the label an interface goes by */
  interfaceName(ifindex: number): string;
}

type QueueCounter = 'received' | 'transmitted' | 'rxDropped' | 'rxRingFull' | 'fillRingEmpty' | 'rxInvalid' | 'txInvalid' | 'txRingEmpty' | 'batches' | 'captureSkipped';

/** QueueStats field, metric name, what it counts, and the kernel's name when it is one of XDP_STATISTICS */
const XSK_COUNTERS: ReadonlyArray<readonly [QueueCounter & keyof QueueStats, string, string, string?]> = [
  ['received', 'rx_packets', 'Frames the slow path read from its AF_XDP socket'],
  ['transmitted', 'tx_packets', 'Frames the slow path queued for sending on its AF_XDP socket'],
  ['rxDropped', 'rx_dropped', 'Frames the kernel dropped on the way to the socket for reasons other than a full RX ring, such as no fill buffer or too large', 'rx_dropped'],
  ['rxRingFull', 'rx_ring_full', "Frames dropped because the socket's RX ring was full: the slow path did not read in time", 'rx_ring_full'],
  ['fillRingEmpty', 'fill_ring_empty', 'Times the kernel found the fill ring empty, with no buffer for a frame', 'rx_fill_ring_empty_descs'],
  ['rxInvalid', 'rx_invalid_descs', "Invalid descriptors on the socket's fill ring", 'rx_invalid_descs'],
  ['txInvalid', 'tx_invalid_descs', "Invalid descriptors on the socket's TX ring", 'tx_invalid_descs'],
  ['txRingEmpty', 'tx_ring_empty', 'Times the kernel found the TX ring empty; in copy mode every send wakeup counts one', 'tx_ring_empty_descs'],
  ['batches', 'rx_batches', "Receive batches (up to 64 frames each) the socket's worker thread forwarded"],
  ['captureSkipped', 'capture_skipped', 'Frames a capture skipped because its queue was full: the capture fell behind, forwarding did not wait for it'],
];

export function registerSlowPathMetrics(registry: Registry, source: SlowPathMetricsSource): void {
  for (const [field, name, help, kernel] of XSK_COUNTERS) {
    new Counter({
      name: `xdp_router_xsk_${name}_total`,
      help: `${help}, by interface and receive queue${kernel ? ` (XDP_STATISTICS ${kernel})` : ''}`,
      labelNames: ['interface', 'queue'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const s of source.slowPath()?.stats() ?? []) {
          this.inc({ interface: source.interfaceName(s.ifindex), queue: String(s.queue) }, s[field]);
        }
      },
    });
  }
  new Gauge({
    name: 'xdp_router_xsk_mode',
    help: 'Each AF_XDP socket of the slow path: 1 with the mode its queue bound in, zerocopy where the driver gives it, else copy',
    labelNames: ['interface', 'queue', 'mode'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const s of source.slowPath()?.stats() ?? []) this.set({ interface: source.interfaceName(s.ifindex), queue: String(s.queue), mode: s.mode }, 1);
    },
  });
  new Counter({
    name: 'xdp_router_slowpath_packets_total',
    help:
      'Punted frames the userspace forwarder handled, by result (forwarded, or the reason XDP would now give: the tables changed after it punted the frame) ' +
      'and action: transmit (sent on by the slow path), kernel (given back to the kernel, as XDP passes), drop',
    labelNames: ['result', 'action'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const r of source.slowPath()?.forwarder.results() ?? []) this.inc({ result: r.outcome, action: r.action }, r.packets);
    },
  });
  for (const field of ['packets', 'bytes'] as const) {
    new Counter({
      name: `xdp_router_punt_${field}_total`,
      help: `${field[0]!.toUpperCase()}${field.slice(1)} the fast path punted to the slow path, by rule (its prefix); a rule made again counts from zero`,
      labelNames: ['rule'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        const fp = source.fastPath();
        // the punt stage's maps are only read while there is a slow path to punt to
        if (!fp || !source.slowPath()) return;
        for (const rule of await fp.puntRules()) this.inc({ rule: rule.prefix }, Number(fp.puntStats(rule.id)[field]));
      },
    });
  }
}
