// The AF_XDP slow path: one socket per receive queue of every attached
// interface, registered in the program's XSKMAP slots, and one native worker
// thread per socket that forwards what it receives (forward.ts). The event
// loop only starts and stops them, reads their counters and hands capture
// copies to subscribers. Stopping it unregisters the sockets first, so
// punted traffic goes back to the kernel, then joins the workers and closes
// the sockets.
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { promisify } from 'node:util';
import type { FastPath } from '../../dataplane/fastpath.js';
import { XSK_MAX } from '../../dataplane/layout.js';
import { addon } from '../../dataplane/native.js';
import type { NativeProgram, NativeSlowPathWorker, SlowPathWorkerStats, XskSocket, XskSocketOptions, XskStats } from '../../dataplane/native.js';
import type { Logger } from '../log.js';
import { raiseEventLoop } from './event-loop-priority.js';
import { UserspaceForwarder } from './forward.js';
import { openKernelHandoff } from './kernel.js';

const execFileP = promisify(execFile);
/** How often captured frames are taken from the workers' queues while someone captures. */
const CAPTURE_DRAIN_MS = 10;

export interface SlowPathInterface {
  name: string;
  ifindex: number;
}

export interface CapturedFrame {
  ifindex: number;
  queue: number;
  /** nanoseconds since the epoch */
  timeNs: bigint;
  data: Buffer;
}

export type CaptureListener = (frame: CapturedFrame) => void;

interface Bound {
  socket: XskSocket;
  /** frames in each of its rings */
  ringFrames: number;
  ifindex: number;
  queue: number;
  slot: number;
  worker?: NativeSlowPathWorker;
}

/** One queue of the slow path: its socket's mode and counters, and its worker's. */
export type QueueStats = { ifindex: number; queue: number; mode: 'zerocopy' | 'copy' } & XskStats & SlowPathWorkerStats;

/**
 * The interface's active receive queues (real_num_rx_queues): sysfs lists
 * them. netlink's num_rx_queues counts allocated ones, which veth sizes by
 * CPUs while using one, and a socket cannot bind to an inactive queue.
 */
async function rxQueues(name: string, netns: string | undefined): Promise<number> {
  // a namespace's devices show in a sysfs mounted inside it: `ip netns exec` does that
  const dir = `/sys/class/net/${name}/queues`;
  const entries = netns ? (await execFileP('ip', ['netns', 'exec', netns, 'ls', dir])).stdout.split('\n') : readdirSync(dir);
  return Math.max(1, entries.filter((e) => e.startsWith('rx-')).length);
}

export class SlowPathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SlowPathError';
  }
}

/** One socket of the slow path: its interface and receive queue. Its XSKMAP slot is its index in the plan. */
export interface PlannedSocket {
  name: string;
  ifindex: number;
  queue: number;
}

/** "r0 queues 0-39", "r1 queue 0" */
function queueList(name: string, queues: number[]): string {
  const first = queues[0]!;
  const last = queues[queues.length - 1]!;
  return first === last ? `${name} queue ${first}` : `${name} queues ${first}-${last}`;
}

/** The sockets of a plan, grouped by interface in plan order: "r0 queues 0-39, r1 queues 0-23". */
function describeSockets(sockets: readonly PlannedSocket[]): string {
  const byInterface = new Map<string, number[]>();
  for (const s of sockets) byInterface.set(s.name, [...(byInterface.get(s.name) ?? []), s.queue]);
  return [...byInterface].map(([name, queues]) => queueList(name, queues)).join(', ');
}

/**
 * The slow path's sockets: one per active receive queue of each interface,
 * since the program punts a frame to the socket of the queue it arrived
 * on. Each takes a slot of the program's XSKMAP, which has `limit` (XSK_MAX):
 * more is refused here, before anything is bound, naming what does not fit.
 */
export function planSockets(interfaces: ReadonlyArray<SlowPathInterface & { queues: number }>, limit = XSK_MAX): PlannedSocket[] {
  const plan = interfaces.flatMap((i) => Array.from({ length: i.queues }, (_, queue) => ({ name: i.name, ifindex: i.ifindex, queue })));
  if (plan.length <= limit) return plan;
  throw new SlowPathError(
    `the slow path needs an AF_XDP socket on every receive queue of its interfaces: ${plan.length}, for ${describeSockets(plan)}; ` +
      `the fast path's XSK map has ${limit} slots (XR_XSK_MAX), so ${describeSockets(plan.slice(limit))} would have none. ` +
      'Give the interfaces fewer receive queues (ethtool -L IF combined N, or rx N), attach fewer interfaces, or raise XR_XSK_MAX ' +
      '(bpf/lib/consts.h, and XSK_MAX in dataplane/layout.ts) and rebuild',
  );
}

/** planSockets over the interfaces' active receive queues, as sysfs has them now. */
export async function planInterfaceSockets(interfaces: readonly SlowPathInterface[], netns: string | undefined): Promise<PlannedSocket[]> {
  const withQueues = [];
  for (const i of interfaces) withQueues.push({ ...i, queues: await rxQueues(i.name, netns) });
  return planSockets(withQueues);
}

const BUSY_RETRIES = 20;
const BUSY_WAIT_MS = 25;

/**
 * How deep each socket's rings are, in frames; its UMEM is twice that in
 * 2 KiB frames. The receive ring holds what the NAPI thread delivers while
 * the worker waits for its CPU. At 2048 (the addon's default, 8 MiB a
 * queue) the kernel dropped one to three frames at an empty fill ring for
 * every frame the worker read (`npm run bench -- forward --paths
 * slowpath`), each after a whole XDP run on the receiving CPU. At 8192
 * (32 MiB a queue), 3 to 53 in 100, the most where other work kept the
 * worker off its CPU. Deep rings for as many queues as UMEM_BUDGET_BYTES
 * holds, shallower for more, never below the default.
 */
const RING_FRAMES = { deepest: 8192, least: 2048 };
const FRAME_BYTES = 2048;
const UMEM_BUDGET_BYTES = 256 * 2 ** 20;

/** The ring size for each of `sockets` sockets: a power of two from RING_FRAMES.least to .deepest. */
export function ringFramesFor(sockets: number): number {
  let ring = RING_FRAMES.deepest;
  while (ring > RING_FRAMES.least && sockets * 2 * ring * FRAME_BYTES > UMEM_BUDGET_BYTES) ring /= 2;
  return ring;
}

/** A queue stays busy for tens of milliseconds after its previous socket closed (a restart): wait for it. */
async function openSocket(options: XskSocketOptions): Promise<XskSocket> {
  for (let attempt = 0; ; attempt++) {
    try {
      return new addon.XskSocket(options);
    } catch (err) {
      if ((err as { code?: string }).code !== 'EBUSY' || attempt >= BUSY_RETRIES) throw err;
      await new Promise((r) => setTimeout(r, BUSY_WAIT_MS));
    }
  }
}

/**
 * A socket with rings of `ring` frames, or, where they do not fit
 * RLIMIT_MEMLOCK (ENOBUFS: without CAP_IPC_LOCK), of RING_FRAMES.least,
 * said in the log. Returns the socket and its rings' frames.
 */
async function openDeepSocket(options: XskSocketOptions, ring: number, log: Logger): Promise<{ socket: XskSocket; ringFrames: number }> {
  const sized = (frames: number): XskSocketOptions => ({ ...options, ringSize: frames, frameCount: 2 * frames });
  try {
    return { socket: await openSocket(sized(ring)), ringFrames: ring };
  } catch (err) {
    if ((err as { code?: string }).code !== 'ENOBUFS' || ring === RING_FRAMES.least) throw err;
    log.warn(
      `AF_XDP socket with ${ring}-frame rings beyond RLIMIT_MEMLOCK: using ${RING_FRAMES.least}; the kernel will drop more punted frames under load (raise LimitMEMLOCK or grant CAP_IPC_LOCK)`,
      { ifindex: options.ifindex, queue: options.queue },
    );
    return { socket: await openSocket(sized(RING_FRAMES.least)), ringFrames: RING_FRAMES.least };
  }
}

export class SlowPath {
  private readonly bound: Bound[] = [];
  private readonly listeners = new Set<CaptureListener>();
  private forwarderOf: UserspaceForwarder | undefined;
  private captureTimer: NodeJS.Timeout | undefined;
  /** the way back to the kernel for what the forwarder cannot send; absent where the kernel refuses live frames */
  private handoff: NativeProgram | undefined;
  /** puts the event loop's priority back; set while the workers run */
  private restoreEventLoop: (() => void) | undefined;

  constructor(
    private readonly fp: FastPath,
    private readonly options: { netns?: string; interfaces: SlowPathInterface[]; log: Logger },
  ) {}

  async start(): Promise<void> {
    const netnsPath = this.options.netns ? `/run/netns/${this.options.netns}` : undefined;
    // every socket is planned before the first is bound: a plan the XSKMAP cannot hold binds nothing
    const plan = await planInterfaceSockets(this.options.interfaces, this.options.netns);
    try {
      if (plan.length > 0) {
        this.handoff = await openKernelHandoff({ ...(netnsPath ? { netns: netnsPath } : {}), probeIfindex: plan[0]!.ifindex, log: this.options.log });
      }
      const ring = ringFramesFor(plan.length);
      for (const { ifindex, queue } of plan) {
        const { socket, ringFrames } = await openDeepSocket({ ifindex, queue, ...(netnsPath ? { netns: netnsPath } : {}) }, ring, this.options.log);
        this.bound.push({ socket, ringFrames, ifindex, queue, slot: this.bound.length });
      }
      // queue 0 of each interface transmits what the slow path forwards out of it
      const transmitters = this.bound.filter((b) => b.queue === 0).map((b) => b.socket);
      this.forwarderOf = new UserspaceForwarder(this.fp, { transmitters, ...(this.handoff ? { reinject: this.handoff } : {}) });
      for (const b of this.bound) {
        b.worker = this.forwarderOf.startWorker(b.socket, netnsPath);
        // the worker first: a frame punted to the socket is forwarded from the start
        this.fp.bindXsk(b.ifindex, b.queue, b.slot, b.socket.fd);
        const name = plan[b.slot]!.name;
        this.options.log.info('AF_XDP socket bound', { interface: name, queue: b.queue, mode: b.socket.mode, ringFrames: b.ringFrames, workerTid: b.worker.stats().tid });
      }
      // after the workers are made: a thread starts with its maker's priority
      if (this.bound.length > 0) this.restoreEventLoop = raiseEventLoop(this.options.log);
    } catch (err) {
      this.stop();
      throw err;
    }
  }

  /** The native forwarder all workers share; its counters are theirs. */
  get forwarder(): UserspaceForwarder {
    if (!this.forwarderOf) throw new SlowPathError('the slow path is not running: start() it first');
    return this.forwarderOf;
  }

  /** Whether a punted frame the forwarder cannot send goes back to the kernel (else it is dropped): false where the kernel refuses live frames. */
  get returnsToKernel(): boolean {
    return this.handoff !== undefined;
  }

  /** Frames punted from now on, until the returned function is called. */
  capture(listener: CaptureListener): () => void {
    this.listeners.add(listener);
    if (this.listeners.size === 1) {
      for (const b of this.bound) b.worker?.capture(true);
      this.captureTimer = setInterval(() => this.drainCaptures(), CAPTURE_DRAIN_MS);
      this.captureTimer.unref();
    }
    return () => {
      // what the workers copied before the call is still the listener's
      this.drainCaptures();
      this.listeners.delete(listener);
      if (this.listeners.size > 0) return;
      for (const b of this.bound) b.worker?.capture(false);
      clearInterval(this.captureTimer);
      this.captureTimer = undefined;
    };
  }

  private drainCaptures(): void {
    for (const b of this.bound) {
      for (const { timeNs, data } of b.worker?.takeCaptured() ?? []) {
        for (const l of this.listeners) l({ ifindex: b.ifindex, queue: b.queue, timeNs, data });
      }
    }
  }

  stats(): QueueStats[] {
    const idle: SlowPathWorkerStats = { tid: 0, cpu: -1, batches: 0, captureSkipped: 0 };
    return this.bound.map((b) => ({ ifindex: b.ifindex, queue: b.queue, mode: b.socket.mode, ...b.socket.stats(), ...(b.worker?.stats() ?? idle) }));
  }

  /** Unregister every socket (punted traffic goes to the kernel again), join the workers, then close the sockets. */
  stop(): void {
    for (const b of this.bound) {
      try {
        this.fp.unbindXsk(b.ifindex, b.queue, b.slot);
      } catch (err) {
        this.options.log.warn('AF_XDP slot already gone', { ifindex: b.ifindex, queue: b.queue, err: err as Error });
      }
    }
    for (const b of this.bound) b.worker?.stop();
    for (const b of this.bound) {
      // what each queue did, and where the kernel dropped on its way, for the record
      this.options.log.info('AF_XDP socket closed', { ifindex: b.ifindex, queue: b.queue, ...b.socket.stats() });
      b.socket.close();
    }
    if (this.forwarderOf) {
      // what became of the frames the workers read: sent, handed back, or dropped and why
      this.options.log.info('slow path forwarder closed', { results: this.forwarderOf.results() });
      this.forwarderOf.close();
    }
    this.bound.length = 0;
    clearInterval(this.captureTimer);
    this.captureTimer = undefined;
    this.listeners.clear();
    this.handoff?.close();
    this.handoff = undefined;
    this.restoreEventLoop?.();
    this.restoreEventLoop = undefined;
  }
}
