// The lab's traffic ends: a generator in a host namespace and a counting
// sink (an XDP program on the receiving veth that counts the benchmark's
// frames and drops them at the driver hook). Two generators send the same
// frames out of the host's veth: an XDP program returning XDP_TX, run by
// BPF_PROG_TEST_RUN in live-frames mode (the faster; some machines refuse
// live frames with EPERM), or an AF_XDP socket's transmit ring. Either
// floods (as fast as it can) or offers a set rate, its frames spaced evenly.
import { addon } from '../dataplane/native.js';
import type { NativeProgram, XskSocket } from '../dataplane/native.js';
import { parseIPv4 } from '../dataplane/addr.js';
import { AttachedProgram, u32 } from './attached-program.js';
import { udpFrame } from '../support/frames.js';
import { benchObject } from './paths.js';
import { writeFrames } from './spread-flows.js';
import { sleep } from './progress.js';

export const SINK_PORT = 9;
/** GEN_TEMPLATE_LEN of bpf/bench/traffic_gen.c: the bytes of each frame the generator writes afresh */
const GEN_TEMPLATE_LEN = 48;
/** every frame: 64 bytes from the destination MAC to the end of the UDP payload (a veth carries no FCS) */
export const FRAME_LENGTH = 64;
/** flow 0's UDP source port; flow n has FIRST_SOURCE_PORT + n */
const FIRST_SOURCE_PORT = 1024;

export interface FlowSpec {
  dstMac: string;
  srcMac: string;
  src: string;
  /** first destination; flow n goes to this + (n % destinations) */
  dst: string;
  /** flow n has UDP source port 1024 + n */
  flows: number;
  destinations: number;
}

/**
 * Traffic given frame by frame: FRAME_LENGTH bytes each, sent in turn (at
 * most GEN_FRAMES_MAX, bpf/bench/traffic_gen.c): any family, any
 * destinations, checksums as the caller made them.
 */
export interface FrameTable {
  frames: Buffer[];
}

/** what a generator sends */
export type TrafficSpec = FlowSpec | FrameTable;

/** GEN_FRAMES_MAX of bpf/bench/traffic_gen.c */
const GEN_FRAMES_MAX = 4096;

/** every frame of the traffic, in the order the generators send them */
function framesOf(spec: TrafficSpec): Buffer[] {
  if (!('frames' in spec)) return Array.from({ length: spec.flows }, (_, n) => flowFrame(spec, n));
  if (spec.frames.length < 1 || spec.frames.length > GEN_FRAMES_MAX) throw new RangeError(`a frame table holds 1 to ${GEN_FRAMES_MAX} frames, not ${spec.frames.length}`);
  const odd = spec.frames.find((f) => f.length !== FRAME_LENGTH);
  if (odd) throw new RangeError(`every frame of a frame table is ${FRAME_LENGTH} bytes, not ${odd.length}`);
  return spec.frames;
}

/** which generator offered the traffic, as the tables name it */
export type GeneratorName = 'live frames' | 'AF_XDP';

/** one run of a generator */
export interface GeneratorRun {
  /** how long it sent, ms */
  ms: number;
  /** frames it handed to the veth */
  sent: number;
}

export interface Generator {
  readonly name: GeneratorName;
  /** Send count frames as fast as the generator can; resolves when all were handed to the veth. */
  send(count: number): Promise<GeneratorRun>;
  /**
   * Offer mpps for about `seconds`: a frame every 1/mpps us, a burst of at
   * most 32 frames after the generator lost its CPU. It may send less than
   * asked where its CPU cannot keep up: the run's sent / ms says.
   */
  sendPaced(mpps: number, seconds: number): Promise<GeneratorRun>;
  close(): void;
}

/** ns between two frames at mpps */
function intervalNs(mpps: number): number {
  if (!(mpps > 0)) throw new Error(`a paced generator needs a rate above 0 Mpps, not ${mpps}`);
  return Math.max(1, Math.round(1000 / mpps));
}

/** flow n's frame: what traffic_gen.c writes for its n-th frame */
function flowFrame(flows: FlowSpec, n: number): Buffer {
  const dst = parseIPv4(flows.dst)!;
  dst.writeUInt32BE((dst.readUInt32BE(0) + (n % flows.destinations)) >>> 0, 0);
  return udpFrame({
    dstMac: flows.dstMac,
    srcMac: flows.srcMac,
    src: parseIPv4(flows.src)!,
    dst,
    sport: FIRST_SOURCE_PORT + n,
    dport: SINK_PORT,
    frameLength: FRAME_LENGTH,
  });
}

/** struct gen_state of traffic_gen.c: interval_ns, next_ns, sent */
const GEN_STATE_BYTES = 24;
const GEN_STATE_SENT = 16;
/** program runs per test run whose rate a paced run is sized by, until one has been measured */
const LIVE_FRAMES_CALIBRATION = 1_000_000;

export class LiveFramesGenerator implements Generator {
  readonly name = 'live frames';
  /**
   * Program runs per second of the last run, flooded or paced: a paced run
   * is sized by it (a test run counts program runs, and a paced one drops
   * the frames whose turn has not come, which costs less than sending).
   */
  private runsPerSecond: { flood: number | null; paced: number | null } = { flood: null, paced: null };

  private constructor(
    private readonly program: NativeProgram,
    private readonly ifindex: number,
    private readonly frame: Buffer,
  ) {}

  /**
   * A generator sending out of dev in namespace ns (its peer receives):
   * flows from a template, or a frame table written whole.
   */
  static async create(ns: string, dev: string, spec: TrafficSpec): Promise<LiveFramesGenerator> {
    const netns = `/run/netns/${ns}`;
    const frames = framesOf(spec);
    const program = new addon.XdpProgram(benchObject('traffic_gen'), 'frames' in spec ? 'xdp_traffic_gen_frames' : 'xdp_traffic_gen', { netns });
    try {
      if ('frames' in spec) {
        program.setConst('gen_frame_count', u32(frames.length));
      } else {
        program.setConst('gen_template', frames[0]!.subarray(0, GEN_TEMPLATE_LEN));
        program.setConst('gen_flows', u32(spec.flows));
        program.setConst('gen_destinations', u32(spec.destinations));
      }
      await program.load();
      if ('frames' in spec) await writeFrames(program, 'gen_frames', frames);
      return new LiveFramesGenerator(program, addon.ifIndex(dev, netns), frames[0]!);
    } catch (err) {
      program.close();
      throw err;
    }
  }

  async send(count: number): Promise<GeneratorRun> {
    const t0 = performance.now();
    const { nsPerRun, sent } = await this.run(count, 0);
    this.runsPerSecond.flood = 1e9 / nsPerRun;
    return { ms: performance.now() - t0, sent };
  }

  async sendPaced(mpps: number, seconds: number): Promise<GeneratorRun> {
    const interval = intervalNs(mpps);
    const perSecond = this.runsPerSecond.paced ?? this.runsPerSecond.flood ?? (await this.calibrate());
    const runs = Math.min(MAX_TEST_RUN_REPEAT, Math.ceil(perSecond * seconds));
    const t0 = performance.now();
    const { nsPerRun, sent } = await this.run(runs, interval);
    this.runsPerSecond.paced = 1e9 / nsPerRun;
    // the wall clock's time, not the kernel's: the kernel leaves out the time the run gave its CPU away,
    // while the turns kept coming on the clock, so its time would overstate the rate by that share
    return { ms: performance.now() - t0, sent };
  }

  private async calibrate(): Promise<number> {
    await this.send(LIVE_FRAMES_CALIBRATION);
    return this.runsPerSecond.flood!;
  }

  /**
   * One test run of `repeat` program runs, a frame's turn every interval ns
   * (0: every run sends); the kernel times the run while it has its CPU
   * and answers the mean per program run in whole ns, cut down: half a ns
   * more is the closer guess.
   */
  private async run(repeat: number, interval: number): Promise<{ nsPerRun: number; sent: number }> {
    const state = this.program.map('gen_state');
    const key = u32(0);
    const fresh = Buffer.alloc(GEN_STATE_BYTES);
    fresh.writeBigUInt64LE(BigInt(interval), 0);
    state.update(key, fresh);
    const { durationNs } = await this.program.runLiveFrames({ data: this.frame, repeat, ingressIfindex: this.ifindex, batchSize: LIVE_FRAMES_BATCH });
    return { nsPerRun: durationNs + 0.5, sent: Number(state.lookup(key)!.readBigUInt64LE(GEN_STATE_SENT)) };
  }

  close(): void {
    this.program.close();
  }
}

/** a test run's repeat count is 32 bits */
export const MAX_TEST_RUN_REPEAT = 2 ** 32 - 1;
/** program runs per batch of a live-frames test run (the kernel's frames go out at each batch's end) */
const LIVE_FRAMES_BATCH = 256;

/** frames of the live-frames probe: enough to be a real run, too few to matter */
const LIVE_FRAMES_PROBE = 16;

/**
 * Whether this machine refuses live frames: one tiny live-frames run out of
 * dev. The errno name (EPERM, EOPNOTSUPP) when refused, null when it ran.
 */
export async function liveFramesRefusal(ns: string, dev: string, flows: TrafficSpec): Promise<string | null> {
  const gen = await LiveFramesGenerator.create(ns, dev, flows);
  try {
    await gen.send(LIVE_FRAMES_PROBE);
    return null;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'EPERM' || code === 'EOPNOTSUPP') return code;
    throw err;
  } finally {
    gen.close();
  }
}

/** 2 MiB of UMEM: half receives (unused), half transmits, twice a veth's 256-frame ring */
const XSK_UMEM_FRAMES = 1024;
const XSK_FRAME_SIZE = 2048;
const XSK_RING_SIZE = 512;
const XSK_BIND_ATTEMPTS = 20;
const XSK_BIND_RETRY_MS = 50;

/**
 * A copy-mode AF_XDP socket on queue 0 of the host's veth, its transmit loop
 * on a worker thread: needs CAP_NET_RAW and a small UMEM (XSK_UMEM_FRAMES
 * frames of XSK_FRAME_SIZE bytes, within a default RLIMIT_MEMLOCK), no test
 * runs. It cycles through every flow's frame, in flow order, as the
 * live-frames program does.
 */
export class XskGenerator implements Generator {
  readonly name = 'AF_XDP';

  private constructor(
    private readonly socket: XskSocket,
    private readonly frames: Buffer[],
  ) {}

  static async create(ns: string, dev: string, spec: TrafficSpec): Promise<XskGenerator> {
    const netns = `/run/netns/${ns}`;
    const frames = framesOf(spec);
    const options = { ifindex: addon.ifIndex(dev, netns), queue: 0, netns, frameCount: XSK_UMEM_FRAMES, frameSize: XSK_FRAME_SIZE, ringSize: XSK_RING_SIZE, bind: 'copy' as const };
    // the previous case's socket frees the queue an RCU grace period after its close
    for (let attempt = 1; ; attempt++) {
      try {
        return new XskGenerator(new addon.XskSocket(options), frames);
      } catch (err) {
        if ((err as { code?: unknown }).code !== 'EBUSY' || attempt === XSK_BIND_ATTEMPTS) throw err;
        await sleep(XSK_BIND_RETRY_MS);
      }
    }
  }

  async send(count: number): Promise<GeneratorRun> {
    const t0 = performance.now();
    const sent = await this.socket.transmitRepeatedly(this.frames, count);
    return { ms: performance.now() - t0, sent };
  }

  async sendPaced(mpps: number, seconds: number): Promise<GeneratorRun> {
    const interval = intervalNs(mpps);
    const t0 = performance.now();
    const sent = await this.socket.transmitRepeatedly(this.frames, Math.min(MAX_TEST_RUN_REPEAT, Math.ceil((seconds * 1e9) / interval)), interval);
    return { ms: performance.now() - t0, sent };
  }

  close(): void {
    this.socket.close();
  }
}

export class Sink {
  private constructor(private readonly attached: AttachedProgram) {}

  /** Attach a counting sink to dev in namespace ns. */
  static async attach(ns: string, dev: string): Promise<Sink> {
    const port = Buffer.alloc(2);
    port.writeUInt16LE(SINK_PORT);
    return new Sink(await AttachedProgram.attach(ns, dev, 'sink', 'xdp_sink', { setConsts: (p) => p.setConst('sink_port', port) }));
  }

  /** Frames counted so far, summed over CPUs. */
  received(): bigint {
    const perCpu = this.attached.map('sink_counts').lookup(Buffer.alloc(4))!;
    let total = 0n;
    // struct sink_count { packets, bytes }: 16 bytes per CPU
    for (let cpu = 0; cpu < addon.possibleCpus(); cpu++) total += perCpu.readBigUInt64LE(cpu * 16);
    return total;
  }

  detach(): Promise<void> {
    return this.attached.detach();
  }
}
