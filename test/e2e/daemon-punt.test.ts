// Punt rules from the config file: the daemon compiles the punt stage in,
// binds its AF_XDP sockets and forwards the punted flow in userspace, and
// its /metrics shows the flow in the sockets' and the rule's counters.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastPath } from '../../dataplane/fastpath.js';
import { createLab, destroyLab, setKernelForwarding } from '../../router/lab/topology.js';
import type { Lab } from '../../router/lab/topology.js';
import { openPinned, startDaemonProcess, stopProcess, within, writeLabConfig } from '../helpers/daemon.js';
import type { DaemonProcess } from '../helpers/daemon.js';
import { freePort, samples, scrape, sum } from '../helpers/metrics.js';
import { ping, udpStream } from '../../router/lab/traffic.js';

const PREFIX = `xrt-dp-${process.pid}`;

describe('the daemon with punt rules in its config', () => {
  let lab: Lab;
  let config: ReturnType<typeof writeLabConfig>;
  let daemon: DaemonProcess | undefined;
  let fp: FastPath | undefined;
  let port: number;

  beforeAll(async () => {
    lab = await createLab(PREFIX);
    await setKernelForwarding(lab, true);
    port = await freePort();
    config = writeLabConfig(PREFIX, `punt:\n  - prefix: ${lab.remote.prefix4}\n    protocol: udp\nmetrics:\n  listen: "127.0.0.1:${port}"\n`);
    daemon = await startDaemonProcess(config.file);
    fp = await openPinned(lab.router.ns, config.pinDir);
  });

  afterAll(async () => {
    try {
      fp?.close();
      await stopProcess(daemon);
    } finally {
      config?.cleanup();
      await destroyLab(PREFIX);
    }
  });

  it('loads the rule and binds a socket per queue', async () => {
    await within(5000, () => daemon!.log().includes('"msg":"slow path running"'), 'slow path started');
    expect(await fp!.puntRules()).toEqual([{ id: 0, prefix: lab.remote.prefix4, protocol: 17 }]);
    expect(daemon!.log()).toMatch(/"msg":"AF_XDP socket bound","interface":"r0","queue":0,"mode":"(copy|zerocopy)"/);
  });

  it('with kernel forwarding off, the punted UDP flow crosses through userspace, ICMP through XDP', async () => {
    expect(await ping(lab.a.ns, lab.b.v4, 1)).toBe(1); // neighbours resolved while the kernel forwards
    expect(await ping(lab.a.ns, lab.remote.v4, 1)).toBe(1);
    await setKernelForwarding(lab, false);
    try {
      const punted = fp!.puntStats(0).packets;
      const before = await scrape(port);
      const r = await udpStream(lab.a.ns, lab.b.ns, lab.remote.v4, 1000, 1000);
      expect(r).toMatchObject({ sent: 1000, unique: 1000, corrupt: 0 });
      const puntedNow = fp!.puntStats(0).packets - punted;
      expect(puntedNow).toBeGreaterThanOrEqual(1000n);
      const after = await scrape(port);
      const rise = (name: string, labels: Record<string, string>): number => sum(after, name, labels) - sum(before, name, labels);
      // with the kernel not forwarding, every datagram B got crossed the slow path: read on r0's sockets, sent on r1's
      expect(rise('xdp_router_xsk_rx_packets_total', { interface: 'r0' })).toBeGreaterThanOrEqual(r.unique);
      expect(rise('xdp_router_xsk_tx_packets_total', { interface: 'r1' })).toBeGreaterThanOrEqual(r.unique);
      expect(rise('xdp_router_slowpath_packets_total', { result: 'forwarded' })).toBeGreaterThanOrEqual(r.unique);
      // the rule's counter is the map the test reads, at a later moment
      expect(rise('xdp_router_punt_packets_total', { rule: lab.remote.prefix4 })).toBeGreaterThanOrEqual(Number(puntedNow));
      expect(rise('xdp_router_punt_bytes_total', { rule: lab.remote.prefix4 })).toBeGreaterThan(0);
      expect(await ping(lab.a.ns, lab.remote.v4, 3)).toBe(3);
    } finally {
      await setKernelForwarding(lab, true);
    }
  });

  it('labels each socket by the router interface name and queue, and has every XDP_STATISTICS family', async () => {
    const text = await scrape(port);
    const sockets = samples(text, 'xdp_router_xsk_rx_packets_total').map((x) => x.labels);
    expect(sockets).toContainEqual({ interface: 'r0', queue: '0' });
    expect(sockets).toContainEqual({ interface: 'r1', queue: '0' });
    expect(sockets.every((l) => l.interface === 'r0' || l.interface === 'r1')).toBe(true);
    for (const name of ['tx_packets', 'rx_dropped', 'rx_ring_full', 'fill_ring_empty', 'rx_invalid_descs', 'tx_invalid_descs', 'tx_ring_empty']) {
      expect(samples(text, `xdp_router_xsk_${name}_total`).map((x) => x.labels)).toEqual(sockets);
    }
  });
});
