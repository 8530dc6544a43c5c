// C struct layouts in TypeScript: offsets follow the C rules (each field
// aligned to its own size, the struct to its largest field), so a layout
// written here in C order gives the offsets clang gives. Integers are in
// host order (little-endian on every platform XDP runs on here); `bytes`
// fields carry network-order data as is.

export type Scalar = 'u8' | 'u16' | 'u32' | 'u64';

export type FieldType =
  | Scalar
  | { bytes: number; align?: number }
  | { array: StructLayout<Record<string, unknown>>; count: number };

interface FieldValue<T extends FieldType> {
  value: T extends 'u64'
    ? bigint
    : T extends Scalar
      ? number
      : T extends { bytes: number }
        ? Buffer
        : T extends { array: StructLayout<infer V> }
          ? V[]
          : never;
}

export type ValueOf<S extends Record<string, FieldType>> = {
  [K in keyof S]: FieldValue<S[K]>['value'];
};

export interface FieldLayout {
  name: string;
  offset: number;
  size: number;
}

const SCALAR_SIZE: Record<Scalar, number> = { u8: 1, u16: 2, u32: 4, u64: 8 };

function sizeAndAlign(t: FieldType): { size: number; align: number } {
  if (typeof t === 'string') return { size: SCALAR_SIZE[t], align: SCALAR_SIZE[t] };
  if ('bytes' in t) return { size: t.bytes, align: t.align ?? 1 };
  return { size: t.array.size * t.count, align: t.array.align };
}

const alignUp = (n: number, a: number): number => Math.ceil(n / a) * a;

export class StructLayout<V extends Record<string, unknown>> {
  readonly fields: FieldLayout[] = [];
  readonly size: number;
  readonly align: number;

  constructor(
    readonly name: string,
    private readonly spec: Record<string, FieldType>,
  ) {
    let offset = 0;
    let align = 1;
    for (const [field, type] of Object.entries(spec)) {
      const sa = sizeAndAlign(type);
      offset = alignUp(offset, sa.align);
      this.fields.push({ name: field, offset, size: sa.size });
      offset += sa.size;
      align = Math.max(align, sa.align);
    }
    this.align = align;
    this.size = alignUp(offset, align);
  }

  /** Encode into a new buffer (or at offset of an existing one). Missing fields are zero. */
  encode(value: Partial<V>, into?: Buffer, at = 0): Buffer {
    const buf = into ?? Buffer.alloc(this.size);
    for (const f of this.fields) {
      const v = value[f.name];
      if (v === undefined) continue;
      const type = this.spec[f.name]!;
      const off = at + f.offset;
      if (typeof type === 'string') {
        if (type === 'u64') buf.writeBigUInt64LE(BigInt(v as bigint | number), off);
        else if (type === 'u32') buf.writeUInt32LE(v as number, off);
        else if (type === 'u16') buf.writeUInt16LE(v as number, off);
        else buf.writeUInt8(v as number, off);
      } else if ('bytes' in type) {
        const b = v as Buffer;
        if (b.length > type.bytes) {
          throw new RangeError(`${this.name}.${f.name}: ${b.length} bytes do not fit in ${type.bytes}`);
        }
        b.copy(buf, off);
      } else {
        const items = v as Record<string, unknown>[];
        if (items.length > type.count) {
          throw new RangeError(`${this.name}.${f.name}: ${items.length} items, at most ${type.count}`);
        }
        items.forEach((item, i) => type.array.encode(item, buf, off + i * type.array.size));
      }
    }
    return buf;
  }

  decode(buf: Buffer, at = 0): V {
    const out: Record<string, unknown> = {};
    for (const f of this.fields) {
      const type = this.spec[f.name]!;
      const off = at + f.offset;
      if (typeof type === 'string') {
        out[f.name] =
          type === 'u64'
            ? buf.readBigUInt64LE(off)
            : type === 'u32'
              ? buf.readUInt32LE(off)
              : type === 'u16'
                ? buf.readUInt16LE(off)
                : buf.readUInt8(off);
      } else if ('bytes' in type) {
        out[f.name] = Buffer.from(buf.subarray(off, off + type.bytes));
      } else {
        const items: unknown[] = [];
        for (let i = 0; i < type.count; i++) items.push(type.array.decode(buf, off + i * type.array.size));
        out[f.name] = items;
      }
    }
    return out as V;
  }
}

export function struct<S extends Record<string, FieldType>>(name: string, spec: S): StructLayout<ValueOf<S>> {
  return new StructLayout<ValueOf<S>>(name, spec);
}
