// The throughput lab: the project's namespace lab (host A - router - host
// B, router/lab/topology.ts) plus one veth pair straight from A to B for
// the ceiling, tuned as docs/architecture.md ("The lab") says for this kernel.
import { readFileSync, readdirSync } from 'node:fs';
import { createLab, destroyLab } from '../router/lab/topology.js';
import type { Lab } from '../router/lab/topology.js';
import { ip, macOf, run } from '../router/lab/netns.js';

/** the direct pair: A's end and B's end */
export const DIRECT = { a: 'ca0', b: 'cb0' } as const;

export interface ForwardLab {
  lab: Lab;
  direct: { aMac: string; bMac: string };
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

/** Keep pids (threads) on the given CPUs: `taskset`, all threads of a process with allThreads. */
export async function pinToCpus(pid: number, cpus: string, allThreads = false): Promise<void> {
  await run(['taskset', ...(allThreads ? ['-a'] : []), '-p', '-c', cpus, String(pid)]);
}

/** like the lab's veths: tags in the frame, GRO on (a veth only takes XDP frames with GRO or XDP), no checksum offload */
async function tuneVeth(ns: string, dev: string): Promise<void> {
  await run(['ethtool', '-K', dev, 'rxvlan', 'off', 'txvlan', 'off', 'gro', 'on', 'tx', 'off'], ns);
}

export async function createForwardLab(prefix: string): Promise<ForwardLab> {
  const lab = await createLab(prefix);
  try {
    await ip(['link', 'add', DIRECT.a, 'netns', lab.a.ns, 'type', 'veth', 'peer', 'name', DIRECT.b, 'netns', lab.b.ns]);
    for (const [ns, dev] of [[lab.a.ns, DIRECT.a], [lab.b.ns, DIRECT.b]] as const) {
      await tuneVeth(ns, dev);
      await ip(['link', 'set', dev, 'up'], ns);
    }
    const all: Array<[string, string]> = [
      [lab.a.ns, lab.a.dev],
      [lab.router.ns, lab.router.toA.dev],
      [lab.router.ns, lab.router.toB.dev],
      [lab.b.ns, lab.b.dev],
      [lab.a.ns, DIRECT.a],
      [lab.b.ns, DIRECT.b],
    ];
    const napiThreads = new Map<string, number[]>();
    for (const [ns, dev] of all) napiThreads.set(dev, await threadedNapi(ns, dev));
    // the sink drops what it counts, ARP replies included if it had to: B's neighbour entry is static
    await ip(['neigh', 'replace', lab.b.v4, 'lladdr', lab.b.mac, 'dev', lab.router.toB.dev, 'nud', 'permanent'], lab.router.ns);
    return { lab, direct: { aMac: await macOf(lab.a.ns, DIRECT.a), bMac: await macOf(lab.b.ns, DIRECT.b) }, napiThreads };
  } catch (err) {
    await destroyLab(prefix);
    throw err;
  }
}

export function destroyForwardLab(l: ForwardLab): Promise<void> {
  return destroyLab(l.lab.prefix);
}
