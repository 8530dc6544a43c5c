// The userspace side of the IPv6 index: a table of one u32 per /24 (as
// DIR-24-8's), then nodes in 64-byte lines (dir6-node.ts; bpf/lib/consts.h
// draws them), so a lookup loads a line or two per node, and most of the
// global table's prefixes, /48s under their /24, take one node.
//
// The arrays are memory-mapped BPF maps the program reads while we write,
// under the rules of dir24.ts: every store a reader can reach is one
// Atomics.store; a changed node is built aside in free lines and published
// with one store of the entry that points at it (its parent's, or the /24
// table's), and a change of a prefix's value reaches the nodes right under
// it by one store of each one's default; lines let go of are reused only
// after a grace period (line-pool.ts). A change costs the node it lands in,
// the nodes it creates, and at most the nodes a full sparse line splits
// into, never the subtree under a /24.
//
// When a change needs lines and too few are free, its /24 entry gets the
// TRIE mark: the program asks the LPM trie xr_fib6, the record of every
// IPv6 route, for the addresses under it. Slower, never wrong; the mark
// gives way to the /24's nodes once lines free up.
//
// Sizing: 300,000 prefixes of the global mix (bench/prefixes.ts) take
// about 224,000 lines (13.7 MiB); the map has 2^19 (32 MiB).

import type { Dir24Options } from './dir24.js';
import { chunk, liveNodes, Node6, POINTER_FLAG, readIndex6, strideFor, type Runs } from './dir6-node.js';
import { Dir6Layout as D } from './layout.js';
import { LinePool, MAX_NODE_LINES } from './line-pool.js';

export const TBL24_ENTRIES = D.tbl24Entries;
export const LINE_WORDS = D.lineWords;
export { POINTER_FLAG };
/** "ask the trie": a pointer of the trie's kind */
export const TRIE_MARK = (POINTER_FLAG + D.kind.trie * 2 ** D.kindShift) >>> 0;

export interface Dir6Memory {
  /** length TBL24_ENTRIES: indexed by the address's first three bytes */
  tbl24: Uint32Array;
  /** lines * LINE_WORDS */
  lines: Uint32Array;
}

const MAX_VALUE = POINTER_FLAG - 1;
/** bits the /24 table resolves */
const FIRST_BITS = 8 * D.tbl24Bytes;


function hex(addr: Uint8Array): string {
  return Buffer.from(addr.buffer, addr.byteOffset, 16).toString('hex');
}

function checkAddress(addr: Uint8Array): void {
  if (addr.length !== 16) throw new RangeError(`Dir6: an address is 16 bytes, got ${addr.length}`);
}

function checkPrefix(addr: Uint8Array, len: number): void {
  checkAddress(addr);
  if (!Number.isInteger(len) || len < 0 || len > 128) throw new RangeError(`Dir6: prefix length must be an integer 0..128, got ${len}`);
  for (let i = 0; i < 16; i++) {
    const keep = Math.max(0, Math.min(8, len - i * 8));
    if (addr[i]! & (0xff >> keep)) throw new RangeError(`Dir6: ${hex(addr)}/${len} has host bits set`);
  }
}

function checkValue(value: number): void {
  if (!Number.isInteger(value) || value < 1 || value > MAX_VALUE) {
    // 0 is how the program reads "no route" and bit 31 marks a pointer
    throw new RangeError(`Dir6: value must be an integer 1..0x7fffffff, got ${value}`);
  }
}

/** the /24-table key of a prefix of length len <= 24 at `index`: its first `len` bits */
function topBits(index: number, len: number): number {
  return len === 0 ? 0 : index & ~(2 ** (FIRST_BITS - len) - 1);
}

export interface Dir6Usage {
  prefixes: number;
  /** lines in use, those waiting for their grace period included */
  used: number;
  total: number;
  retiring: number;
  /** /24 entries sent to the trie for want of lines */
  marked: number;
}

/** Dir24's: whether to retire lines after a grace period, and through what every store goes */
export type Dir6Options = Pick<Dir24Options, 'retire' | 'store'>;

/** What one update changes below a /24: nodes to (re)place, nodes gone, nodes whose default moved. */
class Change {
  readonly rebuild = new Set<Node6>();
  /** the runs of nodes to place, once computed */
  readonly runs = new Map<Node6, Runs>();
  readonly removed: Node6[] = [];
  readonly covered = new Set<Node6>();
}

export class Dir6 {
  private readonly tbl24: Uint32Array;
  private readonly lines: Uint32Array;
  /** short[len]: the prefixes of length <= 24 by their /24-table key -> value */
  private readonly short: Array<Map<number, number>> = Array.from({ length: FIRST_BITS + 1 }, () => new Map<number, number>());
  /** the nodes under each /24 that holds longer prefixes */
  private readonly roots = new Map<number, Node6>();
  /** roots without lines: their /24 entry sends the program to the trie, or, after a restart, to the previous run's nodes */
  private readonly marked = new Set<Node6>();
  /** after a restart, the previous run's nodes a root's /24 entry still points at, let go of once the root has its own */
  private readonly inherited = new Map<Node6, Array<{ line: number; size: number }>>();
  private readonly pool: LinePool;
  private count = 0;
  private readonly store: NonNullable<Dir24Options['store']>;
  /** a reclaim came while an update ran: marks get their lines once it is done */
  private updating = false;
  private reclaimedMeanwhile = false;
  /** within setRun: the changes under one /24 not placed yet */
  private run = false;
  private pending: { index: number; change: Change } | undefined;

  /** The memory must be zero everywhere (adopt() takes memory that is in use). */
  constructor(memory: Dir6Memory, options: Dir6Options = {}) {
    if (memory.tbl24.length !== TBL24_ENTRIES) throw new RangeError(`Dir6: tbl24 must have ${TBL24_ENTRIES} entries, got ${memory.tbl24.length}`);
    if (memory.lines.length % LINE_WORDS !== 0) throw new RangeError(`Dir6: lines must be a whole number of ${LINE_WORDS}-word lines, got ${memory.lines.length} words`);
    this.tbl24 = memory.tbl24;
    this.lines = memory.lines;
    this.store = options.store ?? ((array, index, value) => void Atomics.store(array, index, value));
    this.pool = new LinePool(memory.lines.length / LINE_WORDS, options.retire ?? ((reclaim) => reclaim()), () => this.linesReclaimed());
  }

  /** add or replace prefix addr/len (16 bytes, no host bits set; len 0..128); value 1..0x7fffffff */
  set(addr: Uint8Array, len: number, value: number): void {
    checkPrefix(addr, len);
    checkValue(value);
    if (len <= FIRST_BITS) {
      this.publishRun();
      this.setShort(chunk(addr, 0, FIRST_BITS), len, value);
    } else if (this.run) {
      this.setInRun(addr, len, value);
    } else {
      this.update(() => this.setLong(addr, len, value));
    }
  }

  /**
   * Run `write`, whose set() calls under one /24 that come one after
   * another change its nodes together, published once (by one store, as a
   * single set is) when a set goes under another /24 or the run ends: a
   * batch's prefixes come in address order, and its /24 are rebuilt once
   * each, not once per prefix. A reader sees each /24 as before the run's
   * changes to it or after all of them.
   */
  setRun(write: () => void): void {
    if (this.run) throw new Error('Dir6.setRun: a run is under way already');
    this.update(() => {
      this.run = true;
      try {
        write();
      } finally {
        this.run = false;
        this.publishRun();
      }
    });
  }

  private setInRun(addr: Uint8Array, len: number, value: number): void {
    const index = chunk(addr, 0, FIRST_BITS);
    if (this.pending?.index !== index) {
      this.publishRun();
      this.pending = { index, change: new Change() };
    }
    this.changeLong(addr, len, value, this.pending.change);
  }

  /** The run's changes under its last /24 placed and published. */
  private publishRun(): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = undefined;
    this.commit(pending.index, pending.change);
  }

  /** remove the prefix; false when it was not there */
  delete(addr: Uint8Array, len: number): boolean {
    checkPrefix(addr, len);
    this.publishRun();
    if (len <= FIRST_BITS) return this.deleteShort(chunk(addr, 0, FIRST_BITS), len);
    let found = false;
    this.update(() => (found = this.deleteLong(addr, len)));
    return found;
  }

  /** the value of exactly this prefix, undefined when it is not held */
  get(addr: Uint8Array, len: number): number | undefined {
    checkPrefix(addr, len);
    if (len <= FIRST_BITS) return this.short[len]!.get(chunk(addr, 0, FIRST_BITS));
    const node = this.nodeOf(addr, len);
    const at = node ? node.findEnd(len, chunk(addr, node.from, node.stride)) : -1;
    return at < 0 ? undefined : node!.valueAt(at);
  }

  /** longest-prefix match as the program does it: 0 when no prefix covers addr, TRIE_MARK where the trie answers */
  lookup(addr: Uint8Array): number {
    checkAddress(addr);
    return Dir6.read({ tbl24: this.tbl24, lines: this.lines }, addr);
  }

  /**
   * The entry for addr in arrays laid out as this class writes them, read
   * as the program reads them. onLoad is told of each load, in order, the
   * last one the word that answers: what a lookup costs, for the benchmark.
   */
  static read(memory: Dir6Memory, addr: Uint8Array, onLoad?: (array: Uint32Array, index: number) => void): number {
    return readIndex6(memory.tbl24, memory.lines, addr, onLoad);
  }

  usage(): Dir6Usage {
    return { prefixes: this.count, used: this.pool.used, total: this.pool.total, retiring: this.pool.retiringCount, marked: this.marked.size };
  }

  /** zero both arrays and forget every prefix */
  clear(): void {
    this.inherited.clear();
    // tbl24 first: no pointer outlives its node's lines
    this.tbl24.fill(0);
    this.lines.fill(0);
    for (const byKey of this.short) byKey.clear();
    this.roots.clear();
    this.marked.clear();
    this.count = 0;
    this.pool.reset();
  }

  /**
   * Take over arrays a previous run left pinned, which its program is still
   * reading, for the prefixes that run recorded (its trie): the /24 table
   * is computed aside and the live one brought to it entry by entry. A /24
   * whose live nodes are there goes on answering from them, and one without
   * is marked for the trie, which answers alike, until the previous run's
   * lines that no live node holds have had a grace period (a reader may be
   * in them): then each /24 gets its nodes, published with one store over
   * the old ones, whose lines are let go of in turn.
   */
  static adopt(memory: Dir6Memory, prefixes: Iterable<{ addr: Uint8Array; len: number; value: number }>, options: Dir6Options = {}): Dir6 {
    // no lines: every /24 with longer prefixes is marked
    const aside = new Dir6({ tbl24: new Uint32Array(TBL24_ENTRIES), lines: new Uint32Array(0) });
    for (const p of prefixes) aside.set(p.addr, p.len, p.value);
    const table = new Dir6(memory, options);
    const held = new Uint8Array(table.pool.total);
    for (let index = 0; index < TBL24_ENTRIES; index++) {
      const want = aside.tbl24[index]!;
      const have = table.tbl24[index]!;
      const root = aside.roots.get(index);
      if (!root) {
        if (have !== want) table.store(table.tbl24, index, want);
        continue;
      }
      const live = have !== TRIE_MARK && have & POINTER_FLAG ? liveNodes(table.lines, have, held) : undefined;
      if (live) table.inherited.set(root, live);
      else if (have !== TRIE_MARK) table.store(table.tbl24, index, TRIE_MARK);
    }
    aside.short.forEach((byKey, len) => byKey.forEach((value, key) => table.short[len]!.set(key, value)));
    for (const [index, root] of aside.roots) table.roots.set(index, root);
    for (const root of aside.marked) table.marked.add(root);
    table.count = aside.count;
    table.pool.adopt(held);
    return table;
  }

  // --- prefixes of length <= 24: the /24 table, as DIR-24-8's ---

  private setShort(index: number, len: number, value: number): void {
    const byKey = this.short[len]!;
    if (!byKey.has(index)) this.count++;
    byKey.set(index, value);
    this.repaint(index, len, value);
  }

  private deleteShort(index: number, len: number): boolean {
    if (!this.short[len]!.delete(index)) return false;
    this.count--;
    this.repaint(index, len, this.covering24(index, len));
    return true;
  }

  /**
   * Give `value` to the /24 entries of the prefix index/len that no longer
   * prefix of the /24 table covers (they answer for it): a route entry
   * takes the value, a /24 with nodes its root's default. Which entries
   * those are is read from the prefixes themselves, not kept per entry (a
   * byte per entry would be 16 MiB).
   */
  private repaint(first: number, len: number, value: number): void {
    const end = first + 2 ** (FIRST_BITS - len);
    let i = first;
    for (const [from, to] of this.longerWithin(first, len)) {
      this.paint(i, from, value);
      i = Math.max(i, to);
    }
    this.paint(i, end, value);
  }

  /** The /24 entries [from, to) answer for a prefix of the /24 table whose value is `value`. */
  private paint(from: number, to: number, value: number): void {
    for (let i = from; i < to; i++) {
      const root = this.tbl24[i]! & POINTER_FLAG ? this.roots.get(i) : undefined;
      if (!root) {
        this.store(this.tbl24, i, value);
        continue;
      }
      // the previous run's nodes would answer with the old cover: the trie has the new one
      if (this.inherited.has(root) && this.tbl24[i] !== TRIE_MARK) this.store(this.tbl24, i, TRIE_MARK);
      this.setCover(root, value);
    }
  }

  /**
   * The /24-entry ranges of the prefixes of the /24 table longer than len
   * inside index/len, by start: each length's candidates looked up one by
   * one, or its prefixes scanned where they are fewer (under ::/0 or a /8).
   */
  private longerWithin(index: number, len: number): Array<[number, number]> {
    const end = index + 2 ** (FIRST_BITS - len);
    const out: Array<[number, number]> = [];
    for (let l = len + 1; l <= FIRST_BITS; l++) {
      const byKey = this.short[l]!;
      if (byKey.size === 0) continue;
      const step = 2 ** (FIRST_BITS - l);
      if (2 ** (l - len) <= byKey.size) {
        for (let key = index; key < end; key += step) if (byKey.has(key)) out.push([key, key + step]);
      } else {
        for (const key of byKey.keys()) if (key >= index && key < end) out.push([key, key + step]);
      }
    }
    return out.sort((a, b) => a[0] - b[0]);
  }

  /** The value of the longest prefix shorter than len over the /24 at index, 0 for none. */
  private covering24(index: number, len: number): number {
    for (let l = len - 1; l >= 0; l--) {
      const value = this.short[l]!.get(topBits(index, l));
      if (value !== undefined) return value;
    }
    return 0;
  }

  /** what the /24 table's prefixes give the /24 at index */
  private cover24(index: number): number {
    return this.covering24(index, FIRST_BITS + 1);
  }

  // --- longer prefixes: the nodes ---

  /** the node where a prefix of length len on addr's path ends, if the path is there */
  private nodeOf(addr: Uint8Array, len: number): Node6 | undefined {
    let node = this.roots.get(chunk(addr, 0, FIRST_BITS));
    while (node && len > node.from + node.stride) node = node.child(chunk(addr, node.from, node.stride));
    return node;
  }

  private setLong(addr: Uint8Array, len: number, value: number): void {
    const change = new Change();
    this.changeLong(addr, len, value, change);
    this.commit(chunk(addr, 0, FIRST_BITS), change);
  }

  /** The nodes under addr's /24 changed to hold addr/len, into `change`; nothing placed or published. */
  private changeLong(addr: Uint8Array, len: number, value: number, change: Change): void {
    const index = chunk(addr, 0, FIRST_BITS);
    let node = this.roots.get(index);
    if (!node) {
      node = new Node6(FIRST_BITS, strideFor(FIRST_BITS));
      node.key = index;
      node.cover = this.cover24(index);
      this.roots.set(index, node);
      change.rebuild.add(node);
    }
    while (len > node.from + node.stride) {
      const key = chunk(addr, node.from, node.stride);
      let child = node.child(key);
      if (!child) {
        child = new Node6(node.from + node.stride, strideFor(node.from + node.stride));
        child.cover = node.coverOf(key);
        node.addChild(key, child);
        change.rebuild.add(node);
        change.rebuild.add(child);
      }
      node = child;
    }
    const key = chunk(addr, node.from, node.stride);
    const at = node.findEnd(len, key);
    if (at < 0) {
      node.addEnd(len, key, value);
      this.count++;
    } else {
      node.setValue(at, value);
    }
    change.rebuild.add(node);
    this.recover(node, key, len, change);
  }

  private deleteLong(addr: Uint8Array, len: number): boolean {
    const index = chunk(addr, 0, FIRST_BITS);
    let node = this.nodeOf(addr, len);
    const key = node ? chunk(addr, node.from, node.stride) : 0;
    const at = node ? node.findEnd(len, key) : -1;
    if (!node || at < 0) return false;
    node.removeEnd(at);
    this.count--;
    const change = new Change();
    change.rebuild.add(node);
    this.recover(node, key, len, change);
    // a node left with nothing is unlinked whole, and its parent changes
    while (node.empty) {
      change.rebuild.delete(node);
      change.removed.push(node);
      const parent: Node6 | undefined = node.parent;
      if (!parent) {
        this.roots.delete(index);
        this.marked.delete(node);
        this.store(this.tbl24, index, this.cover24(index));
        this.retire(change.removed);
        this.retireInherited(node);
        return true;
      }
      parent.removeChild(node);
      change.rebuild.add(parent);
      node = parent;
    }
    this.commit(index, change);
    return true;
  }

  /** The prefix of length len at key of node changed: the nodes right under it take their new default. */
  private recover(node: Node6, key: number, len: number, change: Change): void {
    const count = 2 ** (node.from + node.stride - len);
    for (const child of node.children) {
      if (child.key < key || child.key >= key + count) continue;
      const cover = node.coverOf(child.key);
      if (child.cover === cover) continue;
      child.cover = cover;
      change.covered.add(child);
    }
  }

  /**
   * A sparse node over more than 8 bits has more runs than a line holds:
   * it becomes a node over its first 8 bits, with nodes over the rest under
   * it (split again while they overflow). Its children move under those,
   * unchanged but where their default came from a prefix now above them:
   * those are copied with their new default, so every default is its
   * parent's and a change of a prefix stays in its node and the ones right
   * under it.
   */
  private split(old: Node6, change: Change): void {
    const rest = old.stride - 8;
    const low = 2 ** rest;
    const top = new Node6(old.from, 8);
    top.cover = old.cover;
    top.key = old.key;
    top.slot = old.slot;
    // a parent placed with this change points at the new node: its runs are made again
    if (old.parent) {
      old.parent.replaceChild(old, top);
      change.runs.delete(old.parent);
    }
    else this.roots.set(old.key, top);
    if (this.marked.delete(old)) this.marked.add(top);
    const inherited = this.inherited.get(old);
    if (inherited) {
      this.inherited.delete(old);
      this.inherited.set(top, inherited);
    }
    const middle = (k: number): Node6 => {
      let m = top.child(k);
      if (!m) {
        m = new Node6(old.from + 8, rest);
        top.addChild(k, m);
      }
      return m;
    };
    for (let i = 0; i < old.endCount; i++) {
      const e = old.endSpan(i);
      const k = Math.floor(e.key / low);
      if (e.len <= old.from + 8) top.addEnd(e.len, k, old.valueAt(i));
      else middle(k).addEnd(e.len, e.key % low, old.valueAt(i));
    }
    for (const child of old.children) middle(Math.floor(child.key / low)).addChild(child.key % low, child);
    change.rebuild.delete(old);
    change.removed.push(old);
    change.rebuild.add(top);
    for (const m of top.children) {
      m.cover = top.coverOf(m.key);
      change.rebuild.add(m);
      for (const child of m.children) {
        const cover = m.coverOf(child.key);
        if (child.cover === cover) continue;
        child.cover = cover;
        change.rebuild.add(child);
      }
    }
    for (const m of top.children) if (m.splits(m.runs())) this.split(m, change);
  }

  /**
   * Place a change under the /24 at index: nodes that overflow split; the
   * changed nodes are written to free lines, deepest first, and published
   * by one store each of the entry that points at the highest of them;
   * then the moved defaults; then the old lines retire. Where lines are
   * short, the /24 goes to the trie.
   */
  private commit(index: number, change: Change): void {
    for (const node of [...change.rebuild]) {
      if (!change.rebuild.has(node)) continue;
      const runs = node.runs();
      if (node.splits(runs)) this.split(node, change);
      else change.runs.set(node, runs);
    }
    const root = this.roots.get(index)!;
    if (this.marked.has(root)) {
      // the previous run's nodes no longer hold what the /24 has: the trie does
      if (this.tbl24[index] !== TRIE_MARK) this.store(this.tbl24, index, TRIE_MARK);
      return;
    }
    const placed = this.place([...change.rebuild], change.runs);
    if (!placed) {
      this.mark(root, change.removed);
      return;
    }
    for (const node of placed) {
      if (!node.parent) this.store(this.tbl24, node.key, node.pointer);
      else if (!change.rebuild.has(node.parent)) this.store(this.lines, node.slot, node.pointer);
    }
    for (const node of change.covered) if (!change.rebuild.has(node)) this.setCover(node, node.cover);
    this.retire(change.removed);
  }

  /**
   * Write nodes to free lines, deepest first, so a node's children are in
   * place before it; none is published. Returns them with their old lines
   * retired after the caller's stores, or undefined (nothing written) when
   * the lines are too few.
   */
  private place(nodes: Node6[], known: ReadonlyMap<Node6, Runs> = new Map()): Node6[] | undefined {
    nodes.sort((a, b) => b.from - a.from);
    const runs = new Map<Node6, Runs>();
    const shapes = new Map<Node6, { kind: number; size: number }>();
    const counts = new Array<number>(MAX_NODE_LINES + 1).fill(0);
    for (const node of nodes) {
      const r = known.get(node) ?? node.runs();
      const shape = Node6.shape(node.stride, r)!;
      runs.set(node, r);
      shapes.set(node, shape);
      counts[shape.size]!++;
    }
    if (!this.pool.canTake(counts)) return undefined;
    const old: Array<{ line: number; size: number }> = [];
    for (const node of nodes) {
      if (node.line >= 0) old.push({ line: node.line, size: node.size });
      const shape = shapes.get(node)!;
      node.kind = shape.kind;
      node.size = shape.size;
      node.line = this.pool.take(shape.size);
      node.encode(this.lines, runs.get(node)!);
    }
    this.pendingOld.push(...old);
    return nodes;
  }

  /** old lines of nodes placed anew, retired with the change's */
  private pendingOld: Array<{ line: number; size: number }> = [];

  /** After the stores that unlink them: the lines of nodes gone and of nodes placed anew wait out a grace period. */
  private retire(removed: Node6[]): void {
    for (const node of removed) {
      if (node.line >= 0) this.pool.release(node.line, node.size);
      node.line = -1;
    }
    const old = this.pendingOld;
    this.pendingOld = [];
    for (const { line, size } of old) this.pool.release(line, size);
  }

  /** After the store that unlinks them: the previous run's nodes under a root wait out a grace period. */
  private retireInherited(root: Node6): void {
    for (const { line, size } of this.inherited.get(root) ?? []) this.pool.release(line, size);
    this.inherited.delete(root);
  }

  /** A node's default: one store of its word where it is placed. */
  private setCover(node: Node6, value: number): void {
    node.cover = value;
    if (node.line >= 0) this.store(this.lines, node.defaultWord, value);
  }

  /** Too few lines: the trie answers for the /24 of root, whose lines are let go of. */
  private mark(root: Node6, removed: Node6[]): void {
    this.store(this.tbl24, root.key, TRIE_MARK);
    this.marked.add(root);
    const placed: Node6[] = [...removed];
    const walk = (node: Node6): void => {
      placed.push(node);
      node.children.forEach(walk);
    };
    walk(root);
    this.retire(placed);
  }

  /** Run an update; marks that lines came free for during it are served after. */
  private update(run: () => void): void {
    // within a run (setRun), a delete's update is part of the run's
    if (this.updating) {
      run();
      return;
    }
    this.updating = true;
    try {
      run();
    } finally {
      this.updating = false;
    }
    if (this.reclaimedMeanwhile) this.linesReclaimed();
  }


  /**
   * Lines came free: give marked /24s their nodes, as many as fit, each
   * placed whole before the one store that replaces its mark.
   */
  private linesReclaimed(): void {
    if (this.updating) {
      this.reclaimedMeanwhile = true;
      return;
    }
    this.reclaimedMeanwhile = false;
    for (const root of [...this.marked]) {
      const nodes: Node6[] = [];
      const walk = (node: Node6): void => {
        nodes.push(node);
        node.children.forEach(walk);
      };
      walk(root);
      if (!this.place(nodes)) continue;
      this.pendingOld = [];
      this.marked.delete(root);
      this.store(this.tbl24, root.key, root.pointer);
      this.retireInherited(root);
    }
  }
}
