// Struct-of-arrays storage: a table of a million routes keeps each field in
// a typed column indexed by slot, so growing a table is growing its columns.

/** A column by slot, grown to `length` with what it held. */
export function grownColumn<T extends Uint8Array | Uint32Array | Int32Array>(column: T, length: number): T {
  const out = new (column.constructor as new (n: number) => T)(length);
  out.set(column);
  return out;
}
