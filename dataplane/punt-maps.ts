// The punt stage's maps (AF_XDP slow path): rules by destination prefix
// with their per-CPU counts, and the sockets frames are punted to, by
// ingress interface and queue.
import { parsePrefix } from './addr.js';
import { formatPrefixKey, perCpuSize, prefixKey, sumCounters } from './entry-codecs.js';
import * as L from './layout.js';
import type { MapName } from './layout.js';
import { dumpEntries } from './map-dump.js';
import type { NativeMap } from './native.js';

export interface PuntRuleSpec {
  prefix: string;
  /** IPPROTO_* number; absent: any */
  protocol?: number;
  /** destination port (TCP/UDP); absent: any */
  port?: number;
}

export type PuntMapSet = Pick<Record<MapName, NativeMap>, 'xr_punt4' | 'xr_punt6' | 'xr_punt_stats' | 'xr_xsks' | 'xr_xsk_slots'>;

export class PuntMaps {
  constructor(
    private readonly maps: PuntMapSet,
    /** the CPUs a per-CPU value has a copy for */
    private readonly cpus: () => number,
  ) {}

  setRule(id: number, rule: PuntRuleSpec): void {
    if (!Number.isInteger(id) || id < 0 || id >= L.MAX_PUNT_RULES) throw new RangeError(`punt rule id ${id} must be 0 to ${L.MAX_PUNT_RULES - 1}`);
    const { map, key } = this.ruleKey(rule.prefix);
    const port = Buffer.alloc(2);
    port.writeUInt16BE(rule.port ?? 0);
    map.update(key, L.punt.encode({ rule_id: id, protocol: rule.protocol ?? 0, port }));
    // a new rule counts from zero
    this.maps.xr_punt_stats.update(L.u32.encode({ value: id }), Buffer.alloc(perCpuSize(L.counter.size, this.cpus())));
  }

  deleteRule(prefix: string): boolean {
    const { map, key } = this.ruleKey(prefix);
    return map.delete(key);
  }

  rules(): Promise<Array<PuntRuleSpec & { id: number }>> {
    const tries = [
      [this.maps.xr_punt4, L.fib4Key],
      [this.maps.xr_punt6, L.fib6Key],
    ] as const;
    return dumpEntries(tries, (key, v) => {
      const rule = L.punt.decode(v);
      const port = rule.port.readUInt16BE(0);
      return {
        id: rule.rule_id,
        prefix: formatPrefixKey(key),
        ...(rule.protocol ? { protocol: rule.protocol } : {}),
        ...(port ? { port } : {}),
      };
    });
  }

  /** Packets and bytes punted by a rule, summed over CPUs. */
  stats(id: number): { packets: bigint; bytes: bigint } {
    const v = this.maps.xr_punt_stats.lookup(L.u32.encode({ value: id }));
    return v ? sumCounters(v) : { packets: 0n, bytes: 0n };
  }

  /** Register an AF_XDP socket for the frames punted on (ifindex, queue). */
  bindXsk(ifindex: number, queue: number, slot: number, socketFd: number): void {
    // the socket first: a slot naming an empty XSKMAP entry is passed, never lost
    this.maps.xr_xsks.update(L.u32.encode({ value: slot }), L.u32.encode({ value: socketFd }));
    this.maps.xr_xsk_slots.update(L.xskKey.encode({ ifindex, queue }), L.u32.encode({ value: slot }));
  }

  unbindXsk(ifindex: number, queue: number, slot: number): void {
    this.maps.xr_xsk_slots.delete(L.xskKey.encode({ ifindex, queue }));
    this.maps.xr_xsks.delete(L.u32.encode({ value: slot }));
  }

  private ruleKey(prefix: string): { map: NativeMap; key: Buffer } {
    const p = parsePrefix(prefix);
    return { map: p.family === 4 ? this.maps.xr_punt4 : this.maps.xr_punt6, key: prefixKey(p) };
  }
}
