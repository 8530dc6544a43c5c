// The lab's traffic ends: a generator in a host namespace (an XDP program
// returning XDP_TX, run by BPF_PROG_TEST_RUN in live-frames mode on the
// host's veth, so its frames leave by that veth) and a counting sink (an
// XDP program on the receiving veth that counts the benchmark's frames and
// drops them at the driver hook).
import { addon } from '../dataplane/native.js';
import type { NativeProgram } from '../dataplane/native.js';
import { parseIPv4 } from '../dataplane/addr.js';
import { udpFrame } from './frames.js';
import { benchObject } from './paths.js';

export const SINK_PORT = 9;
/** GEN_TEMPLATE_LEN of bpf/bench/traffic_gen.c: the bytes of each frame the generator writes afresh */
const GEN_TEMPLATE_LEN = 48;
/** every frame: 64 bytes from the destination MAC to the end of the UDP payload (a veth carries no FCS) */
export const FRAME_LENGTH = 64;

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

function u32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(value);
  return b;
}

export class Generator {
  private constructor(
    private readonly program: NativeProgram,
    private readonly ifindex: number,
    private readonly frame: Buffer,
  ) {}

  /** A generator sending out of dev in namespace ns (its peer receives). */
  static async create(ns: string, dev: string, flows: FlowSpec): Promise<Generator> {
    const netns = `/run/netns/${ns}`;
    const frame = udpFrame({
      dstMac: flows.dstMac,
      srcMac: flows.srcMac,
      src: parseIPv4(flows.src)!,
      dst: parseIPv4(flows.dst)!,
      sport: 1024,
      dport: SINK_PORT,
      frameLength: FRAME_LENGTH,
    });
    const program = new addon.XdpProgram(benchObject('traffic_gen'), 'xdp_traffic_gen', { netns });
    try {
      program.setConst('gen_template', frame.subarray(0, GEN_TEMPLATE_LEN));
      program.setConst('gen_flows', u32(flows.flows));
      program.setConst('gen_destinations', u32(flows.destinations));
      await program.load();
      return new Generator(program, addon.ifIndex(dev, netns), frame);
    } catch (err) {
      program.close();
      throw err;
    }
  }

  /** Send count frames as fast as the generator can; resolves when all were handed to the veth. */
  async send(count: number): Promise<{ ms: number }> {
    const t0 = performance.now();
    await this.program.runLiveFrames({ data: this.frame, repeat: count, ingressIfindex: this.ifindex, batchSize: 256 });
    return { ms: performance.now() - t0 };
  }

  close(): void {
    this.program.close();
  }
}

export class Sink {
  private constructor(
    private readonly program: NativeProgram,
    private readonly ifindex: number,
  ) {}

  /** Attach a counting sink to dev in namespace ns. */
  static async attach(ns: string, dev: string): Promise<Sink> {
    const netns = `/run/netns/${ns}`;
    const program = new addon.XdpProgram(benchObject('sink'), 'xdp_sink', { netns });
    try {
      const port = Buffer.alloc(2);
      port.writeUInt16LE(SINK_PORT);
      program.setConst('sink_port', port);
      await program.load();
      const ifindex = addon.ifIndex(dev, netns);
      await program.attach(ifindex, 'native');
      return new Sink(program, ifindex);
    } catch (err) {
      program.close();
      throw err;
    }
  }

  /** Frames counted so far, summed over CPUs. */
  received(): bigint {
    const perCpu = this.program.map('sink_counts').lookup(Buffer.alloc(4))!;
    let total = 0n;
    // struct sink_count { packets, bytes }: 16 bytes per CPU
    for (let cpu = 0; cpu < addon.possibleCpus(); cpu++) total += perCpu.readBigUInt64LE(cpu * 16);
    return total;
  }

  async detach(): Promise<void> {
    await this.program.detach(this.ifindex);
    this.program.close();
  }
}
