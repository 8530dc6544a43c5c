// The fast path's counters as Prometheus counters: never going down, even
// when forwarded gives back the frames an egress device refused after the
// redirect (bpf/redirect_errors.c), so a scrape in between is no reset.
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { CounterRow } from '../../dataplane/fastpath.js';
import { createMetrics } from '../../router/metrics.js';
import type { DaemonStatus } from '../../router/status/view.js';
import { value } from '../helpers/metrics.js';

describe('xdp_router_packets_total', () => {
  it('reports the highest value each series has had: a refusal moved after a scrape does not make forwarded fall', async () => {
    let rows: CounterRow[] = [];
    const daemon = { fp: { counters: async () => rows, fib4Groups: () => undefined, fib6Lines: () => undefined }, attached: [{ name: 'r0', ifindex: 3, mode: 'native', adopted: false }], resyncs: 0, lastSync: 0 };
    const registry = createMetrics(daemon as unknown as DaemonStatus, new Registry());
    const scrape = async (): Promise<{ forwarded: number; refused: number; bytes: number }> => {
      const text = await registry.metrics();
      return {
        forwarded: value(text, 'xdp_router_packets_total{interface="r0",reason="forwarded"}'),
        refused: value(text, 'xdp_router_packets_total{interface="r0",reason="drop-redirect"}'),
        bytes: value(text, 'xdp_router_bytes_total{interface="r0",reason="forwarded"}'),
      };
    };
    // scraped between the redirect of 64 frames and their refusal at the flush
    rows = [{ ifindex: 3, reason: 'forwarded', packets: 1064n, bytes: 106_400n }];
    expect(await scrape()).toEqual({ forwarded: 1064, refused: 0, bytes: 106_400 });
    rows = [
      { ifindex: 3, reason: 'forwarded', packets: 1000n, bytes: 106_400n },
      { ifindex: 3, reason: 'drop-redirect', packets: 64n, bytes: 0n },
    ];
    expect(await scrape()).toEqual({ forwarded: 1064, refused: 64, bytes: 106_400 });
    // later traffic covers the surplus; from there on the series is the map's
    rows = [
      { ifindex: 3, reason: 'forwarded', packets: 1100n, bytes: 110_000n },
      { ifindex: 3, reason: 'drop-redirect', packets: 64n, bytes: 0n },
    ];
    expect(await scrape()).toEqual({ forwarded: 1100, refused: 64, bytes: 110_000 });
  });
});
