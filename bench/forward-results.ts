// What the forward benchmark measures and reports: its options, a row per
// (table, path, traffic), and xdp-router compared with the other paths.
import type { GeneratorChoice } from './generator-choice.js';
import type { TableName, TableSize } from './forward-table.js';
import type { GeneratorName } from './lab-traffic.js';
import type { ProfileEntry } from './profile.js';
import type { SlowPathUnderLoad } from './slowpath-probe.js';

export interface ForwardOptions {
  /** seconds each case is measured for */
  seconds: number;
  /** flows of the flow mix (UDP source ports), over this many destinations */
  flows: number;
  destinations: number;
  /** profile the lab's core while xdp-router forwards the flow mix */
  profile: boolean;
  /** auto: live frames unless the machine refuses them, then AF_XDP */
  generator: GeneratorChoice;
  /** measure at the full table too, after 1k routes (1.35 million routes take minutes to install and sync) */
  fullTable: boolean;
  /** the paths to measure, by their short names (PATH_NAMES); all when absent */
  paths?: PathName[];
  /**
   * Rounds per table: each measures every path once, in an order that
   * rotates from round to round, and a row is its path's best round
   * (bestRows), with the rounds' range beside it.
   */
  rounds: number;
  /** seconds per trial of the throughput search; 0: no search, the flood alone */
  trialSeconds: number;
  /** the largest loss a trial of the search passes with, a fraction of what was sent */
  lossTolerance: number;
}

export type PathName = 'kernel' | 'reference forwarder' | 'xdp-router' | 'no-lookup redirect' | 'xdp-router slow path';
/** each path by the short name `--paths` takes */
export const PATH_NAMES: Readonly<Record<string, PathName>> = {
  kernel: 'kernel',
  reference: 'reference forwarder',
  fastpath: 'xdp-router',
  redirect: 'no-lookup redirect',
  slowpath: 'xdp-router slow path',
};
/**
 * one flow and the flow mix: IPv4, to a few destinations of 203.0.113.0/24;
 * IPv6 spread: to destinations spread over the table's IPv6 prefixes (moved
 * under the documentation range, forward-table.ts), where the size of the
 * table shows in a lookup's cost, as in the fast-path benchmark.
 */
export type TrafficName = 'one flow' | 'flow mix' | 'IPv6 spread';
export const TRAFFIC: TrafficName[] = ['one flow', 'flow mix', 'IPv6 spread'];
/** the traffic the slow path is measured with: its punt rule is IPv4's */
export const IPV4_TRAFFIC: TrafficName[] = ['one flow', 'flow mix'];

/**
 * A path's throughput (RFC 2544, 26.1, with a loss tolerance): what the
 * sink received at the highest offered rate the path forwarded with a loss
 * up to ForwardOptions.lossTolerance
 */
export interface Throughput {
  mpps: number;
  offeredMpps: number;
  /** the loss at that rate, a fraction of what was sent */
  loss: number;
  /** trials the search ran (0: the flood lost no more than the tolerance, so it is the figure) */
  trials: number;
  /**
   * The flood lost no more than the tolerance, so it is the figure: with the
   * generator on a core of its own, the generator's limit (the path's is
   * higher); sharing the path's core (sharedCore), that core's, generator
   * and path together.
   */
  generatorBound: boolean;
  /** the generator ran on the path's core (absent from results taken before it did) */
  sharedCore?: boolean;
  /** CPU time the lab's receive threads took per frame received at that rate, ns (absent from results taken before it was reported) */
  receiveNsPerFrame?: number | null;
}

/** A throughput as the progress lines and the report's notes say it. */
export function describeThroughput(t: Throughput | null, tolerance: number): string {
  if (t === null) return `none: every trial lost more than ${(100 * tolerance).toFixed(2)}%`;
  const cpu = t.receiveNsPerFrame != null ? `, ${t.receiveNsPerFrame.toFixed(0)} ns of receive CPU per frame` : '';
  const at = `${t.mpps.toFixed(2)} Mpps received of ${t.offeredMpps.toFixed(2)} offered, ${(100 * t.loss).toFixed(3)}% lost${cpu}`;
  if (!t.generatorBound) return `${at} (${t.trials} trials)`;
  return t.sharedCore ? `${at} (the flood: the most one core carries of generator and path)` : `${at} (the flood: the generator's most, the path carried it all)`;
}

/** the slow-path probe during a paced run, with what that run offered and lost */
export interface SlowPathAtRate extends SlowPathUnderLoad {
  offeredMpps: number;
  /** a fraction of what was sent */
  loss: number;
}

export interface ForwardRow {
  /** the routes the router held */
  table: TableName;
  path: PathName;
  traffic: TrafficName;
  /** what offered the traffic */
  generator: GeneratorName;
  /** null: not measured, see note */
  mpps: number | null;
  /**
   * Mpps per second of CPU time the lab's receive threads took in the
   * window: what one receiving core would carry alone, however busy the
   * machine's other tasks kept it
   */
  mppsPerReceiveCore: number | null;
  /**
   * The slow path's rows: CPU time its worker threads took per frame the
   * sink received in the window, ns (receive, decide, rewrite and the
   * kernel's copy-mode transmit, which runs in their system calls)
   */
  workerNsPerFrame?: number | null;
  /** what the generator offered over its run, Mpps */
  offeredMpps: number | null;
  sent: number | null;
  received: number | null;
  /** sent - received, over the whole run (settled) */
  dropped: number | null;
  note?: string;
  /** the slow path's flow-mix row: the control plane and its workers while it was saturated */
  slowPath?: SlowPathUnderLoad;
  /** the slow path's flow-mix row: the same while the generator offered its throughput */
  slowPathAtThroughput?: SlowPathAtRate;
  /** the throughput search's figure (absent: not searched; null: no trial passed) */
  throughput?: Throughput | null;
  /** the lowest and highest of the rounds this row is the best of */
  spread?: { rounds: number; mpps: Range | null; mppsPerReceiveCore: Range | null; throughput: Range | null };
}

export interface Range {
  min: number;
  max: number;
}

const rangeOf = (values: Array<number | null>): Range | null => {
  const known = values.filter((v): v is number => v !== null);
  return known.length === values.length && known.length > 0 ? { min: Math.min(...known), max: Math.max(...known) } : null;
};

/**
 * The rounds of each (table, path, traffic) as one row: the best round,
 * whole (its counts and notes stay together), and the spread of all of
 * them. Best: the most Mpps per receive core where every round has it
 * (the least CPU the path's receive work took per frame), else the highest
 * throughput (where searched, else the flood's received rate). What else
 * runs on the host only ever slows a round, by up to 1.7x here for tens of
 * seconds at a time, so a path's own cost is its best round; a row without
 * a rate sorts as the lowest.
 */
export function bestRows(rows: ForwardRow[]): ForwardRow[] {
  const groups = new Map<string, ForwardRow[]>();
  for (const r of rows) {
    const key = `${r.table}|${r.path}|${r.traffic}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()].map((rounds) => {
    const searched = rounds.some((r) => r.throughput !== undefined);
    const perCore = rounds.every((r) => r.mppsPerReceiveCore !== null);
    const rate = (r: ForwardRow): number => (perCore ? r.mppsPerReceiveCore! : searched ? (r.throughput?.mpps ?? -1) : (r.mpps ?? -1));
    const best = rounds.reduce((a, b) => (rate(b) > rate(a) ? b : a));
    if (rounds.length === 1) return best;
    return {
      ...best,
      spread: {
        rounds: rounds.length,
        mpps: rangeOf(rounds.map((r) => r.mpps)),
        mppsPerReceiveCore: rangeOf(rounds.map((r) => r.mppsPerReceiveCore)),
        throughput: searched ? rangeOf(rounds.map((r) => r.throughput?.mpps ?? null)) : null,
      },
    };
  });
}

/** what a comparison divides: the throughput, the flood's received Mpps, or the flood's Mpps per receive core */
export type Basis = 'throughput' | 'received' | 'per receive core';
export const BASES: Basis[] = ['throughput', 'received', 'per receive core'];

/** a row's figure on a basis */
export function mppsOn(row: ForwardRow, basis: Basis): number | null {
  switch (basis) {
    case 'throughput':
      return row.throughput?.mpps ?? null;
    case 'received':
      return row.mpps;
    case 'per receive core':
      return row.mppsPerReceiveCore;
  }
}

/** xdp-router against the other paths, on one basis, table and traffic */
export interface ForwardComparison {
  basis: Basis;
  table: TableName;
  traffic: TrafficName;
  overKernel: number | null;
  overReference: number | null;
  /** xdp-router's share of what the no-lookup redirect carried */
  ofRedirect: number | null;
}

export interface ForwardResult {
  options: ForwardOptions;
  /** the generator of every row */
  generator: GeneratorName;
  tables: TableSize[];
  rows: ForwardRow[];
  comparisons: ForwardComparison[];
  /** the lab's core (generator, router and sink) while xdp-router forwards */
  profile?: { table: TableName; path: PathName; traffic: TrafficName; cpu: number; entries: ProfileEntry[] | null };
}

/** xdp-router against each other path, per basis, table and traffic, from the rows measured (the throughput where it was searched) */
export function compareForward(rows: ForwardRow[], tables: TableSize[]): ForwardComparison[] {
  const ratio = (a: number | null, b: number | null): number | null => (a !== null && b ? a / b : null);
  const searched = rows.some((r) => r.throughput !== undefined);
  return BASES.filter((basis) => searched || basis !== 'throughput').flatMap((basis) => {
    const mppsOf = (table: TableName, path: PathName, traffic: TrafficName): number | null => {
      const row = rows.find((r) => r.table === table && r.path === path && r.traffic === traffic);
      return row ? mppsOn(row, basis) : null;
    };
    // the traffic measured: a result of an older run has no IPv6 spread
    const traffics = TRAFFIC.filter((traffic) => rows.some((r) => r.traffic === traffic));
    return tables.flatMap(({ name: table }) =>
      traffics.map((traffic) => {
        const router = mppsOf(table, 'xdp-router', traffic);
        return {
          basis,
          table,
          traffic,
          overKernel: ratio(router, mppsOf(table, 'kernel', traffic)),
          overReference: ratio(router, mppsOf(table, 'reference forwarder', traffic)),
          ofRedirect: ratio(router, mppsOf(table, 'no-lookup redirect', traffic)),
        };
      }),
    );
  });
}
