// The program's IPv4 index: the routes of the trie, and over them the
// router's own addresses as /32 entries of type local. The kernel consults
// its local table before any other, so a local address hides a route of the
// same /32; the hidden route comes back when the address goes.
import { Dir24, type Dir24Memory, type Dir24Options } from './dir24.js';
import { fib4Entry } from './route-target.js';

export const LOCAL_ENTRY = fib4Entry({ type: 'local' });

export class Fib4Index {
  /** local address -> the entry of the /32 route it hides, if any */
  private readonly locals = new Map<number, number | undefined>();

  private constructor(private readonly index: Dir24) {}

  static create(memory: Dir24Memory, options: Dir24Options): Fib4Index {
    return new Fib4Index(new Dir24(memory, options));
  }

  /** Rebuild the index a previous run left in `memory` from its records, in place. */
  static adopt(memory: Dir24Memory, routes: Array<{ addr: number; len: number; value: number }>, locals: number[], options: Dir24Options): Fib4Index {
    const hidden = new Map<number, number | undefined>(locals.map((a) => [a, undefined]));
    const prefixes = routes.filter((r) => {
      if (r.len !== 32 || !hidden.has(r.addr)) return true;
      hidden.set(r.addr, r.value);
      return false;
    });
    const fib = new Fib4Index(Dir24.adopt(memory, [...prefixes, ...locals.map((addr) => ({ addr, len: 32, value: LOCAL_ENTRY }))], options));
    for (const [addr, value] of hidden) fib.locals.set(addr, value);
    return fib;
  }

  /** A route's entry (undefined: no route of this prefix), as the trie has it. */
  get(addr: number, len: number): number | undefined {
    return len === 32 && this.locals.has(addr) ? this.locals.get(addr) : this.index.get(addr, len);
  }

  set(addr: number, len: number, value: number): void {
    if (len === 32 && this.locals.has(addr)) this.locals.set(addr, value);
    else this.index.set(addr, len, value);
  }

  delete(addr: number, len: number): void {
    if (len === 32 && this.locals.has(addr)) this.locals.set(addr, undefined);
    else this.index.delete(addr, len);
  }

  setLocal(addr: number): void {
    if (this.locals.has(addr)) return;
    this.locals.set(addr, this.index.get(addr, 32));
    this.index.set(addr, 32, LOCAL_ENTRY);
  }

  deleteLocal(addr: number): void {
    if (!this.locals.has(addr)) return;
    const hidden = this.locals.get(addr);
    this.locals.delete(addr);
    if (hidden === undefined) this.index.delete(addr, 32);
    else this.index.set(addr, 32, hidden);
  }

  get groupsUsed(): number {
    return this.index.groupsUsed;
  }

  get groupsTotal(): number {
    return this.index.groupsTotal;
  }

  get overflowed(): number {
    return this.index.overflowed;
  }

  get groupsRetiring(): number {
    return this.index.groupsRetiring;
  }
}
