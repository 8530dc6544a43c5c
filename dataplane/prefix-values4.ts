// The IPv4 index writer's record of its prefixes: (address, length) -> the
// u32 value the index holds for it, in typed arrays (open addressing,
// linear probing, backward-shift deletion). A full table is a million
// prefixes: as 33 Maps of numbers they took about 50 MiB of heap (most
// addresses are beyond a small integer, so each key was a boxed number);
// here they take 9 bytes a slot, about 18 MiB.

/** the length column's mark of a free slot (lengths are 0..32) */
const FREE = 0xff;
const INITIAL_SLOTS = 1024;
/** grow past this share of slots in use: linear probing stays short below it */
const MAX_LOAD = 0.75;

function hash(addr: number, len: number): number {
  let h = Math.imul(addr ^ Math.imul(len + 1, 0x9e3779b9), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

export class PrefixValues4 {
  private addrs = new Uint32Array(INITIAL_SLOTS);
  private lens = new Uint8Array(INITIAL_SLOTS).fill(FREE);
  private values = new Uint32Array(INITIAL_SLOTS);
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(addr: number, len: number): number | undefined {
    const slot = this.find(addr, len);
    return slot < 0 ? undefined : this.values[slot];
  }

  has(addr: number, len: number): boolean {
    return this.find(addr, len) >= 0;
  }

  set(addr: number, len: number, value: number): void {
    if ((this.count + 1) > this.lens.length * MAX_LOAD) this.grow();
    const mask = this.lens.length - 1;
    let slot = hash(addr, len) & mask;
    while (this.lens[slot] !== FREE) {
      if (this.addrs[slot] === addr && this.lens[slot] === len) {
        this.values[slot] = value;
        return;
      }
      slot = (slot + 1) & mask;
    }
    this.addrs[slot] = addr;
    this.lens[slot] = len;
    this.values[slot] = value;
    this.count++;
  }

  /** false when the prefix was not there */
  delete(addr: number, len: number): boolean {
    let hole = this.find(addr, len);
    if (hole < 0) return false;
    this.count--;
    const mask = this.lens.length - 1;
    // backward shift: each entry after the hole that may sit there moves in, so no probe finds a gap before its entry
    for (let slot = (hole + 1) & mask; this.lens[slot] !== FREE; slot = (slot + 1) & mask) {
      const home = hash(this.addrs[slot]!, this.lens[slot]!) & mask;
      // the entry stays when its home lies cyclically after the hole, up to its slot
      if (hole <= slot ? hole < home && home <= slot : hole < home || home <= slot) continue;
      this.addrs[hole] = this.addrs[slot]!;
      this.lens[hole] = this.lens[slot]!;
      this.values[hole] = this.values[slot]!;
      hole = slot;
    }
    this.lens[hole] = FREE;
    return true;
  }

  clear(): void {
    this.lens.fill(FREE);
    this.count = 0;
  }

  private find(addr: number, len: number): number {
    const mask = this.lens.length - 1;
    for (let slot = hash(addr, len) & mask; this.lens[slot] !== FREE; slot = (slot + 1) & mask) {
      if (this.addrs[slot] === addr && this.lens[slot] === len) return slot;
    }
    return -1;
  }

  private grow(): void {
    const { addrs, lens, values } = this;
    this.addrs = new Uint32Array(addrs.length * 2);
    this.lens = new Uint8Array(lens.length * 2).fill(FREE);
    this.values = new Uint32Array(values.length * 2);
    this.count = 0;
    for (let slot = 0; slot < lens.length; slot++) if (lens[slot] !== FREE) this.set(addrs[slot]!, lens[slot]!, values[slot]!);
  }
}
