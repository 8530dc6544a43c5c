// The fastpath bench's flows: a random route of the table, a random address
// in it, a random source port, seeded. Shared with the index model
// (index-model.ts) so it reads the very destinations the bench sends.
import { seededRandom } from '../router/lab/random.js';
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
