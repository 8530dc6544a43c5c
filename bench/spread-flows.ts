// The fastpath bench's flows: a random route of the table, a random address
// in it, a random source port, seeded. Shared with the index model
// (index-model.ts) so it reads the very destinations the bench sends, and
// with the forward bench's IPv6 spread traffic.
import type { NativeProgram } from '../dataplane/native.js';
import { seededRandom } from '../router/lab/random.js';
import { udpFrame } from '../support/frames.js';
import { addressIn4, addressIn6 } from './prefixes.js';
import type { Prefix4, Prefix6 } from './prefixes.js';

export interface SpreadFlow {
  /** 4 or 16 bytes, network order */
  dst: Buffer;
  sport: number;
}

/** the seed of a table size's flows: each size its own, every run the same */
export function spreadSeed(family: 4 | 6, routes: number): number {
  return routes * 10 + family;
}

/** count flows to destinations spread over the first `routes` prefixes of table */
export function spreadFlows(family: 4 | 6, table: Prefix4[] | Prefix6[], routes: number, count: number, seed: number): SpreadFlow[] {
  const random = seededRandom(seed);
  const out: SpreadFlow[] = [];
  for (let i = 0; i < count; i++) {
    const route = Math.floor(random() * routes);
    let dst: Buffer;
    if (family === 4) {
      dst = Buffer.alloc(4);
      dst.writeUInt32BE(addressIn4((table as Prefix4[])[route]!, random));
    } else {
      dst = addressIn6((table as Prefix6[])[route]!, random);
    }
    out.push({ dst, sport: 1024 + Math.floor(random() * 60000) });
  }
  return out;
}

/** what every spread frame shares: its MACs, its source, the UDP port it goes to, its length */
export interface SpreadFrameEnds {
  dstMac: string;
  srcMac: string;
  /** 4 or 16 bytes, the family of the table */
  src: Buffer;
  dport: number;
  frameLength: number;
}

/** UDP frames of spreadFlows' flows, one each */
export function spreadFrames(family: 4 | 6, table: Prefix4[] | Prefix6[], routes: number, count: number, seed: number, ends: SpreadFrameEnds): Buffer[] {
  return spreadFlows(family, table, routes, count, seed).map(({ dst, sport }) => udpFrame({ ...ends, dst, sport }));
}

/** Write frames to entries 0.. of a program's array map of whole frames, in one batch. */
export async function writeFrames(program: NativeProgram, map: string, frames: Buffer[]): Promise<void> {
  const keys = Buffer.alloc(4 * frames.length);
  frames.forEach((_, i) => keys.writeUInt32LE(i, i * 4));
  await program.map(map).updateBatch(keys, Buffer.concat(frames), frames.length);
}
