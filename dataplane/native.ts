// The contract between TypeScript and the C++ addon in native/. The addon is
// loaded once here; everything else in dataplane/ imports these types.
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
  /** enum bpf_map_type */
  readonly type: number;
  readonly keySize: number;
  /** for per-CPU maps: the size of one CPU's value */
  readonly valueSize: number;
  readonly maxEntries: number;
  /** per-CPU map: lookups return valueSize rounded up to 8, times possibleCpus() */
  readonly perCpu: boolean;
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
  /** keys and values concatenated, count entries; off the JS thread; batch where supported, else a loop */
  updateBatch(keys: Buffer, values: Buffer, count: number): Promise<void>;
  /** returns how many were deleted; absent keys are not an error */
  deleteBatch(keys: Buffer, count: number): Promise<number>;
  pin(path: string): void;
  unpin(path: string): void;
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
  /** make map `name` use the map pinned at pinPath instead of creating one (before load) */
  reuseMap(name: string, pinPath: string): void;
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

export interface Addon {
  XdpProgram: new (objectPath: string, programName: string, options?: NativeProgramOptions) => NativeProgram;
  openPinnedMap(path: string): NativeMap;
  possibleCpus(): number;
  /** if_nametoindex in the given namespace; throws ENODEV when absent */
  ifIndex(name: string, netns?: string): number;
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
   * Prepare an rtnetlink event socket of the `netlink` package, found among
   * this process's fds by its bound port: NETLINK_NO_ENOBUFS (with the package
   * as it is, an overrun aborts the process; see netlinkDrops for how losses
   * show instead) and a receive buffer of recvBufferBytes (SO_RCVBUFFORCE,
   * beyond net.core.rmem_max; SO_RCVBUF without CAP_NET_ADMIN). Returns the fd.
   */
  tuneNetlinkEvents(port: number, recvBufferBytes: number): number;
  /**
   * How many messages the kernel has dropped for the rtnetlink socket at fd
   * (bound to port) because its receive buffer was full (SO_MEMINFO); throws
   * EBADF when fd is no longer that socket.
   */
  netlinkDrops(fd: number, port: number): number;
}

function findAddon(): string {
  const candidate = join(packageRoot(), 'build', 'Release', 'xdp_router.node');
  if (!existsSync(candidate)) throw new Error(`native addon ${candidate} not found: run \`npm run build\` first`);
  return candidate;
}

const require = createRequire(import.meta.url);
export const addon: Addon = require(findAddon()) as Addon;
