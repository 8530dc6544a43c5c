// The kernel as the sync reads it, over the addon's rtnetlink sockets: one
// subscribed to the groups the sync follows, read in batches by a thread of
// its own, and one for dumps, subscribed to nothing (no event lands in the
// middle of a dump). Both live in the configured network namespace.
// Decoding is in rtnl-decode.ts; the traps it handles are listed in
// docs/architecture.md ("A route's path").
//
// Lost events: when the event socket's receive buffer overflows, the kernel
// drops messages and says so (ENOBUFS) on the next read; the reader hands
// that on after the messages it read before, and onLost asks for a resync.
import { DEFAULT_CONFIG } from '../../config/defaults.js';
import { addon, type NativeError, type RtnlEventSocket } from '../../dataplane/native.js';
import type { KernelEvent, KernelSnapshot, KernelSource } from './model.js';
import { DumpedRoutes, decodeAddress, decodeEvent, decodeLink, decodeNeighbour, decodeNexthopObject, decodeRule } from './rtnl-decode.js';
import type { RouteFilter } from './rtnl-decode.js';
import { dumpRequest } from './rtnl-encode.js';
import { DumpInterruptedError } from './netlink-error.js';
import { RtnlRequester } from './rtnl-socket.js';
import { AF_INET, AF_INET6, AF_UNSPEC, HEADER, RTM, RTNLGRP, readMessages, type RtnlMessage } from './rtnl-wire.js';

export type SyncLog = (msg: string, fields?: object) => void;

export interface NetlinkSourceOptions {
  /** a named namespace (/run/netns/NAME); absent: the daemon's own */
  netns?: string;
  /** the route tables to report, by real id (RTA_TABLE), e.g. [254] */
  tables: number[];
  log?: SyncLog;
  /** the event socket's receive buffer (SO_RCVBUFFORCE); default 8 MiB */
  eventBufferBytes?: number;
  /** events read off the socket but not yet taken by the JS thread, at most; default: the addon's (256 MiB) */
  eventQueueBytes?: number;
}

const EVENT_GROUPS = [
  RTNLGRP.LINK,
  RTNLGRP.IPV4_IFADDR,
  RTNLGRP.IPV6_IFADDR,
  RTNLGRP.IPV4_ROUTE,
  RTNLGRP.IPV6_ROUTE,
  RTNLGRP.NEIGH,
  RTNLGRP.IPV4_RULE,
  RTNLGRP.IPV6_RULE,
  RTNLGRP.NEXTHOP,
];
/** A dump that the kernel flags inconsistent (tables changed meanwhile) is taken again, this many times at most. */
const DUMP_ATTEMPTS = 5;

type Pending = { event: KernelEvent } | { lost: string };

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class NetlinkSource implements KernelSource {
  private readonly netns: string | undefined;
  private readonly filter: RouteFilter;
  private readonly log: SyncLog;
  private readonly eventBufferBytes: number;
  private readonly eventQueueBytes: number | undefined;
  private events: RtnlEventSocket | null = null;
  private dumper: RtnlRequester | null = null;
  private onEvent: ((e: KernelEvent) => void) | null = null;
  private onLost: ((reason: string) => void) | null = null;
  /** while a dump runs (holds > 0), and until its snapshot is handed over, events wait here in order */
  private held: Pending[] = [];
  private holds = 0;
  /** the kernel runs one dump per socket at a time (EBUSY otherwise), so dumps queue */
  private lastDump: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(options: NetlinkSourceOptions) {
    this.netns = options.netns;
    this.log = options.log ?? (() => {});
    this.eventBufferBytes = options.eventBufferBytes ?? DEFAULT_CONFIG.netlinkBufferBytes;
    this.eventQueueBytes = options.eventQueueBytes;
    this.filter = { tables: new Set(options.tables) };
  }

  async start(onEvent: (e: KernelEvent) => void, onLost: (reason: string) => void): Promise<KernelSnapshot> {
    if (this.closed) throw new Error('NetlinkSource: start after close');
    if (this.onEvent) throw new Error('NetlinkSource: already started');
    this.onEvent = onEvent;
    this.onLost = onLost;
    try {
      // subscribe first: a change made while the dump runs is then either in
      // the dump or in the held events, never in neither
      this.openEvents();
      return await this.dump();
    } catch (err) {
      this.onEvent = null;
      this.onLost = null;
      this.closeEvents();
      throw err;
    }
  }

  /**
   * A full dump. Once started, events that arrive while it runs are held and
   * delivered after the snapshot is returned, as start() does, so a resync
   * does not apply an event and then overwrite it with an older dump.
   */
  async dump(): Promise<KernelSnapshot> {
    if (this.closed) throw new Error('NetlinkSource: dump after close');
    this.holds++;
    try {
      if (this.onEvent && !this.events) this.openEvents(); // the last one failed: see socketError
      const run = this.lastDump.then(() => this.snapshot());
      this.lastDump = run.catch(() => undefined);
      return await run;
    } finally {
      // after the caller's continuation (a microtask) has taken the snapshot
      setImmediate(() => this.release());
    }
  }

  close(): void {
    this.closed = true;
    this.onEvent = null;
    this.onLost = null;
    this.held = [];
    this.closeEvents();
    this.dumper?.close();
    this.dumper = null;
  }

  private openEvents(): void {
    const options = {
      ...(this.netns ? { netns: this.netns } : {}),
      ...(this.eventQueueBytes === undefined ? {} : { queueBytes: this.eventQueueBytes }),
      receiveBufferBytes: this.eventBufferBytes,
      groups: EVENT_GROUPS,
    };
    const socket: RtnlEventSocket = new addon.RtnlEventSocket(options, (messages, problem) => this.receive(socket, messages, problem));
    // the kernel reports twice what it grants (the doubling covers its bookkeeping)
    const granted = socket.receiveBufferBytes / 2;
    if (granted < this.eventBufferBytes) {
      this.log('netlink event buffer smaller than asked (no CAP_NET_ADMIN: net.core.rmem_max caps it)', {
        asked: this.eventBufferBytes,
        granted,
      });
    }
    this.events = socket;
  }

  private closeEvents(): void {
    this.events?.close();
    this.events = null;
  }

  /** A batch from the reader thread: its messages in order, then what went wrong after them. */
  private receive(socket: RtnlEventSocket, messages: Buffer | null, problem: NativeError | null): void {
    if (this.events !== socket) return;
    if (messages) {
      let msgs: RtnlMessage[];
      try {
        msgs = readMessages(messages);
      } catch (err) {
        this.lose(`undecodable netlink datagram: ${message(err)}`);
        msgs = [];
      }
      for (const msg of msgs) this.receiveOne(msg);
    }
    if (!problem) return;
    if (problem.code === 'ENOBUFS') this.lose(`netlink events lost (ENOBUFS): ${problem.message}`);
    else this.socketError(problem);
  }

  private receiveOne(msg: RtnlMessage): void {
    let event: KernelEvent | null;
    try {
      event = decodeEvent(msg, this.filter);
    } catch (err) {
      this.lose(`undecodable rtnetlink message (type ${msg.type}): ${message(err)}`);
      return;
    }
    if (event) this.deliver({ event });
  }

  /**
   * The socket failed and its reader stopped: take a new one before asking
   * for a resync; if that fails, the resync's dump() tries again.
   */
  private socketError(err: { code?: string; message: string }): void {
    this.closeEvents();
    try {
      this.openEvents();
    } catch (reopen) {
      this.log('netlink event socket cannot be reopened', { error: message(reopen) });
    }
    this.lose(`netlink event socket failed (${err.code ?? err.message}): events may be lost`);
  }

  private lose(reason: string): void {
    this.log(reason);
    this.deliver({ lost: reason });
  }

  private deliver(pending: Pending): void {
    if (this.holds > 0) this.held.push(pending);
    else this.dispatch(pending);
  }

  private release(): void {
    this.holds--;
    const held = this.held;
    this.held = [];
    for (let i = 0; i < held.length; i++) {
      if (this.holds > 0) {
        // a handler started another dump: what is left waits for that one
        this.held = [...held.slice(i), ...this.held];
        return;
      }
      this.dispatch(held[i]!);
    }
  }

  /** Hands one item to the sync; nothing the handlers throw escapes into the socket's callback. */
  private dispatch(pending: Pending): void {
    const onEvent = this.onEvent;
    const onLost = this.onLost;
    if (!onEvent || !onLost) return;
    if ('event' in pending) {
      try {
        onEvent(pending.event);
      } catch (err) {
        // the sync's state no longer follows the kernel: only a resync repairs that
        this.lose(`applying a ${pending.event.kind} ${pending.event.op} event failed: ${message(err)}`);
      }
      return;
    }
    try {
      onLost(pending.lost);
    } catch (err) {
      this.log('the lost-events handler threw', { error: message(err) });
    }
  }

  private async snapshot(): Promise<KernelSnapshot> {
    this.dumper ??= new RtnlRequester(this.netns, this.log);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.snapshotOnce(this.dumper);
      } catch (err) {
        if (!(err instanceof DumpInterruptedError) || attempt >= DUMP_ATTEMPTS) throw err;
        this.log('netlink dump interrupted by changes, taking it again', { attempt });
      }
    }
  }

  private async snapshotOnce(dumper: RtnlRequester): Promise<KernelSnapshot> {
    const both = [AF_INET, AF_INET6];
    const links = await dumpAll(dumper, DUMPS.links, [AF_UNSPEC], decodeLink);
    const addresses = await dumpAll(dumper, DUMPS.addresses, both, decodeAddress);
    // before the routes: a route can then only name an object newer than the dump, whose event is held
    const nexthopObjects = await dumpAll(dumper, DUMPS.nexthopObjects, [AF_UNSPEC], decodeNexthopObject);
    // a full table's routes: kept as the kernel's bytes, decoded as the state loads them
    const routeDatagrams: Buffer[] = [];
    for (const af of both) routeDatagrams.push(...(await dumper.dumpDatagrams(RTM.GETROUTE, dumpRequest('rtmsg', af), 'dump routes')));
    const neighbours = await dumpAll(dumper, DUMPS.neighbours, both, decodeNeighbour);
    const rules = await dumpAll(dumper, DUMPS.rules, both, decodeRule);
    // each snapshot is loaded once (a start, a resync): its route bytes go once loaded
    return { links, addresses, routes: new DumpedRoutes(routeDatagrams, this.filter, true), neighbours, rules, nexthopObjects };
  }
}

interface DumpKind {
  what: string;
  request: number;
  /** the message type the dump answers with */
  answer: number;
  header: keyof typeof HEADER;
}

const DUMPS = {
  links: { what: 'links', request: RTM.GETLINK, answer: RTM.NEWLINK, header: 'ifinfomsg' },
  addresses: { what: 'addresses', request: RTM.GETADDR, answer: RTM.NEWADDR, header: 'ifaddrmsg' },
  neighbours: { what: 'neighbours', request: RTM.GETNEIGH, answer: RTM.NEWNEIGH, header: 'ndmsg' },
  rules: { what: 'policy rules', request: RTM.GETRULE, answer: RTM.NEWRULE, header: 'fib_rule_hdr' },
  nexthopObjects: { what: 'next-hop objects', request: RTM.GETNEXTHOP, answer: RTM.NEWNEXTHOP, header: 'nhmsg' },
} satisfies Record<string, DumpKind>;

/** One dump per address family, decoded; decode's nulls (what the sync does not follow) left out. */
async function dumpAll<T>(
  dumper: RtnlRequester,
  kind: DumpKind,
  afs: number[],
  decode: (data: Buffer) => T | null,
): Promise<T[]> {
  const out: T[] = [];
  for (const af of afs) {
    const answer = await dumper.dump(kind.request, dumpRequest(kind.header, af), `dump ${kind.what}`);
    for (const msg of answer) {
      const item = msg.type === kind.answer ? decode(msg.data) : null;
      if (item !== null) out.push(item);
    }
  }
  return out;
}
