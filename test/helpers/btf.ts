// Read a BPF object's BTF (through bpftool's JSON) to compare the C layouts
// with their TypeScript mirror.
import { execFileSync } from 'node:child_process';

interface BtfType {
  id: number;
  kind: string;
  name: string;
  size?: number;
  type_id?: number;
  nr_elems?: number;
  members?: Array<{ name: string; type_id: number; bits_offset: number }>;
  values?: Array<{ name: string; val: number }>;
}

export class Btf {
  private readonly byId = new Map<number, BtfType>();

  constructor(objectPath: string) {
    const json = execFileSync('bpftool', ['-j', 'btf', 'dump', 'file', objectPath], { encoding: 'utf8' });
    for (const t of (JSON.parse(json) as { types: BtfType[] }).types) this.byId.set(t.id, t);
  }

  private find(kind: string, name: string): BtfType {
    for (const t of this.byId.values()) if (t.kind === kind && t.name === name) return t;
    throw new Error(`BTF has no ${kind} named ${name}`);
  }

  private resolve(id: number): BtfType {
    let t = this.byId.get(id)!;
    while (['TYPEDEF', 'VOLATILE', 'CONST', 'RESTRICT', 'TYPE_TAG'].includes(t.kind)) t = this.byId.get(t.type_id!)!;
    return t;
  }

  sizeOf(id: number): number {
    const t = this.resolve(id);
    if (t.kind === 'ARRAY') return this.sizeOf(t.type_id!) * t.nr_elems!;
    if (t.size === undefined) throw new Error(`BTF type ${t.kind} ${t.name} has no size`);
    return t.size;
  }

  struct(name: string): { size: number; fields: Array<{ name: string; offset: number; size: number }> } {
    const t = this.find('STRUCT', name);
    return {
      size: t.size!,
      fields: t.members!.map((m) => ({ name: m.name, offset: m.bits_offset / 8, size: this.sizeOf(m.type_id) })),
    };
  }

  enumValues(name: string): Record<string, number> {
    return Object.fromEntries(this.find('ENUM', name).values!.map((v) => [v.name, v.val]));
  }

  /** A map's __uint(field, N) setting, such as max_entries: BTF keeps it as a pointer to an array of N. */
  mapSetting(mapName: string, field: string): number {
    const def = this.resolve(this.find('VAR', mapName).type_id!);
    const m = def.members!.find((x) => x.name === field);
    if (!m) throw new Error(`map ${mapName} has no ${field} setting`);
    return this.resolve(this.resolve(m.type_id).type_id!).nr_elems!;
  }

  /** Key and value sizes of a map defined with __type(key, ...) / __type(value, ...). */
  mapSizes(mapName: string): { key: number; value: number } {
    const def = this.resolve(this.find('VAR', mapName).type_id!);
    const member = (field: string): number => {
      const m = def.members!.find((x) => x.name === field);
      if (!m) throw new Error(`map ${mapName} has no ${field} type`);
      return this.sizeOf(this.resolve(m.type_id).type_id!); // a pointer to the type
    };
    return { key: member('key'), value: member('value') };
  }
}
