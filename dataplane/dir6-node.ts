// A node of the IPv6 index below the /24 table (dir6.ts), as the writer
// models it: the prefixes that end in it, the nodes under it, and how it
// lies in the lines the program reads (bpf/lib/consts.h, enum
// xr_fib6_index): a sparse line of up to seven runs over its 8, 16 or 24
// bits, or, over 8 bits, a bitmap of where runs start and their entries.

import { Dir6Layout as D } from './layout.js';

const S = D.sparse;
const B = D.bitmap;
/** a key's place in an end's code: len * KEY_SPAN + key (keys are at most 24 bits) */
const KEY_SPAN = 2 ** 24;
export const POINTER_FLAG = 2 ** D.pointerBit;
const KIND_UNIT = 2 ** D.kindShift;
/** the widest stride a sparse line resolves */
export const MAX_STRIDE = 8 * S.maxStride;

/** bits [from, from + stride) of addr, both multiples of 8 */
export function chunk(addr: Uint8Array, from: number, stride: number): number {
  let key = 0;
  for (let byte = from / 8; byte < (from + stride) / 8; byte++) key = key * 256 + addr[byte]!;
  return key;
}

/**
 * The stride of a new node at `from`: as wide as a sparse line resolves,
 * so that the prefixes under a /24 of the global table (a /32 and the /48s
 * in it, say) end in one node; one that overflows splits.
 */
export function strideFor(from: number): number {
  return Math.min(MAX_STRIDE, 128 - from);
}

/** A node's runs: the first key of each, ascending, and its entry (a route, 0 for the default, or the node under that key). */
export interface Runs {
  starts: number[];
  entries: Array<number | Node6>;
}

const NONE: readonly never[] = Object.freeze([]);
/** up to this many ends, a pass over them is cheaper than an index */
const FEW_ENDS = 16;
/** the most ends a node over more than 8 bits keeps before it splits (see splits()) */
const WIDE_ENDS = 64;

/** scratch for the runs of an 8-bit node: per key, the longest prefix's length and value, and the child */
const paintLen = new Uint8Array(B.keys);
const paintValue = new Uint32Array(B.keys);
const paintChild = new Array<Node6 | undefined>(B.keys);

/*
 * Most nodes hold one prefix and no children: the lists are allocated to
 * their length (concat, not push, whose first growth reserves 17 slots)
 * and shared empty while empty, so 300,000 prefixes cost tens of MiB.
 */
export class Node6 {
  /** the prefixes that end here, two numbers each: len * KEY_SPAN + their first key in this node's stride, and their value */
  private ends: readonly number[] = NONE;
  /** by an end's code, its place among ends: made on first need for a node of many ends, dropped when places shift */
  private places: Map<number, number> | undefined;
  /** the nodes under this one, each knowing its key */
  children: readonly Node6[] = NONE;
  /** the longest of the parent's prefixes over this whole node (for a root, of the /24 table's); 0: none */
  cover = 0;
  parent: Node6 | undefined;
  /** a root's /24 in the first table, another node's in its parent's stride */
  key = -1;
  /** first line, kind and lines, once placed; -1: not in the lines */
  line = -1;
  kind = 0;
  size = 0;
  /** the word of the parent's lines that points here, while both are placed */
  slot = -1;

  constructor(
    readonly from: number,
    readonly stride: number,
  ) {}

  get endCount(): number {
    return this.ends.length / 2;
  }

  /** where this node's prefix of length len starting at key is among its ends, -1 when it is not */
  findEnd(len: number, key: number): number {
    const code = len * KEY_SPAN + key;
    if (this.endCount > FEW_ENDS) return this.placeOf().get(code) ?? -1;
    for (let i = 0; i < this.ends.length; i += 2) if (this.ends[i] === code) return i / 2;
    return -1;
  }

  /*
   * A node may hold thousands of ends (the /48s of a /32 through one
   * next hop make one run, so the node never splits): finding an end, and
   * the one that covers a key, must not cost a pass over all of them.
   */
  private placeOf(): Map<number, number> {
    if (!this.places) {
      this.places = new Map();
      for (let i = 0; i < this.endCount; i++) this.places.set(this.ends[2 * i]!, i);
    }
    return this.places;
  }

  valueAt(at: number): number {
    return this.ends[2 * at + 1]!;
  }

  setValue(at: number, value: number): void {
    this.ends = this.ends.map((x, i) => (i === 2 * at + 1 ? value : x));
  }

  addEnd(len: number, key: number, value: number): void {
    this.places?.set(len * KEY_SPAN + key, this.endCount);
    this.ends = this.ends.concat(len * KEY_SPAN + key, value);
  }

  removeEnd(at: number): void {
    this.ends = this.ends.filter((_, i) => i >> 1 !== at);
    this.places = undefined;
  }

  child(key: number): Node6 | undefined {
    return this.children.find((c) => c.key === key);
  }

  addChild(key: number, child: Node6): void {
    child.key = key;
    child.parent = this;
    this.children = this.children.concat(child);
  }

  removeChild(child: Node6): void {
    this.children = this.children.filter((c) => c !== child);
  }

  replaceChild(old: Node6, child: Node6): void {
    child.key = old.key;
    child.parent = this;
    this.children = this.children.map((c) => (c === old ? child : c));
  }

  /**
   * Whether the node must split into a node over its first 8 bits and
   * nodes over the rest: its runs overflow a sparse line, or, over more
   * than 8 bits, it holds so many ends that remaking its runs on each
   * change (a sweep over all of them) would cost more than the split's
   * extra load: the 10,000 /64s of one /48 through one next hop make one
   * run, and would otherwise stay in one node.
   */
  splits(runs: Runs): boolean {
    return Node6.shape(this.stride, runs) === undefined || (this.stride > 8 && this.endCount > WIDE_ENDS);
  }

  get empty(): boolean {
    return this.ends.length === 0 && this.children.length === 0;
  }

  /** keys of the end at `at`: its first, and how many */
  endSpan(at: number): { key: number; len: number; count: number } {
    const code = this.ends[2 * at]!;
    const len = Math.floor(code / KEY_SPAN);
    return { key: code % KEY_SPAN, len, count: 2 ** (this.from + this.stride - len) };
  }

  /** the value of the longest prefix ending here that covers key; 0: none */
  coverOf(key: number): number {
    if (this.endCount > FEW_ENDS) {
      // the prefixes that could cover key, longest first: one lookup per length
      const places = this.placeOf();
      const bottom = this.from + this.stride;
      for (let len = bottom; len >= this.from; len--) {
        const span = 2 ** (bottom - len);
        const at = places.get(len * KEY_SPAN + (key - (key % span)));
        if (at !== undefined) return this.valueAt(at);
      }
      return 0;
    }
    let best = 0;
    let value = 0;
    for (let i = 0; i < this.endCount; i++) {
      const e = this.endSpan(i);
      if (e.len > best && key >= e.key && key < e.key + e.count) {
        best = e.len;
        value = this.valueAt(i);
      }
    }
    return value;
  }

  /** the node's runs: where its entry changes along its keys */
  runs(): Runs {
    const starts: number[] = [];
    const entries: Array<number | Node6> = [];
    const push = (key: number, entry: number | Node6): void => {
      if (entries.length > 0 && entries[entries.length - 1] === entry && typeof entry === 'number') return;
      starts.push(key);
      entries.push(entry);
    };
    if (this.stride === 8) {
      // painted over the 256 keys, a longer prefix over a shorter one
      paintLen.fill(0);
      paintValue.fill(0);
      for (let i = 0; i < this.endCount; i++) {
        const e = this.endSpan(i);
        const value = this.valueAt(i);
        for (let k = e.key; k < e.key + e.count; k++) {
          if (paintLen[k]! > e.len) continue;
          paintLen[k] = e.len;
          paintValue[k] = value;
        }
      }
      paintChild.fill(undefined);
      for (const c of this.children) paintChild[c.key] = c;
      for (let k = 0; k < B.keys; k++) push(k, paintChild[k] ?? paintValue[k]!);
      return { starts, entries };
    }
    // a sweep along the keys: prefixes are nested or apart, so the innermost
    // one over a key is the top of a stack of those begun and not ended
    const keys = 2 ** this.stride;
    const spans = Array.from({ length: this.endCount }, (_, i) => ({ ...this.endSpan(i), value: this.valueAt(i) }));
    spans.sort((a, b) => a.key - b.key || a.len - b.len);
    const kids = [...this.children].sort((a, b) => a.key - b.key);
    const open: Array<{ end: number; value: number }> = [];
    let next = 0;
    let kid = 0;
    for (let key = 0; key < keys; ) {
      while (open.length > 0 && open[open.length - 1]!.end <= key) open.pop();
      for (; next < spans.length && spans[next]!.key === key; next++) open.push({ end: key + spans[next]!.count, value: spans[next]!.value });
      if (kid < kids.length && kids[kid]!.key === key) {
        push(key, kids[kid++]!);
        key++;
        continue;
      }
      push(key, open.length > 0 ? open[open.length - 1]!.value : 0);
      key = Math.min(keys, spans[next]?.key ?? keys, open[open.length - 1]?.end ?? keys, kids[kid]?.key ?? keys);
    }
    return { starts, entries };
  }

  /** The kind and lines these runs take: one sparse line when they fit, else (over 8 bits only) a bitmap. */
  static shape(stride: number, runs: Runs): { kind: number; size: number } | undefined {
    if (runs.starts.length <= S.runs) return { kind: D.kind.sparse, size: 1 };
    if (stride !== 8) return undefined;
    return { kind: D.kind.bitmap, size: Math.ceil((B.entries + runs.starts.length) / D.lineWords) };
  }

  /** the entry that points at this placed node */
  get pointer(): number {
    return (POINTER_FLAG + this.kind * KIND_UNIT + this.line) >>> 0;
  }

  /** the word of its lines that holds its default */
  get defaultWord(): number {
    return this.line * D.lineWords + (this.kind === D.kind.sparse ? S.defaultWord : B.defaultWord);
  }

  /**
   * Write the node at its line (taken, unreachable: plain stores, which
   * the store that publishes it orders before), its children placed
   * already; each child learns the word that points at it.
   */
  encode(lines: Uint32Array, runs: Runs): void {
    const base = this.line * D.lineWords;
    lines.fill(0, base, base + this.size * D.lineWords);
    const entryOf = (entry: number | Node6, word: number): number => {
      if (typeof entry === 'number') return entry;
      entry.slot = word;
      return entry.pointer;
    };
    if (this.kind === D.kind.sparse) {
      lines[base] = runs.starts.length | ((this.stride / 8) << S.strideShift);
      runs.starts.forEach((start, i) => {
        lines[base + S.keys + i] = start;
        lines[base + S.entries + i] = entryOf(runs.entries[i]!, base + S.entries + i);
      });
      lines[base + S.defaultWord] = this.cover;
      return;
    }
    for (const start of runs.starts) lines[base + (start >> 5)] = (lines[base + (start >> 5)]! | (1 << (start & 31))) >>> 0;
    lines[base + B.defaultWord] = this.cover;
    runs.entries.forEach((entry, i) => (lines[base + B.entries + i] = entryOf(entry, base + B.entries + i)));
  }
}

function popcount(x: number): number {
  let n = 0;
  for (let v = x >>> 0; v; v &= v - 1) n++;
  return n;
}

/**
 * The entry for addr in the index's arrays, read as bpf/lib/fib6.h reads
 * it: a route, 0 for none, or the trie's mark. onLoad is told of each
 * load, in order, the last one the entry that answers.
 */
export function readIndex6(tbl24: Uint32Array, lines: Uint32Array, addr: Uint8Array, onLoad?: (array: Uint32Array, index: number) => void): number {
  const at24 = chunk(addr, 0, 8 * D.tbl24Bytes);
  onLoad?.(tbl24, at24);
  let e = tbl24[at24]!;
  let at = D.tbl24Bytes;
  let best = 0;
  for (let n = 0; n < D.maxNodes; n++) {
    const kind = (e >>> D.kindShift) & D.kindMask;
    if (!(e & POINTER_FLAG) || kind === D.kind.trie || at >= 16) break;
    const base = (e & (KIND_UNIT - 1)) * D.lineWords;
    onLoad?.(lines, base);
    if (kind === D.kind.sparse) {
      if (lines[base + S.defaultWord]) best = lines[base + S.defaultWord]!;
      const runs = lines[base]! & S.runsMask;
      const stride = (lines[base]! >>> S.strideShift) & S.strideMask;
      const key = chunk(addr, at * 8, Math.min(stride, 16 - at) * 8);
      let word = base + S.entries;
      for (let k = 1; k < S.runs; k++) if (k < runs && lines[base + S.keys + k]! <= key) word = base + S.entries + k;
      onLoad?.(lines, word);
      e = lines[word]!;
      at += stride;
      continue;
    }
    if (lines[base + B.defaultWord]) best = lines[base + B.defaultWord]!;
    const key = addr[at++]!;
    let rank = 0;
    for (let w = 0; w <= key >> 5; w++) {
      const bits = lines[base + w]!;
      rank += popcount(w < key >> 5 ? bits : bits & (2 ** ((key & 31) + 1) - 1));
    }
    onLoad?.(lines, base + B.entries + rank - 1);
    e = lines[base + B.entries + rank - 1]!;
  }
  if (e & POINTER_FLAG) return ((e >>> D.kindShift) & D.kindMask) === D.kind.trie ? (e >>> 0) : 0;
  return e || best;
}

/**
 * The lines of the nodes an entry of arrays a previous run wrote leads
 * to, marked in `held`; undefined (nothing marked) where they do not read
 * as nodes this layout writes, or one is met twice.
 */
export function liveNodes(lines: Uint32Array, entry: number, held: Uint8Array): Array<{ line: number; size: number }> | undefined {
  const found: Array<{ line: number; size: number }> = [];
  const seen = new Set<number>();
  const walk = (e: number, at: number): boolean => {
    const kind = (e >>> D.kindShift) & D.kindMask;
    const line = e & (KIND_UNIT - 1);
    if (at >= 16 || (kind !== D.kind.sparse && kind !== D.kind.bitmap) || line >= held.length || held[line] || seen.has(line)) return false;
    const base = line * D.lineWords;
    let size = 1;
    let entries: Uint32Array;
    let stride = 1;
    if (kind === D.kind.sparse) {
      const runs = lines[base]! & S.runsMask;
      stride = (lines[base]! >>> S.strideShift) & S.strideMask;
      if (runs < 1 || runs > S.runs || stride < 1) return false;
      entries = lines.subarray(base + S.entries, base + S.entries + runs);
    } else {
      let runs = 0;
      for (let w = 0; w < B.words; w++) runs += popcount(lines[base + w]!);
      size = Math.ceil((B.entries + runs) / D.lineWords);
      if (line + size > held.length) return false;
      entries = lines.subarray(base + B.entries, base + B.entries + runs);
    }
    for (let l = line; l < line + size; l++) seen.add(l);
    found.push({ line, size });
    for (const next of entries) if (next & POINTER_FLAG && !walk(next, at + stride)) return false;
    return true;
  };
  if (!walk(entry, D.tbl24Bytes)) return undefined;
  for (const { line, size } of found) held.fill(1, line, line + size);
  return found;
}
