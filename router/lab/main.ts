// `xdp-router lab`: build the namespace lab, run the daemon on the router
// namespace (it attaches to the router's interfaces and mirrors the
// kernel's tables over netlink), send traffic across, and print the fast
// path's counters until Ctrl-C or --duration.
import type { ChildProcess } from 'node:child_process';
import { parseConfig } from '../../config/schema.js';
import type { RouterConfig } from '../../config/schema.js';
import type { CounterRow } from '../../dataplane/fastpath.js';
import { socketAnswers } from '../api/listen.js';
import { startDaemon } from '../commands/run.js';
import type { RunHandle } from '../commands/run.js';
import { createLogger } from '../log.js';
import { listNetns, spawnIn } from './netns.js';
import { LAB_ADDRESSES, createLab, destroyLab, setKernelForwarding } from './topology.js';
import { UDP_SENDER, UDP_SINK } from './traffic.js';

export const LAB_PREFIX = 'xr-lab';
const UDP_RATE = 1000;

/**
 * The daemon's config for the lab: the router namespace's two interfaces.
 * The API socket and metrics address stay the defaults, so the CLI and a
 * scrape reach the lab's daemon with no options, as the README's tour does.
 */
export function labConfig(prefix = LAB_PREFIX): RouterConfig {
  const yaml = [
    'interfaces: [r0, r1]',
    `netns: ${prefix}-r`,
    `pinDir: /sys/fs/bpf/${prefix}`,
    // the lab's ping to B's loopback crosses the AF_XDP slow path, so
    // `xdp-router punt list` and `capture` have something to show
    'punt:',
    `  - prefix: ${LAB_ADDRESSES.remote.prefix6}`,
    '    protocol: icmp',
  ].join('\n');
  return parseConfig(yaml, '(lab default)');
}

export interface LabOptions {
  /** seconds; 0 runs until a signal */
  duration: number;
  out: NodeJS.WritableStream;
}

function formatCounters(rows: CounterRow[], names: Map<number, string>, previous: Map<string, bigint>, seconds: number): string {
  const lines: string[] = [];
  for (const row of [...rows].sort((x, y) => x.ifindex - y.ifindex || x.reason.localeCompare(y.reason))) {
    const key = `${row.ifindex}/${row.reason}`;
    const rate = Number(row.packets - (previous.get(key) ?? 0n)) / seconds;
    previous.set(key, row.packets);
    lines.push(`  ${(names.get(row.ifindex) ?? String(row.ifindex)).padEnd(4)} ${row.reason.padEnd(18)} ${String(row.packets).padStart(10)} pkts ${String(row.bytes).padStart(12)} bytes ${rate.toFixed(0).padStart(7)} pkt/s`);
  }
  return lines.join('\n');
}

export async function runLab(options: LabOptions): Promise<number> {
  const log = (line: string): void => void options.out.write(`${line}\n`);
  const config = labConfig();
  // a running lab (or daemon) owns the namespaces and the socket: leave them be
  if (await socketAnswers(config.api.unix.path)) {
    log(`lab: a daemon already serves ${config.api.unix.path} (another lab?); stop it first`);
    return 1;
  }
  for (const ns of await listNetns()) {
    if (ns.startsWith(`${LAB_PREFIX}-`)) {
      log(`lab: removing namespaces of an earlier lab run (${ns})`);
      await destroyLab(LAB_PREFIX);
      break;
    }
  }
  log('lab: creating namespaces xr-lab-a (192.0.2.2, 2001:db8:a::2) - xr-lab-r - xr-lab-b (198.51.100.2, 2001:db8:b::2)');
  // the route to B's 203.0.113.0/24 is left for the tour's `xdp-router route add`
  const lab = await createLab(LAB_PREFIX, { remoteRoute4: false });
  const children: ChildProcess[] = [];
  let handle: RunHandle | undefined;
  let stop: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  // `on`, not `once`: Ctrl-C under npm arrives twice (from the terminal and
  // relayed by npm), and a second one must not cut the clean-up short
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    // the kernel stays the fallback for everything the fast path passes up
    await setKernelForwarding(lab, true);
    handle = await startDaemon(config, createLogger({ level: 'info' }));
    const fp = handle.daemon.fp!;
    log(`lab: daemon attached: ${handle.daemon.attached.map((i) => `${i.name} ${i.mode}`).join(', ')}; routes and neighbours come from the kernel over netlink`);

    children.push(spawnIn(lab.a.ns, ['ping', '-q', '-i', '0.5', lab.b.v4]));
    children.push(spawnIn(lab.a.ns, ['ping', '-q', '-i', '0.5', lab.remote.v6]));
    const receiver = spawnIn(lab.b.ns, [UDP_SINK, '5201', String(options.duration > 0 ? options.duration + 2 : 86400)]);
    children.push(receiver);
    children.push(spawnIn(lab.a.ns, ['node', UDP_SENDER, lab.b.v4, '5201', String((options.duration || 86400) * UDP_RATE), String(UDP_RATE)]));
    log(`lab: traffic: ping A -> ${lab.b.v4}, ping A -> ${lab.remote.v6} (via B, punted: the AF_XDP slow path forwards it), UDP A -> ${lab.b.v4}:5201 at ${UDP_RATE}/s; Ctrl-C stops`);
    log(`lab: ready; from another terminal: xdp-router status, xdp-router route add ${lab.remote.prefix4} via ${lab.b.v4}, ip netns exec ${lab.a.ns} ping ${lab.remote.v4}, xdp-router stats`);

    const names = new Map([
      [lab.router.toA.ifindex, lab.router.toA.dev],
      [lab.router.toB.ifindex, lab.router.toB.dev],
    ]);
    const previous = new Map<string, bigint>();
    const started = Date.now();
    const tick = setInterval(() => {
      void fp.counters().then((rows) => {
        log(`\n[${((Date.now() - started) / 1000).toFixed(0)} s] fast-path counters (ingress interface, reason):`);
        log(formatCounters(rows, names, previous, 2));
      });
    }, 2000);
    const timeout = options.duration > 0 ? setTimeout(stop, options.duration * 1000) : undefined;
    await stopped;
    clearInterval(tick);
    if (timeout) clearTimeout(timeout);
    log('\nlab: final counters:');
    log(formatCounters(await fp.counters(), names, new Map(), Math.max(1, (Date.now() - started) / 1000)));
    return 0;
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGINT');
    if (handle) {
      handle.stop();
      await handle.stopped.catch((err: Error) => log(`lab: stop: ${err.message}`));
    }
    await destroyLab(LAB_PREFIX);
    log('lab: namespaces removed');
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
