// Next-hop lists by content, each under a small id: a full table has a
// million routes through a handful of lists, so a route keeps the id of
// its list (a number in a typed column) and routes with the same list
// share one array, never changed in place. Counted: a list no route holds
// any more goes, and its id is handed out again.
import type { KernelNexthop } from './model.js';

/** The id of the empty list (blackhole, unreachable, prohibit routes). */
export const NO_HOPS = 0;

export class HopLists {
  private readonly lists: Array<KernelNexthop[] | undefined> = [[]];
  private readonly refs: number[] = [0];
  private readonly freeIds: number[] = [];
  /**
   * One hop of weight 1, which nearly every route has, found by gateway
   * ('' for none) and ifindex: no key string built per route.
   */
  private readonly single = new Map<string, Map<number, number>>();
  /** every other list, by its text */
  private readonly byText = new Map<string, number>();

  /** The id of the list with these hops, counted once more. */
  acquire(hops: readonly KernelNexthop[]): number {
    if (hops.length === 0) return NO_HOPS;
    let id = this.find(hops);
    if (id === undefined) {
      id = this.freeIds.pop() ?? this.lists.length;
      this.lists[id] = hops.slice();
      this.refs[id] = 0;
      this.index(hops, id);
    }
    this.refs[id]!++;
    return id;
  }

  /** One holder more of a list held already (by the id acquire gave). */
  retain(id: number): void {
    if (id !== NO_HOPS) this.refs[id]!++;
  }

  /** One holder of the list fewer; the last one lets it go. */
  release(id: number): void {
    if (id === NO_HOPS || --this.refs[id]! > 0) return;
    const hops = this.lists[id]!;
    if (isSingle(hops)) this.single.get(hops[0]!.gateway ?? '')?.delete(hops[0]!.ifindex);
    else this.byText.delete(textOf(hops));
    this.lists[id] = undefined;
    this.freeIds.push(id);
  }

  /** The list itself: the same array for every route that holds the id. */
  hops(id: number): KernelNexthop[] {
    return this.lists[id]!;
  }

  /** The ids of the lists in use that pass `test`, each list tested once. */
  matching(test: (hops: readonly KernelNexthop[]) => boolean): Set<number> {
    const out = new Set<number>();
    this.lists.forEach((hops, id) => {
      if (hops && id !== NO_HOPS && test(hops)) out.add(id);
    });
    return out;
  }

  private find(hops: readonly KernelNexthop[]): number | undefined {
    if (isSingle(hops)) return this.single.get(hops[0]!.gateway ?? '')?.get(hops[0]!.ifindex);
    return this.byText.get(textOf(hops));
  }

  private index(hops: readonly KernelNexthop[], id: number): void {
    if (!isSingle(hops)) {
      this.byText.set(textOf(hops), id);
      return;
    }
    const gateway = hops[0]!.gateway ?? '';
    let byIfindex = this.single.get(gateway);
    if (!byIfindex) this.single.set(gateway, (byIfindex = new Map()));
    byIfindex.set(hops[0]!.ifindex, id);
  }
}

const isSingle = (hops: readonly KernelNexthop[]): boolean => hops.length === 1 && hops[0]!.weight === 1;
const textOf = (hops: readonly KernelNexthop[]): string => hops.map((n) => `${n.ifindex}|${n.gateway ?? ''}|${n.weight}`).join(',');
