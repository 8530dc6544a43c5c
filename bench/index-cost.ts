// What the IPv6 lookups of a benchmark row read of the index, counted
// rather than timed: 64-byte lines loaded per lookup (each depends on the one
// before) and the distinct 4 KiB pages the row's frames touch. On a shared
// or virtual machine the ns move with the load; these do not, and they
// say where the ns go (a page the TLB lacks costs a page walk per load).
import { Dir6 } from '../dataplane/dir6.js';
import { fib6Memory } from '../dataplane/fib6-index.js';
import type { NativeProgram } from '../dataplane/native.js';

export interface IndexCost {
  /** mean 64-byte lines per lookup (each depends on the one before; a sparse node's header and entry share one) */
  loads: number;
  /** distinct 4 KiB pages of the index arrays that all the lookups read */
  pages: number;
}

const PAGE_ENTRIES = 4096 / Uint32Array.BYTES_PER_ELEMENT;
const LINE_ENTRIES = 64 / Uint32Array.BYTES_PER_ELEMENT;

/** The cost of looking each destination (16 bytes) up in the IPv6 index of the program's maps. */
export function ipv6IndexCost(program: NativeProgram, destinations: Uint8Array[]): IndexCost {
  const memory = fib6Memory({ xr_fib6: program.map('xr_fib6'), xr_fib6_tbl24: program.map('xr_fib6_tbl24'), xr_fib6_lines: program.map('xr_fib6_lines') });
  const pages = new Set<string>();
  let loads = 0;
  for (const addr of destinations) {
    const lines = new Set<string>();
    Dir6.read(memory, addr, (array, index) => {
      const which = array === memory.tbl24 ? 24 : 6;
      lines.add(`${which}:${Math.floor(index / LINE_ENTRIES)}`);
      pages.add(`${which}:${Math.floor(index / PAGE_ENTRIES)}`);
    });
    loads += lines.size;
  }
  return { loads: loads / destinations.length, pages: pages.size };
}
