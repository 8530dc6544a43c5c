// The daemon's V8 heap as its own /metrics reports it (prom-client's
// process collectors): what of its resident memory is JavaScript objects.
export interface DaemonHeap {
  /** bytes: live objects, the heap's size (with what is not collected yet), and memory outside it (Buffers) */
  used: number;
  total: number;
  external: number;
}

/** The metrics endpoint of a config that support/daemon.ts wrote ("listen: "127.0.0.1:PORT""). */
export function metricsUrl(configText: string): string {
  const m = /listen:\s*"?([\d.]+:\d+)"?/.exec(configText);
  if (!m) throw new Error('the daemon config has no metrics listen address: the benchmark reads the heap from /metrics');
  return `http://${m[1]}/metrics`;
}

const metric = (text: string, name: string): number => {
  const m = new RegExp(`^xdp_router_process_${name} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : NaN;
};

export async function daemonHeap(url: string): Promise<DaemonHeap> {
  const text = await (await fetch(url)).text();
  return { used: metric(text, 'nodejs_heap_size_used_bytes'), total: metric(text, 'nodejs_heap_size_total_bytes'), external: metric(text, 'nodejs_external_memory_bytes') };
}
