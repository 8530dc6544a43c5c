// What a route written to the maps holds (its signature, its next-hop and
// group keys), by a small id: a full table has a million routes over a few
// signatures, so a route keeps the id (a number in a column by prefix
// slot) and routes of one signature share one frozen record. Counted: a
// record no route holds any more goes, and its id is handed out again.

/** The id of no record: nothing written for the prefix. */
export const NOT_APPLIED = 0;

export interface AppliedRoute {
  readonly signature: string;
  readonly nexthopKeys: readonly string[];
  readonly groupKey?: string;
}

export class AppliedRecords {
  private readonly records: Array<AppliedRoute | undefined> = [undefined];
  private readonly refs: number[] = [0];
  private readonly freeIds: number[] = [];
  private readonly bySignature = new Map<string, number>();

  /**
   * The id of the record of this signature, counted once more; made from
   * the next hops' keys and the group's when there is none (no closure
   * per call: a full sync acquires a record for each of a million routes).
   */
  acquire(signature: string, nexthops: ReadonlyArray<{ key: string }>, groupKey?: string): number {
    let id = this.bySignature.get(signature);
    if (id === undefined) {
      id = this.freeIds.pop() ?? this.records.length;
      this.records[id] = Object.freeze({ signature, nexthopKeys: nexthops.map((nh) => nh.key), ...(groupKey === undefined ? {} : { groupKey }) });
      this.refs[id] = 0;
      this.bySignature.set(signature, id);
    }
    this.refs[id]!++;
    return id;
  }

  get(id: number): AppliedRoute | undefined {
    return this.records[id];
  }

  /** One route fewer holds the record; the last one lets it go. */
  release(id: number): void {
    if (id === NOT_APPLIED || --this.refs[id]! > 0) return;
    this.bySignature.delete(this.records[id]!.signature);
    this.records[id] = undefined;
    this.freeIds.push(id);
  }
}
