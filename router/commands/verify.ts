// `xdp-router verify --config FILE`: every difference between the fast
// path's maps and the kernel's tables; exit 1 when there is one.
import type { RouterConfig } from '../../config/schema.js';
import { FastPath } from '../../dataplane/fastpath.js';
import { readNetfilter, scopeOfView } from '../netfilter/watch.js';
import { NetlinkSource } from '../sync/netlink.js';
import { verify } from '../sync/verify.js';
import { multipathUseNeigh } from '../sysctl.js';
import type { Difference } from '../sync/verify.js';

/**
 * Readings of both sides a difference must show up in to be reported. The
 * kernel and the maps cannot be read at one instant: a neighbour learned,
 * or a change the daemon applies a millisecond later, shows between two
 * dumps as a difference that is not one. What the daemon got wrong stays.
 */
const READINGS = 3;
const READING_GAP_MS = 200;

export interface VerifyResult {
  /** the differences every reading showed */
  differences: Difference[];
  /** how many times both sides were read: more than once when the first reading showed a difference */
  readings: number;
  /** what the first reading showed and a later one did not: changes in flight, not reported */
  passing: Difference[];
}

export async function verifyFastPath(config: RouterConfig): Promise<VerifyResult> {
  const tables = config.tables;
  const fp = await FastPath.open({ ...(config.netns ? { netns: config.netns } : {}), pinDir: config.pinDir, adoptOnly: true });
  const netns = config.netns ? `/run/netns/${config.netns}` : undefined;
  const source = new NetlinkSource({ ...(netns ? { netns } : {}), tables });
  const options = { tables, interfaces: config.interfaces.map((i) => i.name), multipathUseNeigh: multipathUseNeigh(netns) };
  const id = (d: Difference): string => `${d.kind} ${d.key}`;
  try {
    // each reading also reads netfilter as the daemon does, so its flags are checked too
    const reading = async (): Promise<Difference[]> => {
      const netfilter = config.netfilter === 'respect' ? scopeOfView(await readNetfilter(netns)) : undefined;
      return verify(fp, await source.dump(), { ...options, ...(netfilter ? { netfilter } : {}) });
    };
    const first = await reading();
    let diffs = first;
    let readings = 1;
    for (; readings < READINGS && diffs.length > 0; readings++) {
      await new Promise((r) => setTimeout(r, READING_GAP_MS));
      const again = new Set((await reading()).map(id));
      diffs = diffs.filter((d) => again.has(id(d)));
    }
    const kept = new Set(diffs.map(id));
    return { differences: diffs, readings, passing: first.filter((d) => !kept.has(id(d))) };
  } finally {
    source.close();
    fp.close();
  }
}

/** On stderr, when a reading was not enough: how many, and what passed (a whole reading of a full table takes seconds). */
export function formatReadings(result: VerifyResult): string {
  if (result.readings === 1) return '';
  if (result.passing.length === 0) return `verify: read both sides ${result.readings} times: the differences stayed\n`;
  const kinds = new Map<string, number>();
  for (const d of result.passing) kinds.set(d.kind, (kinds.get(d.kind) ?? 0) + 1);
  const what = [...kinds].map(([kind, n]) => `${n} ${kind}`).join(', ');
  return `verify: read both sides ${result.readings} times: ${result.passing.length} difference(s) of the first reading (${what}) were gone by a later one, changes in flight\n`;
}

export function formatDifferences(diffs: Difference[]): string {
  if (diffs.length === 0) return 'fast path and kernel agree\n';
  const lines = diffs.map((d) => `${d.kind} ${d.key}: kernel ${d.kernel ?? '(none)'}, fast path ${d.fastPath ?? '(none)'}`);
  return `${lines.join('\n')}\n${diffs.length} difference(s)\n`;
}
