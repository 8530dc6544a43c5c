// Writing a route to an index and then to its trie as one step: the index
// first (so the program never reads a route the trie lacks for long), and
// when the trie refuses, the index entry put back as it was.

/** One prefix's entry of an index: what it holds, if anything. */
export interface IndexEntry<V> {
  get(): V | undefined;
  set(value: V): void;
  delete(): void;
}

/** Set the entry to value, then `write` the trie; when the write throws, the entry is put back. */
export function setThenWrite<V>(entry: IndexEntry<V>, value: V, write: () => void): void {
  const before = entry.get();
  entry.set(value);
  try {
    write();
  } catch (err) {
    if (before === undefined) entry.delete();
    else entry.set(before);
    throw err;
  }
}
