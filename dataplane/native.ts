// The contract between TypeScript and the C++ addon in native/. The addon is
// loaded here, once, on first use: a module that only names these types, or
// imports a module that calls the addon in some functions, loads without a
// build (the pure-logic unit tests run that way).
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './package-root.js';

/** Error thrown by every addon call that fails. */
export interface NativeError extends Error {
  /** positive errno (EPERM = 1, ENOENT = 2, ...) */
  errno: number;
  /** symbolic name of errno, such as 'ENOENT' */
  code: string;
}

export type AttachMode = 'native' | 'generic';
export type AttachRequest = AttachMode | 'auto';

export interface MapInfo {
  readonly name: string;
  /** the kernel's id of the map, as a program's map ids list it */
  readonly id: number;
  /** enum bpf_map_type */
  readonly type: number;
  readonly keySize: number;
  /** for per-CPU maps: the size of one CPU's value */
  readonly valueSize: number;
  readonly maxEntries: number;
  /** per-CPU map: lookups return valueSize rounded up to 8, times possibleCpus() */
  readonly perCpu: boolean;
}

export interface PackedEntries {
  keys: Buffer;
  values: Buffer;
  count: number;
}

export interface NativeMap extends MapInfo {
  /** null when the key is absent */
  lookup(key: Buffer): Buffer | null;
  /** flags: BPF_ANY = 0, BPF_NOEXIST = 1, BPF_EXIST = 2 */
  update(key: Buffer, value: Buffer, flags?: number): void;
  /** false when the key was absent */
  delete(key: Buffer): boolean;
  /** every key, by get_next_key */
  keys(): Buffer[];
  /** all entries, off the JS thread (batch lookup where the map type supports it) */
  dump(): Promise<Array<[Buffer, Buffer]>>;
  /** the same entries packed: entry i's key at keys[i * keySize], its value at values[i * valueSize] (per-CPU: the lookup size) */
  dumpPacked(): Promise<PackedEntries>;
  /** keys and values concatenated, count entries; off the JS thread; batch where supported, else a loop */
  updateBatch(keys: Buffer, values: Buffer, count: number): Promise<void>;
  /** returns how many were deleted; absent keys are not an error */
  deleteBatch(keys: Buffer, count: number): Promise<number>;
  pin(path: string): void;
  unpin(path: string): void;
  /**
   * The values of an array made with BPF_F_MMAPABLE, mapped read-write:
   * stores land in the map with no system call. The same ArrayBuffer on
   * every call; close() detaches it. EINVAL for other maps.
   */
  memory(): ArrayBuffer;
  close(): void;
}

export interface TestRunRequest {
  data: Buffer;
  /** default 1 */
  repeat?: number;
  /** xdp_md.ingress_ifindex; must exist in the program's network namespace. Default: loopback. */
  ingressIfindex?: number;
  rxQueue?: number;
  /** room for the frame that comes out; default data.length + 256 */
  dataOutSize?: number;
}

export interface TestRunResult {
  /** the XDP action: 0 ABORTED, 1 DROP, 2 PASS, 3 TX, 4 REDIRECT */
  retval: number;
  data: Buffer;
  /** average per repetition, as the kernel reports it */
  durationNs: number;
}

export interface LiveFramesRequest {
  data: Buffer;
  /** how many frames to send */
  repeat: number;
  ingressIfindex: number;
  /** frames per batch (kernel default 64) */
  batchSize?: number;
}

export interface XdpQuery {
  /** 'none' when nothing is attached */
  mode: AttachMode | 'hw' | 'none';
  /** true when a single program was attached without libxdp's dispatcher */
  legacy: boolean;
  programs: Array<{ name: string; id: number; priority: number }>;
}

export interface NativeProgramOptions {
  /** path of a named network namespace (/run/netns/NAME): interface indexes, attach and test runs are resolved there */
  netns?: string;
}

export interface NativeProgram {
  readonly objectPath: string;
  readonly programName: string;
  readonly loaded: boolean;
  /** set a `volatile const` of the object before load; value must match the variable's size */
  setConst(name: string, value: Buffer): void;
  /** make map `name` use the map pinned at pinPath, or another program's open map, instead of creating one (before load) */
  reuseMap(name: string, map: string | NativeMap): void;
  /** load into the kernel (off the JS thread); rejects with the verifier log in the message */
  load(): Promise<void>;
  /** the names of the object's maps (.rodata/.bss excluded) */
  mapNames(): string[];
  map(name: string): NativeMap;
  testRun(req: TestRunRequest): Promise<TestRunResult>;
  /** BPF_F_TEST_XDP_LIVE_FRAMES: frames really go out (XDP_TX / XDP_REDIRECT) */
  runLiveFrames(req: LiveFramesRequest): Promise<{ durationNs: number }>;
  /** attach through libxdp's multiprog dispatcher; 'auto' tries native then generic */
  attach(ifindex: number, mode: AttachRequest): Promise<AttachMode>;
  /** detach this program from the interface, leaving other programs of the dispatcher in place */
  detach(ifindex: number): Promise<void>;
  close(): void;
}

/** A BPF link: one attachment of a program. Pinned, it outlives the process; with no fd and no pin left it detaches. */
export interface NativeLink {
  /** the kernel's id of the link (bpftool link show) */
  readonly id: number;
  /** the id of the program it attaches */
  readonly programId: number;
  /** the ids of the maps the attached program uses */
  programMapIds(): number[];
  pin(path: string): void;
  unpin(path: string): void;
  /** close this fd; the link stays while a pin (or another fd) holds it */
  close(): void;
}

/**
 * The tracing programs (tp_btf, ...) of a BPF object, loaded together with
 * every map reused from maps already loaded, then attached one by one.
 */
export interface NativeTracingObject {
  readonly objectPath: string;
  readonly loaded: boolean;
  programNames(): string[];
  /** the names of the object's maps (.rodata/.bss excluded): each must be reused before load */
  mapNames(): string[];
  /** set a `volatile const` of .rodata (before load); the value's size must be the variable's */
  setConst(name: string, value: Buffer): void;
  /** map `name` becomes `map` (before load); refused when their shapes differ */
  reuseMap(name: string, map: NativeMap): void;
  /** load every program (off the JS thread); rejects with the verifier log in the message, or EINVAL when a map was not reused */
  load(): Promise<void>;
  /** attach one program where its section names (off the JS thread) */
  attach(programName: string): Promise<NativeLink>;
  /** the links it made stay attached */
  close(): void;
}

export type XskBind = 'auto' | 'zerocopy' | 'copy';

export interface XskSocketOptions {
  ifindex: number;
  /** the interface's rx queue the socket binds to (also its key in xskMap) */
  queue: number;
  /** /run/netns/NAME: the interface's namespace; the socket is created there */
  netns?: string;
  /** UMEM frames (default 4096, at least 2): half of them, at most ringSize, receive; the rest transmit */
  frameCount?: number;
  /**
   * bytes per UMEM frame (default 2048): a power of two from 2048 to the page
   * size. transmit() takes frames up to frameSize; the kernel keeps 256 bytes
   * of headroom in each, so received frames longer than frameSize - 256 (1792
   * by default) are dropped (counted in rxDropped).
   */
  frameSize?: number;
  /** rx/tx/fill/completion ring sizes (default 2048, a power of two) */
  ringSize?: number;
  /** 'auto' (default) lets the kernel try zero-copy and fall back to copy; `mode` says which it got. 'zerocopy' fails where the driver has none. */
  bind?: XskBind;
  /**
   * an XSKMAP (a map from XdpProgram.map()) to register the socket in, under
   * the queue id. The kernel takes the socket out of every XSKMAP it is in
   * when the socket closes, so an entry a newer socket put under the same key
   * is left alone.
   */
  xskMap?: NativeMap;
}

export interface XskStats {
  /** the kernel's XDP_STATISTICS: frames dropped for other reasons */
  rxDropped: number;
  /** dropped for an invalid descriptor on the fill ring */
  rxInvalid: number;
  /** invalid descriptors on the TX ring */
  txInvalid: number;
  /** dropped because the RX ring was full (nobody called receive() in time) */
  rxRingFull: number;
  /** times the kernel found the fill ring empty */
  fillRingEmpty: number;
  /** times the kernel found the TX ring empty (in copy mode every poll wakeup counts one) */
  txRingEmpty: number;
  /** frames receive() has returned */
  received: number;
  /** frames transmit() has queued (the sum of what it returned) */
  transmitted: number;
  /** frames one copy-mode transmit kick may send (XDP_MAX_TX_SKB_BUDGET, the ring's size); 0 where the kernel keeps its own, 32 */
  txBudget: number;
}

export interface XskSocket {
  /** the AF_XDP socket's fd (close-on-exec); -1 once closed */
  readonly fd: number;
  readonly ifindex: number;
  readonly queue: number;
  readonly mode: 'zerocopy' | 'copy';
  /**
   * Queue frames (each 14 bytes to frameSize, checked before any is queued)
   * for transmit, copied into free UMEM frames, in order; kick the kernel
   * when it asks (in copy mode this sends them, 32 per kick, before
   * returning) and reclaim completed frames. Returns how many were queued:
   * fewer when the TX ring or the free UMEM frames ran out; send the rest
   * later. Frames a busy or down device could not take stay queued and go
   * with the next call. Throws ENXIO once the interface is gone (what this
   * call queued is then lost: close the socket).
   */
  transmit(frames: Buffer[]): number;
  /**
   * Transmit `count` frames, frames[i % frames.length] for the i-th, as fast
   * as the kernel takes them, in batches on a worker thread (a traffic
   * generator). Resolves with how many were sent once the kernel took the
   * last; meanwhile the socket's other methods (close too) throw EBUSY.
   * Rejects with ETIMEDOUT when the kernel takes no frame for a second.
   * With intervalNs, the i-th frame waits for its turn, intervalNs * i after
   * the start (a paced generator; after a stall it catches up by at most 32
   * frames).
   */
  transmitRepeatedly(frames: Buffer[], count: number, intervalNs?: number): Promise<number>;
  /** kernel XDP_STATISTICS plus this socket's own received/transmitted counts; EBADF once closed */
  stats(): XskStats;
  /**
   * Close the socket (which takes it out of the XSKMAP), delete and unmap
   * the UMEM. Idempotent; afterwards the other methods throw EBADF. EBUSY
   * while lent to transmitRepeatedly or a SlowPathWorker.
   */
  close(): void;
}

export interface RtnlSocketOptions {
  /** a named namespace (/run/netns/NAME); absent: the calling thread's */
  netns?: string;
  /**
   * SO_RCVBUFFORCE (SO_RCVBUF, capped by net.core.rmem_max, without
   * CAP_NET_ADMIN); absent: the system's default. A batch of requests is
   * cut to what this buffer holds answers for.
   */
  receiveBufferBytes?: number;
}

/** The kernel refused one message of a transaction, or the socket failed before its answer. */
export interface RtnlRefusal {
  /** positive errno */
  errno: number;
  code: string;
  /** the extended ACK's text (NLMSGERR_ATTR_MSG), '' when the kernel gave none; unanswered: the socket's failure */
  message: string;
  /** no answer came (ETIMEDOUT after 30 s, EBADF once closed, ...): the kernel may or may not have applied it */
  unanswered: boolean;
}

/** A NETLINK_ROUTE socket with NETLINK_EXT_ACK and NETLINK_CAP_ACK, bound to a port of its own. */
export interface RtnlSocket {
  readonly port: number;
  /** what the kernel granted: twice what was asked (it counts its bookkeeping too) */
  readonly receiveBufferBytes: number;
  /**
   * Send the messages (whole nlmsghdr and payload, back to back, each padded
   * to 4 bytes, as rtnl-wire's requestMessage makes them; the socket adds
   * NLM_F_REQUEST | NLM_F_ACK, the sequence number and the port), many per
   * sendmsg, on a worker thread, and resolve with each one's answer in
   * order: null for an ACK, the refusal otherwise (unanswered when the
   * socket failed first). One transaction or dump runs at a time per socket.
   */
  transact(messages: Buffer): Promise<Array<RtnlRefusal | null>>;
  /**
   * Send a dump request (the socket adds NLM_F_REQUEST | NLM_F_DUMP) and
   * resolve with the datagrams of its answer. Rejects with the kernel's
   * errno and extended ACK text when it refuses or the dump fails.
   */
  dump(request: Buffer): Promise<Buffer[]>;
  /** Ends a wait in progress (EBADF) and refuses later calls; the fd closes once no worker uses it. */
  close(): void;
}

export interface RtnlEventSocketOptions extends RtnlSocketOptions {
  /** the multicast groups to join (RTNLGRP_*; NFNLGRP_* with NETLINK_NETFILTER) */
  groups: number[];
  /** NETLINK_ROUTE (0, the default) or NETLINK_NETFILTER (12): nftables' change notifications */
  protocol?: number;
  /**
   * Events read but not yet taken by the JS thread, at most (default 256 MiB):
   * beyond that the reader stops reading and the kernel drops, an overrun
   */
  queueBytes?: number;
}

/**
 * Called on the JS thread with what a reader thread took off the socket:
 * whole messages back to back (null when there are none), then a problem
 * after them (null when there is none): ENOBUFS when the kernel dropped
 * events for a full receive buffer (the socket goes on), another errno when
 * the socket failed (nothing more comes).
 */
export type RtnlEventListener = (messages: Buffer | null, problem: NativeError | null) => void;

export interface RtnlEventSocket {
  readonly receiveBufferBytes: number;
  /** Stops the reader thread; events read and not yet delivered are dropped. Idempotent. */
  close(): void;
}

/** The program's maps the slow path's forwarder reads, by their names in bpf/lib/maps.h. */
export const FORWARDING_MAPS = [
  'xr_fib4_tbl24',
  'xr_fib4_tbl8',
  'xr_fib6',
  'xr_nexthop_slots',
  'xr_nexthops',
  'xr_groups',
  'xr_neigh4',
  'xr_neigh6',
  'xr_ifaces',
  'xr_tx_ports',
  'xr_local4',
  'xr_local6',
  'xr_fib6_tbl24',
  'xr_fib6_lines',
] as const;

export interface SlowPathForwarderOptions {
  /** the fast path's own maps (FastPath.map): its writes through them are what the forwarder's copies follow */
  maps: Record<(typeof FORWARDING_MAPS)[number], NativeMap>;
  /** the program's xr_hash_seed: a group sends a flow where XDP sends it */
  hashSeed: number;
  /** the sockets frames leave by: one per device, found by its ifindex */
  transmitters: XskSocket[];
  /** bpf/xdp_reinject.o, loaded: the way back to the kernel; absent, what XDP would pass is dropped */
  reinject?: NativeProgram;
}

/**
 * An outcome: an index of REASONS (dataplane/layout.ts), XDP's reason for
 * the frame, or past them the two only userspace meets (SLOWPATH_OUTCOMES).
 * An action: 0 transmit, 1 kernel (handed back), 2 drop.
 */
export interface SlowPathDecision {
  outcome: number;
  /** forwarded: the device it leaves by, and the frame as it leaves */
  ifindex: number;
  frame: Buffer | null;
}

/**
 * The slow path's forwarding, in native code: the decision XDP takes for a
 * frame (read from the same maps: the IPv4 index mapped, the others copied
 * and dropped when the daemon writes them), the rewrite, the transmit on the
 * egress device's socket, the hand-back to the kernel. Its workers run it on
 * their own threads; decide and forwardBatch run it on the caller's.
 */
export interface NativeSlowPathForwarder {
  /** what would become of each frame, arriving on ingressIfindex; nothing is sent */
  decide(frames: Buffer[], ingressIfindex: number): SlowPathDecision[];
  /** forward the frames as a worker does; their outcomes */
  forwardBatch(frames: Buffer[], ingressIfindex: number): number[];
  /** frames by outcome and action, since it was made, over its workers and forwardBatch */
  results(): Array<{ outcome: number; action: number; packets: number }>;
  /**
   * Let go of the maps, the mapped IPv4 index and the hand-back program
   * (they go once its workers have stopped too); results() stays as it is,
   * the other methods throw EBADF. Idempotent.
   */
  close(): void;
}

export interface SlowPathWorkerStats {
  /** the worker thread's id (gettid) */
  tid: number;
  /** the CPU it ran its last batch on; -1 before the first */
  cpu: number;
  batches: number;
  /** frames a capture skipped: its queue was full (the JS thread fell behind) */
  captureSkipped: number;
  /** why the worker stopped on its own */
  error?: string;
}

/**
 * A thread that receives from one socket (lent to it: the socket's close
 * throws EBUSY until stop) in batches of up to 64 and forwards them.
 */
export interface NativeSlowPathWorker {
  /** join the thread and give the socket back; idempotent */
  stop(): void;
  /** EBADF once stopped */
  stats(): SlowPathWorkerStats;
  /** copy received frames to a bounded queue (4096 frames) from now on, or stop */
  capture(on: boolean): void;
  /** the captured frames since the last call */
  takeCaptured(): Array<{ timeNs: bigint; data: Buffer }>;
}

export interface Addon {
  XdpProgram: new (objectPath: string, programName: string, options?: NativeProgramOptions) => NativeProgram;
  /**
   * An AF_XDP socket on one rx queue, with its own UMEM, created (in
   * options.netns) without loading libxdp's XDP program: frames arrive
   * only through an XSKMAP our program redirects to. Needs CAP_NET_RAW.
   * Errors name the interface and queue: "AF_XDP socket on ifindex 3
   * queue 0: ...". EBUSY: the queue has a socket, or had one closed a
   * moment ago (the kernel frees the queue tens of ms after close, after an
   * RCU grace period): retry after a short delay.
   */
  XskSocket: new (options: XskSocketOptions) => XskSocket;
  /** An rtnetlink socket for requests and dumps; ENOENT for a missing netns. */
  RtnlSocket: new (options?: RtnlSocketOptions) => RtnlSocket;
  /**
   * An rtnetlink socket subscribed to options.groups, read by a thread of
   * its own from the start: blocked JS does not stall the reading (up to
   * 256 MiB read and not yet delivered). While open it keeps the event loop
   * alive.
   */
  RtnlEventSocket: new (options: RtnlEventSocketOptions, listener: RtnlEventListener) => RtnlEventSocket;

  SlowPathForwarder: new (options: SlowPathForwarderOptions) => NativeSlowPathForwarder;
  /** netns: /run/netns/NAME of the socket's interface (the thread joins it); EBUSY when the socket is lent already */
  SlowPathWorker: new (forwarder: NativeSlowPathForwarder, socket: XskSocket, options?: { netns?: string }) => NativeSlowPathWorker;
  TracingObject: new (objectPath: string) => NativeTracingObject;
  openPinnedMap(path: string): NativeMap;
  /** a link pinned on the BPF filesystem; EINVAL when the pin is not a link */
  openPinnedLink(path: string): NativeLink;
  possibleCpus(): number;
  /** if_nametoindex in the given namespace; throws ENODEV when absent */
  ifIndex(name: string, netns?: string): number;
  /**
   * The NIC strips 802.1Q tags on receive (rx VLAN offload, ETHTOOL_GFLAGS
   * ETH_FLAG_RXVLAN): XDP sees tagged frames as untagged. Throws with errno
   * naming the interface.
   */
  rxVlanOffload(name: string, netns?: string): boolean;
  /** what is attached to an interface (libxdp's view, legacy programs included) */
  queryXdp(ifindex: number, netns?: string): XdpQuery;
  /**
   * Run fn synchronously with the calling (JS) thread inside the network
   * namespace at path (/run/netns/NAME; '' runs it where we are), then return
   * the thread to its own namespace, also when fn throws. A socket keeps the
   * namespace of the thread that created it, so sockets opened in fn (netlink,
   * packet, ...) stay in that namespace. Whatever fn leaves to run later
   * (callbacks, promises) runs outside it. Throws ENOENT for a missing path.
   */
  inNetns<T>(path: string, fn: () => T): T;
  /**
   * Resolves once every XDP program run that began before the call has
   * finished (an RCU grace period; milliseconds, off the JS thread).
   */
  waitGracePeriod(): Promise<void>;
  /**
   * Hands freed memory back to the system: a full V8 collection that shrinks
   * the heap (memory pressure, on the JS thread, tens of ms at full table),
   * then the malloc arenas' free pages (malloc_trim, off the JS thread).
   */
  releaseMemory(): Promise<void>;
}

function findAddon(): string {
  const candidate = join(packageRoot(), 'build', 'Release', 'xdp_router.node');
  if (!existsSync(candidate)) throw new Error(`native addon ${candidate} not found: run \`npm run build\` first`);
  return candidate;
}

const require = createRequire(import.meta.url);
let loaded: Addon | undefined;

function load(): Addon {
  loaded ??= require(findAddon()) as Addon;
  return loaded;
}

/** The addon, required from build/Release on the first property read. */
export const addon: Addon = new Proxy({} as Addon, {
  get: (_target, property) => Reflect.get(load(), property),
});
