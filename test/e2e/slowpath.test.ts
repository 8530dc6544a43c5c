// The AF_XDP slow path on the namespace lab: a punted prefix is received on
// AF_XDP sockets, forwarded in userspace and arrives whole; a capture of it
// is a pcap file tcpdump reads; a punted frame the slow path can no longer
// forward goes back to the kernel; with the sockets gone, punted traffic goes
// up to the kernel; stopping leaves no socket, UMEM or XSKMAP entry behind.
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FastPath } from '../../dataplane/fastpath.js';
import { run } from '../../router/lab/netns.js';
import { attachLab, detachLab, programLab } from '../../router/lab/program.js';
import { createLab, destroyLab, setKernelForwarding } from '../../router/lab/topology.js';
import type { Lab } from '../../router/lab/topology.js';
import { createLogger } from '../../router/log.js';
import { STAT, statField } from '../../router/proc-stat.js';
import { EVENT_LOOP_NICE } from '../../router/slowpath/event-loop-priority.js';
import { pcapHeader, pcapRecord } from '../../router/slowpath/pcap.js';
import { SlowPath } from '../../router/slowpath/service.js';
import type { CapturedFrame } from '../../router/slowpath/service.js';
import { within } from '../helpers/router.js';
import { IPPROTO_ICMP, ipv4Frame } from '../../support/frames.js';
import { ping, udpStream } from '../../router/lab/traffic.js';

const PREFIX = `xrt-xsk-${process.pid}`;
const PCAP = `/tmp/${PREFIX}.pcap`;

/** ICMP echo requests a namespace's kernel has received (/proc/net/snmp, Icmp InEchos). */
async function icmpInEchos(ns: string): Promise<number> {
  const rows = (await run(['cat', '/proc/net/snmp'], ns)).split('\n').filter((l) => l.startsWith('Icmp: '));
  const [names, values] = rows.map((l) => l.split(/\s+/).slice(1));
  return Number(values![names!.indexOf('InEchos')]);
}

/**
 * What this process holds: open fds, mappings of a file, socket or map (an
 * AF_XDP socket's rings, the mapped IPv4 index; /proc/self/maps entries with
 * a backing object, which V8's own heap mappings are not), and threads (a
 * worker each socket).
 */
function resources(): { fds: number; maps: number; threads: number } {
  return { fds: readdirSync('/proc/self/fd').length, maps: readdirSync('/proc/self/map_files').length, threads: readdirSync('/proc/self/task').length };
}

describe('the AF_XDP slow path', () => {
  let lab: Lab;
  let fp: FastPath;
  let slow: SlowPath | undefined;
  let attached = false;
  let before: ReturnType<typeof resources>;
  /** this thread's nice before any slow path: the one that starts it */
  let niceBefore: number;
  /** the session's scheduling group (autogroup) and its nice, as /proc/self/autogroup reads */
  let autogroupBefore: string;

  beforeAll(async () => {
    lab = await createLab(PREFIX);
    fp = await FastPath.open({ netns: lab.router.ns, punt: true });
    await programLab(fp, lab);
    await attachLab(fp, lab);
    attached = true;
    await setKernelForwarding(lab, false);
    fp.setPuntRule(0, { prefix: lab.remote.prefix4 });
    before = resources();
    niceBefore = getPriority(0);
    autogroupBefore = existsSync('/proc/self/autogroup') ? readFileSync('/proc/self/autogroup', 'utf8') : '';
  });

  // the stop case takes the slow path away: every other case gets one running
  beforeEach(async () => {
    if (slow) return;
    const started = new SlowPath(fp, {
      netns: lab.router.ns,
      interfaces: [lab.router.toA, lab.router.toB].map((s) => ({ name: s.dev, ifindex: s.ifindex })),
      log: createLogger({ level: 'warn' }),
    });
    await started.start();
    slow = started;
  });

  afterAll(async () => {
    try {
      slow?.stop();
      if (attached) await detachLab(fp, lab);
      fp?.close();
    } finally {
      rmSync(PCAP, { force: true });
      await destroyLab(PREFIX);
    }
  });

  it('binds a socket on every receive queue of both interfaces and reports its mode', () => {
    const stats = slow!.stats();
    expect(stats.length).toBeGreaterThanOrEqual(2);
    for (const s of stats) expect(['copy', 'zerocopy']).toContain(s.mode);
  });

  it('a punted UDP flow is forwarded in userspace and arrives whole; every counter accounts for it', async () => {
    const punted = fp.puntStats(0).packets;
    const r = await udpStream(lab.a.ns, lab.b.ns, lab.remote.v4, 2000, 1000);
    expect(r).toMatchObject({ sent: 2000, received: 2000, unique: 2000, corrupt: 0 });
    expect(fp.puntStats(0).packets - punted).toBeGreaterThanOrEqual(2000n);
    expect(await fp.packets('punted', lab.router.toA.ifindex)).toBeGreaterThanOrEqual(2000n);
    expect(slow!.forwarder.packets('forwarded')).toBeGreaterThanOrEqual(2000);
    const rx = slow!.stats().filter((s) => s.ifindex === lab.router.toA.ifindex).reduce((n, s) => n + s.received, 0);
    const tx = slow!.stats().filter((s) => s.ifindex === lab.router.toB.ifindex).reduce((n, s) => n + s.transmitted, 0);
    expect(rx).toBeGreaterThanOrEqual(2000);
    expect(tx).toBeGreaterThanOrEqual(2000);
  });

  it('ping through the slow path one way and XDP the other', async () => {
    expect(await ping(lab.a.ns, lab.remote.v4, 3)).toBe(3);
  });

  it('a capture of the punted flow is a pcap file tcpdump reads, packet for packet', async () => {
    const frames: CapturedFrame[] = [];
    const stop = slow!.capture((f) => frames.push(f));
    await udpStream(lab.a.ns, lab.b.ns, lab.remote.v4, 50, 500);
    stop();
    writeFileSync(PCAP, Buffer.concat([pcapHeader(), ...frames.map((f) => pcapRecord(f.data, f.timeNs))]));
    const out = await run(['tcpdump', '-nn', '-r', PCAP]);
    const lines = out.trim().split('\n');
    expect(frames.length).toBe(50);
    expect(lines).toHaveLength(50);
    expect(lines[0]).toMatch(new RegExp(`${lab.a.v4.replace(/\./g, '\\.')}\\.\\d+ > ${lab.remote.v4.replace(/\./g, '\\.')}\\.5201: UDP, length 64`));
  });

  it('a punted frame whose neighbour went away before the slow path read it goes back to the kernel, which forwards it', async () => {
    const { toA, toB } = lab.router;
    // as XDP punted it: from A, to B's loopback (the punted prefix)
    const frame = ipv4Frame({ dst: toA.mac, src: lab.a.mac }, { src: lab.a.v4, dst: lab.remote.v4, proto: IPPROTO_ICMP });
    await setKernelForwarding(lab, true);
    const echos = await icmpInEchos(lab.b.ns);
    expect(fp.deleteNeighbour(toB.ifindex, lab.b.v4)).toBe(true);
    try {
      expect(slow!.forwarder.forwardBatch([frame], toA.ifindex)).toEqual(['no-neigh']);
      if (slow!.returnsToKernel) {
        await within(3000, async () => (await icmpInEchos(lab.b.ns)) > echos, 'the echo request at B, forwarded by the kernel');
      }
    } finally {
      fp.setNeighbour(toB.ifindex, lab.b.v4, lab.b.mac);
      await setKernelForwarding(lab, false);
    }
    // a kernel that refuses BPF_PROG_TEST_RUN live frames (EPERM on some
    // machines) leaves no way back: the frame is dropped, and counted as such
    const action = slow!.returnsToKernel ? 'kernel' : 'drop';
    process.stdout.write(`slow path hand-back to the kernel on this machine: ${action === 'kernel' ? 'live frames' : 'refused, frames dropped and counted'}\n`);
    expect(slow!.forwarder.results()).toContainEqual({ outcome: 'no-neigh', action, packets: 1 });
  });

  it('each socket has its worker thread, named for its interface and queue', () => {
    const names = readdirSync('/proc/self/task').map((t) => readFileSync(`/proc/self/task/${t}/comm`, 'utf8').trim());
    for (const s of slow!.stats()) {
      expect(s.tid).toBeGreaterThan(0);
      expect(names).toContain(`xr-xsk ${s.ifindex}:${s.queue}`);
    }
  });

  it('runs its workers at nice 0, as the NAPI threads, and the event loop that started it ahead of them', () => {
    const nice = (tid: number): number => statField(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8'), STAT.NICE);
    for (const s of slow!.stats()) expect(nice(s.tid)).toBe(0);
    expect(getPriority(0)).toBe(Math.min(niceBefore, EVENT_LOOP_NICE));
    // this test's process leads no session: the scheduling group it shares with its session is left alone
    if (existsSync('/proc/self/autogroup')) expect(readFileSync('/proc/self/autogroup', 'utf8')).toBe(autogroupBefore);
  });

  it('stopped, it leaves no socket, UMEM or XSKMAP entry, and punted traffic crosses via the kernel', async () => {
    slow!.stop();
    slow = undefined;
    expect(getPriority(0)).toBe(niceBefore);
    // XSKMAP entries cannot be read from userspace (EOPNOTSUPP); the slots that
    // name them are gone, and the kernel drops a socket from every XSKMAP as it closes
    expect(await fp.map('xr_xsk_slots').dump()).toEqual([]);
    expect(resources()).toEqual(before);
    await setKernelForwarding(lab, true);
    try {
      const passed = await fp.packets('pass-punt-no-socket', lab.router.toA.ifindex);
      const r = await udpStream(lab.a.ns, lab.b.ns, lab.remote.v4, 500, 1000);
      expect(r.unique).toBe(500);
      expect(await fp.packets('pass-punt-no-socket', lab.router.toA.ifindex)).toBeGreaterThanOrEqual(passed + 500n);
    } finally {
      await setKernelForwarding(lab, false);
    }
  });

  it('started and stopped five times under punted traffic, it leaves no fd, mapping or thread behind', async () => {
    // the one the other cases share goes first: the cycles start from none
    slow?.stop();
    slow = undefined;
    // one stream after another until the cycles are done: a single one of
    // fixed length ran out before the fifth cycle on a loaded machine
    let cycling = true;
    const flow = (async () => {
      while (cycling) await udpStream(lab.a.ns, lab.b.ns, lab.remote.v4, 2000, 2000);
    })();
    try {
      for (let cycle = 0; cycle < 5; cycle++) {
        const s = new SlowPath(fp, {
          netns: lab.router.ns,
          interfaces: [lab.router.toA, lab.router.toB].map((i) => ({ name: i.dev, ifindex: i.ifindex })),
          log: createLogger({ level: 'warn' }),
        });
        await s.start();
        try {
          await within(3000, async () => s.stats().some((q) => q.batches > 0), `cycle ${cycle}: a worker forwarding the punted flow`);
        } finally {
          s.stop();
        }
      }
    } finally {
      cycling = false;
      await flow;
    }
    expect(resources()).toEqual(before);
  });
});
