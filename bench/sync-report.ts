// The sync benchmark's figures as Markdown, beside issue 15's targets.
import type { DaemonMemory, Lag, SyncResult } from './sync.js';

const mib = (b: number): string => (Number.isNaN(b) ? '–' : `${(b / 2 ** 20).toFixed(0)} MiB`);
const ms = (n: number): string => (Number.isNaN(n) ? '–' : `${n.toFixed(0)} ms`);
const secs = (n: number): string => (Number.isNaN(n) ? '–' : `${(n / 1000).toFixed(1)} s`);
const count = (n: number): string => n.toLocaleString('en-US');

function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

const lagCells = (l: Lag): string[] => [ms(l.p50Ms), ms(l.p99Ms), ms(l.maxMs), `${count(l.samples)}${l.lost > 0 ? ` (${l.lost} batches lost)` : ''}`];

/** RSS, and what of it is the mapped BPF arrays (file pages, beside the code) and the rest: anonymous pages, the V8 heap among them */
const memoryCells = (m: DaemonMemory): string[] => [
  mib(m.rss),
  mib(m.peak),
  `${mib(m.bpfResident)} of ${mib(m.bpfMapped)}`,
  mib(m.rss - m.bpfResident),
  mib(m.peak - m.bpfResident),
  mib(m.anon),
  `${mib(m.heap.used)} of ${mib(m.heap.total)}`,
  mib(m.heap.external),
];
/** the daemon's CPU time per thousand routes changed: a cost that load does not change much */
const cpuPer1k = (cpuMs: number, changes: number): string => `${((cpuMs / changes) * 1000).toFixed(0)} ms`;

/** a live feed's row: by ip -batch, by BGP */
const feedRow = (phase: string, f: SyncResult['feed'], routes: number): string[] => [
  phase,
  secs(f.kernelMs),
  ...lagCells(f.lag),
  secs(f.completeAfterKernelMs),
  String(f.resyncs),
  cpuPer1k(f.daemonCpuMs, routes),
  'p99 <= 1 s, complete <= 1 s',
];

export function syncMarkdown(r: SyncResult): string {
  const o = r.options;
  const routes = o.ipv4 + o.ipv6;
  return [
    '### sync: the daemon at full-table scale',
    '',
    `${count(o.ipv4)} IPv4 and ${count(o.ipv6)} IPv6 prefixes of the full-table mix; lag timed on ${count(r.probes)} probe routes ` +
      '(from their netlink event to their first lookup in the pinned maps, both timed on a thread of their own, which collections of the bench process do not stop: route-lag-tracker.ts).',
    '',
    table(
      ['phase', 'kernel', 'lag p50', 'lag p99', 'lag max', 'probes timed', 'fast path complete after the kernel', 'resyncs', 'daemon CPU per 1k changes', 'target'],
      [
        feedRow('live feed (ip -batch)', r.feed, routes),
        feedRow('live feed (BGP: BIRD in B to BIRD on the router)', r.bgpFeed, routes),
        [
          `churn: ${count(Math.round(r.churn.perSecond))} changes/s for ${r.churn.seconds.toFixed(0)} s`,
          `${count(r.churn.changes)} changes`,
          ...lagCells(r.churn.lag),
          '–',
          String(r.churn.resyncs),
          cpuPer1k(r.churn.daemonCpuMs, r.churn.changes),
          'p99 <= 100 ms, no resync',
        ],
        ['removal (ip -batch)', secs(r.removal.kernelMs), ...lagCells(r.removal.lag), secs(r.removal.completeAfterKernelMs), '–', cpuPer1k(r.removal.daemonCpuMs, routes), 'complete <= 5 s'],
      ],
    ),
    '',
    `Cold start on the table: ${count(r.coldStart.routes)} routes in sync ${secs(r.coldStart.syncMs)} after the daemon subscribed ` +
      `(its own log line; the dump ${secs(r.coldStart.dumpMs)} of it), ${secs(r.coldStart.startMs)} from the spawn to driving its interfaces, ${secs(r.coldStart.daemonCpuMs)} of CPU (target: 10 s).`,
    '',
    `Verify of the whole table: ${r.verify.passed ? 'passed' : 'found differences'} in ${secs(r.verify.ms)}, peak ${mib(r.verify.peakRssBytes)}, ` +
      `${mib(r.verify.peakAnonBytes)} of it anonymous, its own (the rest: the BPF arrays it maps, ${mib(r.verify.bpfMappedBytes)} of the daemon's maps resident whole from the mmap, and its code) (target: 10 s, 512 MiB)` +
      `${r.verify.readings ? `; ${r.verify.readings.replace(/^verify: /, '')}` : '; one reading of each side'}.`,
    '',
    table(
      ['daemon memory', 'RSS', 'peak (VmHWM)', 'BPF arrays resident of mapped', 'RSS less the arrays', 'peak less the arrays', 'anonymous', 'V8 heap used of total', 'outside the heap (Buffers)'],
      [
        ['before the table', ...memoryCells(r.memory.before)],
        ['settled after the feed', ...memoryCells(r.memory.settled)],
        ['after the churn', ...memoryCells(r.memory.afterChurn)],
        ['cold start, in sync', ...memoryCells(r.coldStart.memory)],
      ],
    ),
    '',
    'Targets: peak <= 512 MiB, settled <= 300 MiB, apart from the BPF arrays (mapped index arrays, whose size the maps fix).',
  ].join('\n');
}
