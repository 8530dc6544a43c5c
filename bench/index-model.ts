// Candidate layouts of the IPv6 index, modelled on the benchmark's own
// tables and destinations before any is built: per layout, the memory, the
// dependent loads per lookup, and the distinct 64-byte lines and 4 KiB
// pages that the fastpath bench's 4096 destinations read. Counts, not
// times: the same on a loaded machine. The ns grow with the pages (a page
// the TLB lacks is a page walk per load), so a layout is worth building
// when it reads fewer pages and no more loads.
//
// Every layout has the /24 table of the built index (dataplane/dir6.ts);
// below it, each node is chosen by the layout from what its subtree holds.
// Nodes take their place in the order the index would build them (the
// table's insertion order, a prefix's chain top down), in one array per
// node size, as the index's group pool hands groups out.
// The row "built" is dataplane/dir6.ts itself, read as the program reads
// it: the check that the model of the current layout is the real one.
//   node dist/bench/index-model.js [SIZES [DESTINATIONS]]
import { Dir6, LINE_WORDS, TBL24_ENTRIES } from '../dataplane/dir6.js';
import { chunk } from '../dataplane/dir6-node.js';
import { Dir6Layout } from '../dataplane/layout.js';
import { ipv6Table } from './prefixes.js';
import type { Prefix6 } from './prefixes.js';
import { spreadFlows, spreadSeed } from './spread-flows.js';

const LINE = 64;
const PAGE = 4096;
const ENTRY = 4;
const FIRST_STRIDE = 24;

/**
 * How a node stores its entries. full: 2^stride u32 entries, one load at
 * the key. sparse: one 64-byte line, a header word and the node's runs
 * (the first key of each, stride/8 bytes, and its u32 entry), searched in
 * the line. bitmap (poptrie's): a bit per key where a run starts, then the
 * runs' entries packed; two dependent loads, the bitmap's word and the
 * entry its popcount names.
 */
type NodeKind = 'full' | 'sparse' | 'bitmap';

/** How a node below the /24 table resolves the next `stride` bits. */
interface Shape {
  stride: 8 | 16 | 24;
  kind: NodeKind;
  /** a sparse node's size: a line, or half of one */
  bytes?: 32 | 64;
}

interface Layout {
  name: string;
  /** tried in order: the first that holds the subtree is taken; the last must be full */
  shapes: Shape[];
}

const LAYOUTS: Layout[] = [
  { name: 'lpm6 (24, then 8-bit groups)', shapes: [{ stride: 8, kind: 'full' }] },
  { name: 'sparse 8-bit lines', shapes: [{ stride: 8, kind: 'sparse' }, { stride: 8, kind: 'full' }] },
  { name: 'sparse 16/8-bit lines', shapes: [{ stride: 16, kind: 'sparse' }, { stride: 8, kind: 'sparse' }, { stride: 8, kind: 'full' }] },
  {
    name: 'sparse 24/16/8-bit lines',
    shapes: [{ stride: 24, kind: 'sparse' }, { stride: 16, kind: 'sparse' }, { stride: 8, kind: 'sparse' }, { stride: 8, kind: 'full' }],
  },
  { name: 'sparse 8-bit lines, else bitmap', shapes: [{ stride: 8, kind: 'sparse' }, { stride: 8, kind: 'bitmap' }] },
  {
    name: 'sparse 24/16/8-bit lines, else bitmap',
    shapes: [{ stride: 24, kind: 'sparse' }, { stride: 16, kind: 'sparse' }, { stride: 8, kind: 'sparse' }, { stride: 8, kind: 'bitmap' }],
  },
  {
    name: 'half-line or sparse 24/16/8-bit lines, else bitmap',
    shapes: [
      { stride: 24, kind: 'sparse', bytes: 32 },
      { stride: 24, kind: 'sparse' },
      { stride: 16, kind: 'sparse', bytes: 32 },
      { stride: 16, kind: 'sparse' },
      { stride: 8, kind: 'sparse', bytes: 32 },
      { stride: 8, kind: 'sparse' },
      { stride: 8, kind: 'bitmap' },
    ],
  },
  { name: 'bitmap 8-bit', shapes: [{ stride: 8, kind: 'bitmap' }] },
];

/** runs a sparse node of this stride and size holds: a header word, then per run its first key and its entry */
function sparseRuns(stride: number, bytes: number): number {
  return Math.floor((bytes - ENTRY) / (stride / 8 + ENTRY));
}

interface Node {
  stride: number;
  kind: NodeKind;
  /** a sparse node's */
  bytes: number;
  /** the first key of each run, ascending (what a bitmap node's bits say) */
  starts: number[];
  /** by key: the node for the addresses of that key, where prefixes go deeper */
  children: Map<number, Node>;
  /** byte offset in its pool, once placed */
  offset: number;
}

/** the first key of each entry run of a node of `stride` at depth `from` over these prefixes (all longer than from, sharing its bits) */
function runStarts(prefixes: Prefix6[], from: number, stride: number): number[] {
  const end = 2 ** stride;
  const starts = new Set<number>([0]);
  for (const p of prefixes) {
    const key = chunk(p.addr, from, stride);
    const span = p.length <= from + stride ? 2 ** (from + stride - p.length) : 1;
    starts.add(key);
    if (key + span < end) starts.add(key + span);
  }
  return [...starts].sort((a, b) => a - b);
}

/** a bitmap node's bitmap: a bit per key */
function bitmapBytes(stride: number): number {
  return 2 ** stride / 8;
}

function nodeBytes(node: Node): number {
  if (node.kind === 'sparse') return node.bytes;
  if (node.kind === 'bitmap') return bitmapBytes(node.stride) + node.starts.length * ENTRY;
  return 2 ** node.stride * ENTRY;
}

function poolOf(node: Node): string {
  if (node.kind === 'sparse') return `sparse${node.bytes}`;
  return node.kind === 'full' ? `full${node.stride}` : node.kind;
}

/** the byte offsets in its pool that a lookup of key reads in node, in order */
function reads(node: Node, key: number): number[] {
  if (node.kind === 'sparse') return [node.offset];
  if (node.kind === 'full') return [node.offset + key * ENTRY];
  let rank = 0;
  while (rank + 1 < node.starts.length && node.starts[rank + 1]! <= key) rank++;
  const word = Math.floor(key / 64) * 8;
  return [node.offset + word, node.offset + bitmapBytes(node.stride) + rank * ENTRY];
}

/** The node for these prefixes (sorted, all longer than `from`, sharing its first `from` bits) and those under it. */
function build(prefixes: Prefix6[], from: number, layout: Layout): Node {
  for (const shape of layout.shapes) {
    const starts = runStarts(prefixes, from, shape.stride);
    const bytes = shape.bytes ?? LINE;
    if (shape.kind === 'sparse' && starts.length > sparseRuns(shape.stride, bytes)) continue;
    return withChildren({ stride: shape.stride, kind: shape.kind, bytes, starts, children: new Map(), offset: -1 }, prefixes, from, layout);
  }
  throw new Error(`index-model: layout '${layout.name}' has no shape that holds any subtree to fall back to`);
}

function withChildren(node: Node, prefixes: Prefix6[], from: number, layout: Layout): Node {
  const depth = from + node.stride;
  let run: Prefix6[] = [];
  let key = -1;
  const flush = (): void => {
    if (run.length > 0) node.children.set(key, build(run, depth, layout));
    run = [];
  };
  for (const p of prefixes) {
    if (p.length <= depth) continue;
    const k = chunk(p.addr, from, node.stride);
    if (k !== key) {
      flush();
      key = k;
    }
    run.push(p);
  }
  flush();
  return node;
}

export interface LayoutCost {
  layout: string;
  /** nodes below the /24 table, by pool */
  nodes: Record<string, number>;
  /** bytes of the nodes below the /24 table (whose 64 MiB every layout has) */
  bytes: number;
  /** dependent loads per lookup (a sparse node's line is one, a bitmap node's two) */
  loads: number;
  /** distinct lines and pages the destinations read */
  lines: number;
  pages: number;
}

/** The layout built over table (in insertion order) and read for each destination. */
export function modelLayout(layout: Layout, table: Prefix6[], destinations: Buffer[]): LayoutCost {
  const sorted = [...table].sort((a, b) => Buffer.compare(a.addr, b.addr) || a.length - b.length);
  const root = withChildren({ stride: FIRST_STRIDE, kind: 'full', bytes: 0, starts: [], children: new Map(), offset: 0 }, sorted, 0, layout);
  const used = new Map<string, number>();
  const counts: Record<string, number> = {};
  for (const p of table) {
    let node = root;
    for (let from = 0; p.length > from + node.stride; ) {
      const parent = node;
      node = parent.children.get(chunk(p.addr, from, parent.stride))!;
      from += parent.stride;
      if (node.offset >= 0) continue;
      const pool = poolOf(node);
      node.offset = used.get(pool) ?? 0;
      used.set(pool, node.offset + nodeBytes(node));
      counts[pool] = (counts[pool] ?? 0) + 1;
    }
  }
  const lines = new Set<string>();
  const pages = new Set<string>();
  let loads = 0;
  for (const addr of destinations) {
    let node: Node | undefined = root;
    let pool = 'root';
    for (let from = 0; node; ) {
      const key = chunk(addr, from, node.stride);
      for (const at of reads(node, key)) {
        loads++;
        lines.add(`${pool}:${Math.floor(at / LINE)}`);
        pages.add(`${pool}:${Math.floor(at / PAGE)}`);
      }
      from += node.stride;
      node = node.children.get(key);
      if (node) pool = poolOf(node);
    }
  }
  const bytes = [...used.values()].reduce((sum, b) => sum + b, 0);
  return { layout: layout.name, nodes: counts, bytes, loads: loads / destinations.length, lines: lines.size, pages: pages.size };
}

/** dataplane/dir6.ts itself, built in plain memory as big as the maps, read as the program reads it */
export function builtCost(table: Prefix6[], destinations: Buffer[]): LayoutCost {
  const memory = { tbl24: new Uint32Array(TBL24_ENTRIES), lines: new Uint32Array(Dir6Layout.lines * LINE_WORDS) };
  const index = new Dir6(memory);
  for (const p of table) index.set(p.addr, p.length, 1);
  const lines = new Set<string>();
  const pages = new Set<string>();
  let loads = 0;
  for (const addr of destinations) {
    const read = new Set<string>();
    Dir6.read(memory, addr, (array, at) => {
      const pool = array === memory.tbl24 ? 'root' : 'lines';
      read.add(`${pool}:${Math.floor((at * ENTRY) / LINE)}`);
      pages.add(`${pool}:${Math.floor((at * ENTRY) / PAGE)}`);
    });
    loads += read.size;
    for (const line of read) lines.add(line);
  }
  const used = index.usage().used;
  return { layout: 'built: dataplane/dir6.ts', nodes: { lines: used }, bytes: used * LINE, loads: loads / destinations.length, lines: lines.size, pages: pages.size };
}

function row(size: number, cost: LayoutCost): string {
  const nodes = Object.entries(cost.nodes)
    .map(([pool, n]) => `${pool} ${n}`)
    .join(', ');
  const mib = (cost.bytes / 2 ** 20).toFixed(1);
  return `| ${size} | ${cost.layout} | ${nodes} | ${mib} | ${cost.loads.toFixed(2)} | ${cost.lines} | ${cost.pages} |`;
}

function main(): void {
  const sizes = (process.argv[2] ?? '1000,100000,300000').split(',').map(Number);
  const count = Number(process.argv[3] ?? 4096);
  if (sizes.some((n) => !Number.isInteger(n) || n < 1) || !Number.isInteger(count) || count < 1) {
    throw new Error('usage: node dist/bench/index-model.js [SIZES (comma-separated prefix counts) [DESTINATIONS]]');
  }
  const table = ipv6Table(Math.max(...sizes));
  console.log(`| prefixes | layout | nodes below the /24 table | their MiB | loads per lookup | lines | pages (${count} destinations) |`);
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const size of sizes) {
    const slice = table.slice(0, size);
    const destinations = spreadFlows(6, table, size, count, spreadSeed(6, size)).map((f) => f.dst);
    console.log(row(size, builtCost(slice, destinations)));
    for (const layout of LAYOUTS) console.log(row(size, modelLayout(layout, slice, destinations)));
  }
}

main();
