// Punt rules and packet capture at run time: the checks a request passes
// (the same as the config's `punt` entries), rule ids, counters, and the
// capture filter. The gRPC layer only translates (router/api/punt-service.ts).
import { PROTO_ICMPV6, PROTO_TCP, PROTO_UDP, PUNT_PROTOCOLS } from '../../config/schema.js';
import { parseAddress, prefixHolds, formatPrefix, type Family, type Prefix } from '../../dataplane/addr.js';
import type { FastPath } from '../../dataplane/fastpath.js';
import { MAX_PUNT_RULES } from '../../dataplane/layout.js';
import { RequestError, invalid } from '../routes/errors.js';
import { checkPrefix } from '../routes/validate.js';
import { parsePacket } from '../slowpath/frame.js';
import type { CapturedFrame, SlowPath } from '../slowpath/service.js';

const PROTO_ICMP = PUNT_PROTOCOLS.icmp;
const NAMES: Record<string, number> = PUNT_PROTOCOLS;

/** A rule as a request gives it: protocol by name or decimal number, "" and 0 for any. */
export interface PuntRuleRequest {
  prefix: string;
  protocol: string;
  port: number;
}

export interface PuntRuleView {
  id: number;
  prefix: string;
  /** "tcp", "udp", "icmp", a decimal number, or "" for any */
  protocol: string;
  port: number;
  packets: bigint;
  bytes: bigint;
}

export interface CaptureRequest {
  prefix: string;
  protocol: string;
  port: number;
  maxPackets: number;
}

export interface CapturedPacketView {
  interface: string;
  queue: number;
  timeNs: bigint;
  data: Buffer;
}

export const NO_SLOW_PATH =
  'the slow path is not running: the punt stage is only compiled into the fast path when the config has at least one punt rule (config `punt`); add one and restart the daemon';

/** "tcp"/"udp"/"icmp" or 0-255; 0 (any) for "". ICMP is ICMPv6 for an IPv6 prefix. */
function checkProtocol(text: string, family: Family | undefined, field: string): number {
  const t = text.trim().toLowerCase();
  if (t === '') return 0;
  const n = NAMES[t] ?? (/^\d+$/.test(t) && Number(t) <= 255 ? Number(t) : undefined);
  if (n === undefined) throw invalid(field, `"${text}" is not tcp, udp, icmp or a protocol number from 0 to 255`);
  return n === PROTO_ICMP && family === 6 ? PROTO_ICMPV6 : n;
}

function checkPort(port: number, protocol: number, field: string): number {
  if (port === 0) return 0;
  if (port > 65535) throw invalid(field, `${port} is out of range (1 to 65535, or 0 for any)`);
  if (protocol !== PROTO_TCP && protocol !== PROTO_UDP) throw invalid(field, 'a port needs protocol tcp or udp (only they have ports)');
  return port;
}

function protocolName(protocol: number | undefined): string {
  if (!protocol) return '';
  if (protocol === PROTO_ICMPV6) return 'icmp';
  return Object.keys(NAMES).find((k) => NAMES[k] === protocol) ?? String(protocol);
}

function inPrefix(address: string, prefix: Prefix): boolean {
  const a = parseAddress(address);
  return a !== null && prefixHolds(prefix, a.addr);
}

/** Does a frame pass the capture filter? Ports match either side, as tcpdump's `port N`. */
function frameFilter(prefix: Prefix | undefined, protocol: number, port: number): (data: Buffer) => boolean {
  if (!prefix && !protocol && !port) return () => true;
  return (data) => {
    const p = parsePacket(data);
    if (!p) return false;
    if (prefix && !inPrefix(p.src, prefix) && !inPrefix(p.dst, prefix)) return false;
    if (protocol && p.protocol !== protocol && !(protocol === PROTO_ICMP && p.protocol === PROTO_ICMPV6)) return false;
    return !port || p.sport === port || p.dport === port;
  };
}

export class PuntManager {
  /** changes one at a time: the lowest free id is read, then taken */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly deps: {
      fp: FastPath;
      /** the running slow path, if any */
      slowPath: () => SlowPath | undefined;
      interfaceName: (ifindex: number) => string;
    },
  ) {}

  private running(): SlowPath {
    const sp = this.deps.slowPath();
    if (!sp) throw new RequestError('FAILED_PRECONDITION', NO_SLOW_PATH);
    return sp;
  }

  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private view(rule: { id: number; prefix: string; protocol?: number; port?: number }): PuntRuleView {
    const s = this.deps.fp.puntStats(rule.id);
    return { id: rule.id, prefix: rule.prefix, protocol: protocolName(rule.protocol), port: rule.port ?? 0, packets: s.packets, bytes: s.bytes };
  }

  addRule(req: PuntRuleRequest, field = 'rule'): Promise<PuntRuleView> {
    const prefix = checkPrefix(req.prefix, `${field}.prefix`);
    const protocol = checkProtocol(req.protocol, prefix.family, `${field}.protocol`);
    const port = checkPort(req.port, protocol, `${field}.port`);
    this.running();
    const canonical = formatPrefix(prefix);
    return this.serialized(async () => {
      const rules = await this.deps.fp.puntRules();
      if (rules.some((r) => r.prefix === canonical)) throw new RequestError('ALREADY_EXISTS', `${canonical} has a punt rule already; delete it first`);
      const used = new Set(rules.map((r) => r.id));
      let id = 0;
      while (used.has(id)) id++;
      if (id >= MAX_PUNT_RULES) throw new RequestError('RESOURCE_EXHAUSTED', `all ${MAX_PUNT_RULES} punt rule ids are in use`);
      const rule = { prefix: canonical, ...(protocol ? { protocol } : {}), ...(port ? { port } : {}) };
      this.deps.fp.setPuntRule(id, rule);
      return this.view({ id, ...rule });
    });
  }

  deleteRule(prefixText: string, field = 'prefix'): Promise<void> {
    const canonical = formatPrefix(checkPrefix(prefixText, field));
    this.running();
    return this.serialized(async () => {
      if (!this.deps.fp.deletePuntRule(canonical)) throw new RequestError('NOT_FOUND', `${canonical} has no punt rule`);
    });
  }

  async listRules(): Promise<PuntRuleView[]> {
    if (!this.deps.slowPath()) return [];
    return (await this.deps.fp.puntRules()).sort((a, b) => a.id - b.id).map((r) => this.view(r));
  }

  /**
   * Punted frames that pass the filter, to `listener`, until the returned
   * function is called; `onEnd` once maxPackets have been given.
   */
  capture(req: CaptureRequest, listener: (p: CapturedPacketView) => void, onEnd: () => void, field = 'filter'): () => void {
    const prefix = req.prefix === '' ? undefined : checkPrefix(req.prefix, `${field}.prefix`);
    const protocol = checkProtocol(req.protocol, undefined, `${field}.protocol`);
    const port = checkPort(req.port, protocol || PROTO_TCP, `${field}.port`);
    const sp = this.running();
    const passes = frameFilter(prefix, protocol, port);
    let left = req.maxPackets || Infinity;
    const stop = sp.capture((f: CapturedFrame) => {
      if (left <= 0 || !passes(f.data)) return;
      left--;
      // a copy: the slow path rewrites the frame in place when it forwards it
      listener({ interface: this.deps.interfaceName(f.ifindex), queue: f.queue, timeNs: f.timeNs, data: Buffer.from(f.data) });
      if (left <= 0) {
        stop();
        onEnd();
      }
    });
    return stop;
  }
}
