// Instances of the XDP program: the one the router attaches, and a
// never-attached twin over the same maps that answers "what would the
// program do with this frame" without counting or sending anything.
import { join } from 'node:path';
import { randomInt } from 'node:crypto';
import { addon } from './native.js';
import type { NativeMap, NativeProgram } from './native.js';
import { packageRoot } from './package-root.js';
import * as L from './layout.js';
import type { MapName, Reason } from './layout.js';

export const DEFAULT_OBJECT = join(packageRoot(), 'bpf', 'xdp_router.o');
export const PROGRAM_NAME = 'xdp_router';

/** The constants a program instance is loaded with; a dry-run instance takes the same. */
export interface ProgramConstants {
  objectPath: string;
  /** /run/netns/NAME, or undefined for the daemon's own namespace */
  netns: string | undefined;
  /** multipath hash seed, 4 bytes */
  seed: Buffer;
  punt: boolean;
}

export function programConstants(options: { objectPath?: string; netns?: string; hashSeed?: number; punt?: boolean }): ProgramConstants {
  const seed = Buffer.alloc(4);
  seed.writeUInt32LE(options.hashSeed ?? randomInt(0, 2 ** 32 - 1) >>> 0);
  return {
    objectPath: options.objectPath ?? DEFAULT_OBJECT,
    netns: options.netns ? `/run/netns/${options.netns}` : undefined,
    seed,
    punt: options.punt ?? false,
  };
}

/** An instance of the program with its constants set, not yet loaded. */
export function openProgram(c: ProgramConstants, dryRun: boolean): NativeProgram {
  const program = new addon.XdpProgram(c.objectPath, PROGRAM_NAME, c.netns ? { netns: c.netns } : {});
  try {
    program.setConst('xr_hash_seed', c.seed);
    program.setConst('xr_punt_enabled', Buffer.from([c.punt ? 1 : 0]));
    program.setConst('xr_dry_run', Buffer.from([dryRun ? 1 : 0]));
    return program;
  } catch (err) {
    program.close();
    throw err;
  }
}

/** What the program decides for a frame, from a dry run: nothing counted, nothing sent. */
export interface Decision {
  reason: Reason;
  /** the frame as the program left it: rewritten (MACs, TTL, tag) when forwarded */
  frame: Buffer;
}

/**
 * A second instance, loaded with the same constants over the same maps and
 * never attached, whose xr_dry_run makes a test run count nothing, send
 * nothing to a punt socket and return its reason. Loaded at its first use.
 */
export class DryRun {
  private program: Promise<NativeProgram> | undefined;

  constructor(
    private readonly constants: ProgramConstants,
    private readonly maps: Record<MapName, NativeMap>,
  ) {}

  /** Queue 0: a punt verdict is for a frame on queue 0. */
  async decide(frame: Buffer, ingressIfindex: number): Promise<Decision> {
    this.program ??= this.load();
    const res = await (await this.program).testRun({ data: frame, ingressIfindex });
    const reason = L.REASONS[res.retval];
    if (reason === undefined) throw new Error(`the dry-run program returned ${res.retval}, not a reason (0..${L.REASONS.length - 1}): is bpf/xdp_router.o older than dataplane/layout.ts?`);
    return { reason, frame: res.data };
  }

  close(): void {
    void this.program?.then((p) => p.close(), () => undefined);
  }

  private async load(): Promise<NativeProgram> {
    const program = openProgram(this.constants, true);
    try {
      for (const name of Object.keys(L.MAPS) as MapName[]) program.reuseMap(name, this.maps[name]);
      await program.load();
      return program;
    } catch (err) {
      program.close();
      this.program = undefined;
      throw err;
    }
  }
}
