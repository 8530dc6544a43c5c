// `xdp-router verify --config FILE`: every difference between the fast
// path's maps and the kernel's tables; exit 1 when there is one.
import type { RouterConfig } from '../../config/schema.js';
import { FastPath } from '../../dataplane/fastpath.js';
import { readNetfilter, scopeOfView } from '../netfilter/watch.js';
import { NetlinkSource } from '../sync/netlink.js';
import { verify } from '../sync/verify.js';
import type { Difference } from '../sync/verify.js';

export async function verifyFastPath(config: RouterConfig): Promise<Difference[]> {
  const tables = config.tables;
  const fp = await FastPath.open({ ...(config.netns ? { netns: config.netns } : {}), pinDir: config.pinDir, adoptOnly: true });
  const source = new NetlinkSource({ ...(config.netns ? { netns: `/run/netns/${config.netns}` } : {}), tables });
  try {
    // the same reading the daemon makes, so its flags are checked too
    const netfilter = config.netfilter === 'respect' ? scopeOfView(await readNetfilter(config.netns ? `/run/netns/${config.netns}` : undefined)) : undefined;
    return await verify(fp, await source.dump(), { tables, interfaces: config.interfaces.map((i) => i.name), ...(netfilter ? { netfilter } : {}) });
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
