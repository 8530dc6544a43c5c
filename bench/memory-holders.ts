// Who holds the typed arrays of a live object graph (the reconciler, the
// fast path): each array's byteLength summed under the path of class and
// field names that first reaches it, so a report names the column that
// costs, not only the total. Arrays over memory the process did not
// allocate (the mmapped BPF maps) are told apart by the caller's `mapped`.

/** bytes of typed arrays, and JS objects, held under one owner path, e.g. "reconciler.prefixes(PrefixTable).words" */
export interface Holder {
  path: string;
  bytes: number;
  arrays: number;
  objects: number;
}

const isTypedArray = (v: unknown): v is ArrayBufferView => ArrayBuffer.isView(v);

/** A field's name, with its class when the value has one of its own. */
const label = (value: unknown, key: string): string => {
  const name = value !== null && typeof value === 'object' ? value.constructor?.name : undefined;
  return name && !['Object', 'Array', 'Map', 'Set'].includes(name) && !isTypedArray(value) ? `${key}(${name})` : key;
};

/**
 * Walks `roots` breadth first (so a shared array is charged to its
 * shortest path) and sums each distinct ArrayBuffer once. Paths deeper than
 * `depth` are cut to it, which folds per-item containers into their owner.
 */
export function memoryHolders(roots: Record<string, unknown>, depth = 4): Holder[] {
  const seenObjects = new Set<object>();
  const seenBuffers = new Set<ArrayBufferLike>();
  const held = new Map<string, Holder>();
  let frontier: Array<[unknown, string[]]> = Object.entries(roots).map(([k, v]) => [v, [k]]);
  while (frontier.length > 0) {
    const next: Array<[unknown, string[]]> = [];
    for (const [value, path] of frontier) {
      if (value === null || typeof value !== 'object' || seenObjects.has(value)) continue;
      seenObjects.add(value);
      const at = path.slice(0, depth).join('.');
      const h = held.get(at) ?? { path: at, bytes: 0, arrays: 0, objects: 0 };
      held.set(at, h);
      if (isTypedArray(value)) {
        if (seenBuffers.has(value.buffer)) continue;
        seenBuffers.add(value.buffer);
        h.bytes += value.buffer.byteLength;
        h.arrays++;
        continue;
      }
      h.objects++;
      if (value instanceof ArrayBuffer) continue;
      const children: Array<[unknown, string]> = [];
      if (value instanceof Map) for (const [k, v] of value) children.push([k, '[key]'], [v, '[]']);
      else if (value instanceof Set || Array.isArray(value)) for (const v of value as Iterable<unknown>) children.push([v, '[]']);
      else for (const key of Object.keys(value)) children.push([(value as Record<string, unknown>)[key], key]);
      for (const [child, key] of children) next.push([child, [...path, label(child, key)]]);
    }
    frontier = next;
  }
  return [...held.values()].sort((a, b) => b.bytes - a.bytes || b.objects - a.objects);
}

const MiB = 2 ** 20;

const OBJECTS_FLOOR = 10_000;

/**
 * The holders over `floor` bytes or with many JS objects as lines of a
 * table, then `usage` (process.memoryUsage() taken before the walk, whose
 * own garbage would count) in MiB.
 */
export function holdersReport(holders: readonly Holder[], usage: NodeJS.MemoryUsage, floor = 256 * 1024): string {
  const shown = (h: Holder): boolean => h.bytes >= floor || h.objects >= OBJECTS_FLOOR;
  const lines = holders.filter(shown).map((h) => `${(h.bytes / MiB).toFixed(1).padStart(8)} MiB ${String(h.arrays).padStart(6)} arrays ${String(h.objects).padStart(8)} objects  ${h.path}`);
  const rest = holders.filter((h) => !shown(h)).reduce((s, h) => s + h.bytes, 0);
  const total = holders.reduce((s, h) => s + h.bytes, 0);
  const m = usage;
  lines.push(`${(rest / MiB).toFixed(1).padStart(8)} MiB  (smaller holders)`, `${(total / MiB).toFixed(1).padStart(8)} MiB  typed arrays reached in all`);
  lines.push(`process: rss ${(m.rss / MiB).toFixed(0)}, heap used ${(m.heapUsed / MiB).toFixed(0)} of ${(m.heapTotal / MiB).toFixed(0)}, external ${(m.external / MiB).toFixed(0)}, array buffers ${(m.arrayBuffers / MiB).toFixed(0)} MiB`);
  return lines.join('\n');
}
