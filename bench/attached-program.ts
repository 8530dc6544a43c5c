// An XDP program of bpf/bench/ attached to one of the lab's veths in native
// mode, as the daemon attaches xdp-router (libxdp): loaded with its
// constants set, and detached and closed together. The sink and the lab
// router's other forwarders are such programs.
import { addon } from '../dataplane/native.js';
import type { NativeMap, NativeProgram } from '../dataplane/native.js';
import { benchObject } from './paths.js';
import type { BenchObject } from './paths.js';

/** a u32 in the host's order, as map keys and constants take it */
export function u32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(value);
  return b;
}

export class AttachedProgram {
  private constructor(
    private readonly program: NativeProgram,
    private readonly ifindex: number,
  ) {}

  /**
   * Load program `name` of object `object` (setConsts sets its constants
   * before the load, fillMaps its maps after) and attach it to dev in
   * namespace ns; on any failure nothing stays attached or open.
   */
  static async attach(
    ns: string,
    dev: string,
    object: BenchObject,
    name: string,
    setup: { setConsts?: (p: NativeProgram) => void; fillMaps?: (p: NativeProgram) => void } = {},
  ): Promise<AttachedProgram> {
    const netns = `/run/netns/${ns}`;
    const program = new addon.XdpProgram(benchObject(object), name, { netns });
    try {
      setup.setConsts?.(program);
      await program.load();
      setup.fillMaps?.(program);
      const ifindex = addon.ifIndex(dev, netns);
      await program.attach(ifindex, 'native');
      return new AttachedProgram(program, ifindex);
    } catch (err) {
      program.close();
      throw err;
    }
  }

  map(name: string): NativeMap {
    return this.program.map(name);
  }

  async detach(): Promise<void> {
    try {
      await this.program.detach(this.ifindex);
    } finally {
      this.program.close();
    }
  }
}
