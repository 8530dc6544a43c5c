// The candidate IPv6 index layout that bpf/bench/index6.c reads, built whole
// from a table (no updates, no grace periods: a measurement, not the
// product's writer), and read back here as the program reads it, so the
// timing can check that it answers every destination as dir6.ts does.
// The constants mirror index6.c's enums.
import type { Prefix6 } from './prefixes.js';

const LINE_WORDS = 16;
const PTR = 2 ** 31;
const KIND_SHIFT = 29;
const LINE_MASK = 2 ** KIND_SHIFT - 1;
const SPARSE = 1;
const BITMAP = 2;
const SPARSE_RUNS = 7;
const SPARSE_KEYS = 1;
const SPARSE_ENTRIES = 8;
const SPARSE_STRIDE_SHIFT = 8;
const SPARSE_STRIDE_MASK = 3;
const SPARSE_RUNS_MASK = 0xff;
const KIND_MASK = 3;
const BITMAP_ENTRIES = 8;
const FIRST_STRIDE = 24;
const TBL24_ENTRIES = 2 ** FIRST_STRIDE;

interface Node {
  stride: number;
  kind: typeof SPARSE | typeof BITMAP;
  /** the first key of each run, ascending, and its entry: a route, or the node under that key */
  starts: number[];
  values: Array<number | Node>;
  /** first line, once placed */
  line: number;
}

/** the shapes tried in order: the widest sparse line that holds the subtree's runs, else a bitmap node */
const SHAPES: Array<{ stride: number; kind: Node['kind'] }> = [
  { stride: 24, kind: SPARSE },
  { stride: 16, kind: SPARSE },
  { stride: 8, kind: SPARSE },
  { stride: 8, kind: BITMAP },
];

export interface ValuedPrefix6 extends Prefix6 {
  value: number;
}

export interface Candidate6 {
  tbl24: Uint32Array;
  /** LINE_WORDS words per line */
  lines: Uint32Array;
  lineCount: number;
}

/** bits [from, from + stride) of addr, both multiples of 8 */
function chunk(addr: Uint8Array, from: number, stride: number): number {
  let key = 0;
  for (let byte = from / 8; byte < (from + stride) / 8; byte++) key = key * 256 + addr[byte]!;
  return key;
}

function span(p: Prefix6, depth: number): number {
  return 2 ** (depth - p.length);
}

/** The node for prefixes (sorted, longer than from, sharing its first from bits) under a cover `cover` from above. */
function build(prefixes: ValuedPrefix6[], from: number, cover: number): Node {
  for (const { stride, kind } of SHAPES) {
    if (from + stride > 128) continue;
    const depth = from + stride;
    const ending = prefixes.filter((p) => p.length <= depth).sort((a, b) => a.length - b.length);
    const deeper = new Map<number, ValuedPrefix6[]>();
    for (const p of prefixes) {
      if (p.length <= depth) continue;
      const key = chunk(p.addr, from, stride);
      const list = deeper.get(key);
      if (list) list.push(p);
      else deeper.set(key, [p]);
    }
    const coverAt = (key: number): number => {
      let value = cover;
      for (const p of ending) {
        const start = chunk(p.addr, from, stride);
        if (key >= start && key < start + span(p, depth)) value = p.value;
      }
      return value;
    };
    const starts = new Set<number>([0]);
    for (const p of ending) {
      const start = chunk(p.addr, from, stride);
      starts.add(start);
      if (start + span(p, depth) < 2 ** stride) starts.add(start + span(p, depth));
    }
    for (const key of deeper.keys()) {
      starts.add(key);
      if (key + 1 < 2 ** stride) starts.add(key + 1);
    }
    if (kind === SPARSE && starts.size > SPARSE_RUNS) continue;
    const node: Node = { stride, kind, starts: [...starts].sort((a, b) => a - b), values: [], line: -1 };
    node.values = node.starts.map((start) => {
      const under = deeper.get(start);
      return under ? build(under, depth, coverAt(start)) : coverAt(start);
    });
    return node;
  }
  throw new Error(`index6-candidate: no shape for the prefixes under bit ${from}`);
}

function lineCountOf(node: Node): number {
  return node.kind === SPARSE ? 1 : Math.ceil((BITMAP_ENTRIES + node.starts.length) / LINE_WORDS);
}

function pointer(node: Node): number {
  return (PTR | (node.kind << KIND_SHIFT) | node.line) >>> 0;
}

function entryOf(value: number | Node): number {
  return typeof value === 'number' ? value : pointer(value);
}

/**
 * The candidate for table (prefix values 1..2^26), its nodes placed in
 * the table's order, a prefix's chain top down, as a writer that adds
 * them one by one would place them.
 */
export function buildCandidate6(table: ValuedPrefix6[]): Candidate6 {
  const sorted = [...table].sort((a, b) => Buffer.compare(a.addr, b.addr) || a.length - b.length);
  const tbl24 = new Uint32Array(TBL24_ENTRIES);
  for (const p of sorted.filter((q) => q.length <= FIRST_STRIDE).sort((a, b) => a.length - b.length)) {
    const start = chunk(p.addr, 0, FIRST_STRIDE);
    tbl24.fill(p.value, start, start + span(p, FIRST_STRIDE));
  }
  const under = new Map<number, ValuedPrefix6[]>();
  for (const p of sorted) {
    if (p.length <= FIRST_STRIDE) continue;
    const key = chunk(p.addr, 0, FIRST_STRIDE);
    const list = under.get(key);
    if (list) list.push(p);
    else under.set(key, [p]);
  }
  const roots = new Map<number, Node>();
  for (const [key, list] of under) roots.set(key, build(list, FIRST_STRIDE, tbl24[key]!));
  let lineCount = 0;
  for (const p of table) {
    let node = roots.get(chunk(p.addr, 0, FIRST_STRIDE));
    for (let from = FIRST_STRIDE; node; ) {
      if (node.line < 0) {
        node.line = lineCount;
        lineCount += lineCountOf(node);
      }
      if (p.length <= from + node.stride) break;
      const key = chunk(p.addr, from, node.stride);
      from += node.stride;
      const next: number | Node | undefined = node.values[node.starts.indexOf(key)];
      node = typeof next === 'object' ? next : undefined;
    }
  }
  const lines = new Uint32Array(lineCount * LINE_WORDS);
  const stack = [...roots.values()];
  for (const [key, node] of roots) tbl24[key] = pointer(node);
  while (stack.length > 0) {
    const node = stack.pop()!;
    const base = node.line * LINE_WORDS;
    for (const v of node.values) if (typeof v === 'object') stack.push(v);
    if (node.kind === SPARSE) {
      lines[base] = node.starts.length | ((node.stride / 8) << SPARSE_STRIDE_SHIFT);
      node.starts.forEach((start, i) => {
        lines[base + SPARSE_KEYS + i] = start;
        lines[base + SPARSE_ENTRIES + i] = entryOf(node.values[i]!);
      });
    } else {
      for (const start of node.starts) lines[base + (start >> 5)] = (lines[base + (start >> 5)]! | (1 << (start & 31))) >>> 0;
      node.values.forEach((v, i) => {
        lines[base + BITMAP_ENTRIES + i] = entryOf(v);
      });
    }
  }
  return { tbl24, lines, lineCount };
}

function popcount(x: number): number {
  let n = 0;
  for (let v = x >>> 0; v; v &= v - 1) n++;
  return n;
}

/** The entry for addr, read as index6.c reads it: a route's value, or 0. */
export function readCandidate6(c: Pick<Candidate6, 'tbl24' | 'lines'>, addr: Uint8Array): number {
  let e = c.tbl24[chunk(addr, 0, FIRST_STRIDE)]!;
  let at = FIRST_STRIDE / 8;
  while (e & PTR) {
    const base = (e & LINE_MASK) * LINE_WORDS;
    if (((e >>> KIND_SHIFT) & KIND_MASK) === SPARSE) {
      const runs = c.lines[base]! & SPARSE_RUNS_MASK;
      const stride = (c.lines[base]! >>> SPARSE_STRIDE_SHIFT) & SPARSE_STRIDE_MASK;
      const key = chunk(addr, at * 8, stride * 8);
      at += stride;
      for (let k = 0; k < runs; k++) if (c.lines[base + SPARSE_KEYS + k]! <= key) e = c.lines[base + SPARSE_ENTRIES + k]!;
      continue;
    }
    const key = addr[at++]!;
    let rank = -1;
    // bits as u32 words: the same count as index6.c's u64 words on a little-endian machine
    for (let w = 0; w <= key >> 5; w++) {
      const bits = c.lines[base + w]!;
      rank += popcount(w < key >> 5 ? bits : bits & (2 ** ((key & 31) + 1) - 1));
    }
    e = c.lines[base + BITMAP_ENTRIES + rank]!;
  }
  return e;
}
