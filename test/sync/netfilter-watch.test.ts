// NetfilterWatch against the real kernel: nftables' own change notifications
// (NFNLGRP_NFTABLES) have the ruleset read again at once, so a chain on the
// forward hook reaches the listener in the time one `nft` run takes, where a
// poll once a second would be late for most of them. Needs root and nft.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNetns, deleteNetns } from '../../router/lab/netns.js';
import { NetfilterWatch, POLL_MS, type NetfilterView } from '../../router/netfilter/watch.js';

const NS = `xrt-nfw-${process.pid}`;
/** a change, told and read again, reaches the listener within this; a poll would take up to POLL_MS more */
const SEEN_MS = POLL_MS / 2;

const nft = (script: string): void => void execFileSync('ip', ['netns', 'exec', NS, 'nft', script]);

describe('NetfilterWatch', () => {
  const views: NetfilterView[] = [];
  const logged: string[] = [];
  let watch: NetfilterWatch;

  beforeAll(async () => {
    await deleteNetns(NS);
    await createNetns(NS);
    watch = new NetfilterWatch({ netnsPath: `/run/netns/${NS}`, onChange: (v) => views.push(v), log: (msg) => logged.push(msg) });
    await watch.start();
  });

  afterAll(async () => {
    watch?.stop();
    await deleteNetns(NS);
  });

  const next = async (after: number): Promise<{ view: NetfilterView; ms: number }> => {
    const start = performance.now();
    while (views.length === after) {
      if (performance.now() - start > POLL_MS * 3) throw new Error('no change reached the listener');
      await new Promise((r) => setTimeout(r, 2));
    }
    return { view: views[views.length - 1]!, ms: performance.now() - start };
  };

  it('subscribes to nftables notifications (no fallback to polling)', () => {
    expect(logged).toEqual([]);
    expect(views).toEqual([{ chains: [] }]);
  });

  it(`a forward chain added, then its table deleted, each reach the listener within ${SEEN_MS} ms, three times over`, async () => {
    for (let round = 0; round < 3; round++) {
      let seen = views.length;
      nft('add table inet xrt; add chain inet xrt c1 { type filter hook forward priority 0; }; add rule inet xrt c1 drop');
      const added = await next(seen);
      expect(added.view).toMatchObject({ chains: [{ table: 'inet xrt', chain: 'c1', hook: 'forward' }] });
      expect(added.ms).toBeLessThan(SEEN_MS);
      seen = views.length;
      nft('delete table inet xrt');
      const deleted = await next(seen);
      expect(deleted.view).toEqual({ chains: [] });
      expect(deleted.ms).toBeLessThan(SEEN_MS);
    }
  });
});
