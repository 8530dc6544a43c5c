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

export async function verifyFastPath(config: RouterConfig): Promise<Difference[]> {
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
    let diffs = await reading();
    for (let n = 2; n <= READINGS && diffs.length > 0; n++) {
      await new Promise((r) => setTimeout(r, READING_GAP_MS));
      const again = new Set((await reading()).map(id));
      diffs = diffs.filter((d) => again.has(id(d)));
    }
    return diffs;
  } finally {
    source.close();
    fp.close();
  }
}

export function formatDifferences(diffs: Difference[]): string {
  if (diffs.length === 0) return 'fast path and kernel agree\n';
  const lines = diffs.map((d) => `${d.kind} ${d.key}: kernel ${d.kernel ?? '(none)'}, fast path ${d.fastPath ?? '(none)'}`);
  return `${lines.join('\n')}\n${diffs.length} difference(s)\n`;
}
