// Prometheus metrics of a running daemon: scraped over HTTP on loopback,
// the fast path's counters move with the traffic that crosses the lab.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab, destroyLab, setKernelForwarding } from '../../router/lab/topology.js';
import type { Lab } from '../../router/lab/topology.js';
import { startDaemonProcess, stopProcess, writeLabConfig } from '../helpers/daemon.js';
import type { DaemonProcess } from '../helpers/daemon.js';
import { ping, udpStream } from '../helpers/traffic.js';

const PREFIX = `xrt-m-${process.pid}`;
const PORT = 20000 + (process.pid % 20000);

async function scrape(): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${PORT}/metrics`);
  expect(res.status).toBe(200);
  return res.text();
}

function value(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

describe('metrics', () => {
  let lab: Lab;
  let config: ReturnType<typeof writeLabConfig>;
  let daemon: DaemonProcess | undefined;

  beforeAll(async () => {
    lab = await createLab(PREFIX);
    await setKernelForwarding(lab, true);
    config = writeLabConfig(PREFIX, `metrics:\n  listen: "127.0.0.1:${PORT}"\n`);
    daemon = await startDaemonProcess(config.file);
  });

  afterAll(async () => {
    try {
      await stopProcess(daemon);
    } finally {
      config?.cleanup();
      await destroyLab(PREFIX);
    }
  });

  it('serves the fast path, sync and table metrics under Prometheus names', async () => {
    const text = await scrape();
    for (const name of ['xdp_router_packets_total', 'xdp_router_bytes_total', 'xdp_router_routes', 'xdp_router_neighbours', 'xdp_router_sync_resyncs_total', 'xdp_router_sync_last_age_seconds', 'xdp_router_interface_attached']) {
      expect(text).toContain(`# TYPE ${name} `);
    }
    expect(value(text, 'xdp_router_routes{family="ipv4"}')).toBeGreaterThanOrEqual(3);
    expect(value(text, 'xdp_router_interface_attached{interface="r0",mode="native"}')).toBe(1);
  });

  it('forwarded packets and bytes move with the traffic', async () => {
    expect(await ping(lab.a.ns, lab.b.v4, 1)).toBe(1);
    const series = 'xdp_router_packets_total{interface="r0",reason="forwarded"}';
    const before = value(await scrape(), series);
    const r = await udpStream(lab.a.ns, lab.b.ns, lab.b.v4, 1000, 1000);
    expect(r.unique).toBe(1000);
    const text = await scrape();
    expect(value(text, series) - before).toBeGreaterThanOrEqual(1000);
    expect(value(text, 'xdp_router_bytes_total{interface="r0",reason="forwarded"}')).toBeGreaterThan(0);
  });
});
