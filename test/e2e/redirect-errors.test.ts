// Honest counters: a frame the fast path redirected but the egress device
// refused is counted drop-redirect, not forwarded, whether the refusal
// comes at once (a veth whose peer has neither XDP nor GRO takes no
// redirects) or at the devmap's flush (a frame over the peer's MTU); the
// tracing links that move them survive a kill -9, are adopted by the next
// start rather than doubled, and go with a clean stop.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FastPath } from '../../dataplane/fastpath.js';
import { addon } from '../../dataplane/native.js';
import { ip, run } from '../../router/lab/netns.js';
import { setKernelForwarding } from '../../router/lab/topology.js';
import type { Lab } from '../../router/lab/topology.js';
import type { DaemonConfig, RouterDaemon } from '../../support/daemon.js';
import { startLabDaemon, withLabDaemon } from '../../support/lab-daemon.js';
import type { LabDaemon } from '../../support/lab-daemon.js';
import { cli, within } from '../helpers/router.js';
import { linksCountingInto } from '../helpers/links.js';
import { freePort, scrape, value } from '../helpers/metrics.js';
import { ping, udpStream } from '../../router/lab/traffic.js';

const PREFIX = `xrt-re-${process.pid}`;
const FRAMES = 100;
/** B's MTU in the flush test: below the size of its pings, above the default frames */
const SMALL_MTU = 1000;
const BIG_PING = 1200;

describe('redirects the egress device refuses', () => {
  let h: LabDaemon | undefined;
  let lab: Lab;
  let config: DaemonConfig;
  let daemon: RouterDaemon;
  let fp: FastPath;
  let port: number;
  let r0: number;
  let countersId: number;

  beforeAll(async () => {
    port = await freePort();
    h = await startLabDaemon({ prefix: PREFIX, extraConfig: `metrics:\n  listen: "127.0.0.1:${port}"\n` });
    ({ lab, config, daemon, fp } = h);
    r0 = lab.router.toA.ifindex;
    countersId = fp.map('xr_counters').id;
    // B resolved while the kernel still forwards; from here on only XDP does
    expect(await ping(lab.a.ns, lab.b.v4, 1)).toBe(1);
    await within(2000, async () => fp.neighbour(lab.router.toB.ifindex, lab.b.v4)?.valid === true, 'B in the fast path');
    await setKernelForwarding(lab, false);
  });

  afterAll(async () => {
    await h?.dispose();
  });

  // a case that failed between the kill and the restart leaves no daemon for the next
  beforeEach(async () => {
    if (!daemon.running) await daemon.restart();
  });

  /** forwarded and drop-redirect packets of r0, as the maps hold them */
  const counts = async (): Promise<{ forwarded: bigint; refused: bigint }> => ({
    forwarded: await fp.packets('forwarded', r0),
    refused: await fp.packets('drop-redirect', r0),
  });

  /** B's veth end without GRO: the router's r1 then takes no redirected frame */
  const withoutGro = async <T>(body: () => Promise<T>): Promise<T> => {
    await run(['ethtool', '-K', 'b0', 'gro', 'off'], lab.b.ns);
    try {
      return await body();
    } finally {
      await run(['ethtool', '-K', 'b0', 'gro', 'on'], lab.b.ns);
    }
  };

  it('a veth whose peer has neither XDP nor GRO: drop-redirect, not forwarded; with GRO back, forwarded', async () => {
    const before = await counts();
    const refused = await withoutGro(() => udpStream(lab.a.ns, lab.b.ns, lab.b.v4, FRAMES, 1000));
    expect(refused.sent).toBe(FRAMES);
    expect(refused.unique).toBe(0);
    const during = await counts();
    expect(during.refused - before.refused).toBe(BigInt(FRAMES));
    expect(during.forwarded - before.forwarded).toBe(0n);

    const delivered = await udpStream(lab.a.ns, lab.b.ns, lab.b.v4, FRAMES, 1000);
    expect(delivered.unique).toBe(FRAMES);
    const after = await counts();
    expect(after.forwarded - during.forwarded).toBe(BigInt(FRAMES));
    expect(after.refused).toBe(during.refused);
  });

  it('xdp-router stats and /metrics show drop-redirect per interface, packets only', async () => {
    await withoutGro(() => udpStream(lab.a.ns, lab.b.ns, lab.b.v4, FRAMES, 1000));
    const { refused } = await counts();
    expect(refused).toBeGreaterThanOrEqual(BigInt(FRAMES));
    const text = await scrape(port);
    expect(value(text, 'xdp_router_packets_total{interface="r0",reason="drop-redirect"}')).toBe(Number(refused));
    // the tracepoints give no lengths: the bytes stay with forwarded
    expect(value(text, 'xdp_router_bytes_total{interface="r0",reason="drop-redirect"}')).toBe(0);
    const stats = await cli(['stats', '--json', '--config', config.file]);
    expect(stats.code).toBe(0);
    const parsed = JSON.parse(stats.stdout) as { interfaces: Array<{ interface: string; counters: Array<{ reason: string; packets: string }> }> };
    const row = parsed.interfaces.find((i) => i.interface === 'r0')?.counters.find((c) => c.reason === 'drop-redirect');
    expect(BigInt(row?.packets ?? -1)).toBe(refused);
  });

  it('a frame over the receiving peer\'s MTU, refused when the devmap flushes: drop-redirect too', async () => {
    await ip(['link', 'set', 'b0', 'mtu', String(SMALL_MTU)], lab.b.ns);
    try {
      const before = await counts();
      // the router's r1 takes 1500 bytes, so the fast path sends; B's end cannot take them
      const replies = await ping(lab.a.ns, lab.b.v4, FRAMES / 10).catch(() => 0);
      expect(replies).toBe(FRAMES / 10); // small pings still pass both ways
      const afterSmall = await counts();
      await run(['ping', '-c', String(FRAMES / 10), '-s', String(BIG_PING), '-i', '0.05', '-W', '1', '-q', lab.b.v4], lab.a.ns).catch(() => '');
      const after = await counts();
      expect(after.refused - afterSmall.refused).toBe(BigInt(FRAMES / 10));
      expect(after.forwarded - afterSmall.forwarded).toBe(0n);
      expect(afterSmall.refused).toBe(before.refused);
    } finally {
      await ip(['link', 'set', 'b0', 'mtu', '1500'], lab.b.ns);
    }
  });

  it('kill -9 leaves them counting; the restart adopts the pinned links instead of attaching a second pair', async () => {
    const links = linksCountingInto(countersId);
    expect(links).toHaveLength(2); // one per tracepoint
    await daemon.crash();
    const before = await counts();
    await withoutGro(() => udpStream(lab.a.ns, lab.b.ns, lab.b.v4, FRAMES, 1000));
    expect((await counts()).refused - before.refused).toBe(BigInt(FRAMES));

    await daemon.restart();
    expect(daemon.log()).toContain('kept the redirect-error counters a previous run attached');
    expect(linksCountingInto(countersId)).toEqual(links);
  });

  it('a clean stop detaches and unpins them with everything else', async () => {
    // a lab of its own: the stop takes the daemon the other cases share
    await withLabDaemon({ prefix: `xrt-restop-${process.pid}` }, async ({ config, fp }) => {
      const countersId = fp.map('xr_counters').id;
      const links = linksCountingInto(countersId);
      expect(links).toHaveLength(2);
      for (const name of ['xr_count_xmit_drops', 'xr_count_redirect_errors']) {
        const link = addon.openPinnedLink(join(config.pinDir, name));
        expect(links).toContain(link.id);
        link.close(); // an fd held here would keep the link attached
      }
      const stop = await cli(['stop', '--config', config.file]);
      expect(stop.code).toBe(0);
      expect(existsSync(config.pinDir)).toBe(false);
      // the test's own fds keep the maps, not the links
      expect(linksCountingInto(countersId)).toEqual([]);
    });
  });
});
