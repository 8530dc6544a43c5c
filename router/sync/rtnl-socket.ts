// rtnetlink sockets over the `netlink` package: opened inside a network
// namespace, and requests whose failures carry the kernel's errno.
import { createNetlink, Protocol, type NetlinkMessage, type NetlinkSocket } from 'netlink';
import { constants } from 'node:os';
import { getSystemErrorMap } from 'node:util';
import { addon } from '../../dataplane/native.js';
import { DumpInterruptedError, NetlinkError } from './netlink-error.js';
import { NLMSG_ERROR, NLM_F, readI32 } from './rtnl-wire.js';

export type { NetlinkMessage, NetlinkSocket };

export interface RtnlSocketOptions {
  /** a named namespace (/run/netns/NAME); absent: the daemon's own */
  netns?: string;
  /** keep the event loop alive while the socket is open (an event listener wants that) */
  ref?: boolean;
}

/**
 * An rtnetlink socket in options.netns. A socket belongs to the namespace of
 * the thread that creates it, for good, so the JS thread steps into the
 * namespace just for the constructor (which also binds).
 */
export function openRtnl(options: RtnlSocketOptions): NetlinkSocket {
  const create = (): NetlinkSocket =>
    createNetlink(Protocol.ROUTE, {
      ref: options.ref ?? false,
      // 0: the system defaults (an event socket sets its own, see tuneNetlinkEvents)
      recvBufferSize: 0,
      sendBufferSize: 0,
    });
  return options.netns ? addon.inNetns(options.netns, create) : create();
}

function errnoError(errno: number, what: string): NetlinkError {
  const [code, text] = getSystemErrorMap().get(-errno) ?? [`E${errno}`, `error ${errno}`];
  return new NetlinkError(errno, code, `${what}: ${text} (${code})`);
}

/** A change waits this long for the kernel's answer, a dump (a full Internet table) longer. */
const CHANGE_TIMEOUT_MS = 30_000;
const DUMP_TIMEOUT_MS = 300_000;

/**
 * Send a request (the library adds NLM_F_REQUEST | NLM_F_ACK) and wait for
 * the answer: the messages of a dump, none for an acknowledged change.
 * Throws a NetlinkError whose message starts with `what` (what was attempted).
 */
async function request(
  socket: NetlinkSocket,
  type: number,
  payload: Buffer,
  flags: number,
  what: string,
  timeoutMs: number,
): Promise<NetlinkMessage[]> {
  let answer: NetlinkMessage[];
  let timer: NodeJS.Timeout | undefined;
  // our own timer, unref'd: the library's would keep a closing daemon alive
  const timeout = new Promise<never>((_, reject) => {
    const expire = (): void =>
      reject(new NetlinkError(constants.errno.ETIMEDOUT, 'ETIMEDOUT', `${what}: no answer in ${timeoutMs} ms`));
    timer = setTimeout(expire, timeoutMs);
    timer.unref();
  });
  try {
    [answer] = await Promise.race([socket.request(type, payload, { flags, checkError: false }), timeout]);
  } catch (err) {
    if (err instanceof NetlinkError) throw err;
    // the send failed: an ErrnoException (positive errno), or the socket is closed
    const e = err as { errno?: unknown; message?: string };
    if (typeof e.errno === 'number') throw errnoError(e.errno, what);
    throw new NetlinkError(constants.errno.EBADF, 'EBADF', `${what}: ${e.message ?? String(err)}`);
  } finally {
    clearTimeout(timer);
  }
  const first = answer[0];
  if (first?.type !== NLMSG_ERROR) return answer;
  const errno = -readI32(first.data, 0);
  if (errno !== 0) throw errnoError(errno, what);
  return [];
}

/**
 * An unsubscribed socket for requests and dumps (no event can land in the
 * middle of a dump). A socket that reports an error may have been closed by
 * the library, so it is dropped and the next request opens a new one.
 */
export class RtnlRequester {
  private socket: NetlinkSocket | null = null;
  private closed = false;

  /** Opens the socket at once, so a wrong namespace fails here. */
  constructor(
    private readonly netns: string | undefined,
    private readonly log: (msg: string, fields?: object) => void,
  ) {
    this.open('open an rtnetlink socket');
  }

  /** A change (NEW/DEL); resolves on the kernel's ACK. */
  async change(type: number, payload: Buffer, flags: number, what: string): Promise<void> {
    await request(this.open(what), type, payload, flags, what, CHANGE_TIMEOUT_MS);
  }

  /** Every message of a dump; DumpInterruptedError when the kernel flags it inconsistent. */
  async dump(type: number, payload: Buffer, what: string): Promise<NetlinkMessage[]> {
    const answer = await request(this.open(what), type, payload, NLM_F.DUMP, what, DUMP_TIMEOUT_MS);
    if (answer.some((m) => (m.flags & NLM_F.DUMP_INTR) !== 0)) throw new DumpInterruptedError(what);
    return answer;
  }

  close(): void {
    this.closed = true;
    this.socket?.close();
    this.socket = null;
  }

  private open(what: string): NetlinkSocket {
    if (this.closed) throw new NetlinkError(constants.errno.EBADF, 'EBADF', `${what}: the socket is closed`);
    if (this.socket) return this.socket;
    const socket = openRtnl({ netns: this.netns });
    // without a listener, an 'error' would throw inside the library's native callback
    socket.on('error', (err) => {
      this.log('rtnetlink request socket failed, opening a new one for the next request', { error: err.message });
      if (this.socket !== socket) return;
      socket.close();
      this.socket = null;
    });
    this.socket = socket;
    return socket;
  }
}
