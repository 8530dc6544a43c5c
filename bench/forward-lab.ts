// The throughput lab: the project's namespace lab (host A - router - host
// B, router/lab/topology.ts), tuned as docs/architecture.md ("The lab")
// says for this kernel. Every path the benchmark compares runs on its router.
import { readFileSync, readdirSync } from 'node:fs';
import { createLab, destroyLab } from '../router/lab/topology.js';
import type { Lab } from '../router/lab/topology.js';
import { ip, run } from '../router/lab/netns.js';

export interface ForwardLab {
  lab: Lab;
  /** the NAPI kernel threads of the lab's veths, by device */
  napiThreads: Map<string, number[]>;
}

/** pids of the kernel threads named napi/DEV-ID, whatever their namespace */
function napiThreadsOf(dev: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim().startsWith(`napi/${dev}-`)) out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/**
 * Receive work in its own kernel thread, beside the generator's core instead
 * of behind it. Returns the threads it made: those named after the device
 * that were not there before (another namespace may have a device of the
 * same name).
 */
async function threadedNapi(ns: string, dev: string): Promise<number[]> {
  const before = new Set(napiThreadsOf(dev));
  await run(['sh', '-c', `echo 1 > /sys/class/net/${dev}/threaded`], ns);
  return napiThreadsOf(dev).filter((pid) => !before.has(pid));
}

/** the lowest SCHED_FIFO priority the lab's receive threads take; each device further down the path one more */
const RECEIVE_FIFO_PRIORITY = 50;

/**
 * The lab's receive threads as a NIC's receive work runs (softirq, before
 * any task), or back as the plain kernel threads they are. Plain, they wait
 * behind whatever else shares their CPU (other builds, the slow path's
 * workers) for milliseconds, and a veth's 256-frame ring spills in that
 * time at a fifth of a Mpps: the figure would be the scheduler's. Each
 * device further down the path (A, the router's two, B) takes a higher
 * priority, so a frame's next ring is drained before its first is read
 * again: the one ring that can spill is the router's ingress. The
 * generator shares their core (bench/forward.ts LAB_CPU), so they run
 * only while it has sent them frames and cannot hold the core.
 */
export async function realtimeReceive(l: ForwardLab, on: boolean): Promise<void> {
  const devices = [l.lab.a.dev, l.lab.router.toA.dev, l.lab.router.toB.dev, l.lab.b.dev];
  for (const [i, dev] of devices.entries()) {
    for (const pid of l.napiThreads.get(dev) ?? []) await run(['chrt', ...(on ? ['-f', '-p', String(RECEIVE_FIFO_PRIORITY + i)] : ['-o', '-p', '0']), String(pid)]);
  }
}

/** Keep pids (threads) on the given CPUs: `taskset`, all threads of a process with allThreads. */
export async function pinToCpus(pid: number, cpus: string, allThreads = false): Promise<void> {
  await run(['taskset', ...(allThreads ? ['-a'] : []), '-p', '-c', cpus, String(pid)]);
}

/** a thread's time on a CPU so far, ns (the first field of its schedstat) */
function cpuNs(pid: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]);
  } catch {
    return 0; // gone with its device
  }
}

/**
 * CPU time, ns, of every NAPI thread of the lab so far: all the receive
 * work (the router's, its XDP program's and redirects', the sink's), which
 * the CPU's other tasks do not inflate as they do the wall-clock time.
 */
export function receiveCpuNs(l: ForwardLab): number {
  let total = 0;
  for (const pids of l.napiThreads.values()) for (const pid of pids) total += cpuNs(pid);
  return total;
}

/** the kernel's count of datagrams it forwarded in namespace ns, both families (ForwDatagrams of /proc/net/snmp, Ip6OutForwDatagrams of /proc/net/snmp6) */
export async function kernelForwarded(ns: string): Promise<number> {
  const lines = (await run(['cat', '/proc/net/snmp'], ns)).split('\n').filter((l) => l.startsWith('Ip: '));
  const [names, values] = lines.map((l) => l.split(' ').slice(1));
  const at = names?.indexOf('ForwDatagrams') ?? -1;
  if (at < 0 || values?.[at] === undefined) throw new Error(`no Ip ForwDatagrams in /proc/net/snmp of namespace ${ns}: cannot tell who forwarded the benchmark's frames`);
  // IPv6's: one "name value" line each
  const forwarded6 = (await run(['cat', '/proc/net/snmp6'], ns)).split('\n').find((l) => l.startsWith('Ip6OutForwDatagrams'));
  if (!forwarded6) throw new Error(`no Ip6OutForwDatagrams in /proc/net/snmp6 of namespace ${ns}: cannot tell who forwarded the benchmark's frames`);
  return Number(values[at]) + Number(forwarded6.trim().split(/\s+/)[1]);
}

/**
 * B's neighbour entries on the router, static: the sink on B's veth drops
 * what it does not count, ARP and ND replies included, so B could never
 * answer a resolution.
 */
export async function staticSinkNeighbours(lab: Lab): Promise<void> {
  for (const addr of [lab.b.v4, lab.b.v6]) await ip(['neigh', 'replace', addr, 'lladdr', lab.b.mac, 'dev', lab.router.toB.dev, 'nud', 'permanent'], lab.router.ns);
}

export async function createForwardLab(prefix: string): Promise<ForwardLab> {
  const lab = await createLab(prefix);
  try {
    const all: Array<[string, string]> = [
      [lab.a.ns, lab.a.dev],
      [lab.router.ns, lab.router.toA.dev],
      [lab.router.ns, lab.router.toB.dev],
      [lab.b.ns, lab.b.dev],
    ];
    const napiThreads = new Map<string, number[]>();
    for (const [ns, dev] of all) napiThreads.set(dev, await threadedNapi(ns, dev));
    await staticSinkNeighbours(lab);
    return { lab, napiThreads };
  } catch (err) {
    await destroyLab(prefix);
    throw err;
  }
}

export function destroyForwardLab(l: ForwardLab): Promise<void> {
  return destroyLab(l.lab.prefix);
}
