// Requests over the addon's rtnetlink socket: changes batched into one
// transaction (many messages per sendmsg) while the last one runs, each
// change answered on its own; dumps in turn with them. Failures carry the
// kernel's errno and its extended ACK text.
import { constants } from 'node:os';
import { getSystemErrorMap } from 'node:util';
import { addon, type RtnlRefusal, type RtnlSocket } from '../../dataplane/native.js';
import { DumpInterruptedError, NetlinkError } from './netlink-error.js';
import { NLM_F, readMessages, requestMessage, someMessageFlagged, type RtnlMessage } from './rtnl-wire.js';

/**
 * The request socket's receive buffer: a batch is cut to what it holds
 * answers for (about 2 KiB each), so this lets a thousand changes share
 * one sendmsg.
 */
const REQUEST_BUFFER_BYTES = 4 * 1024 * 1024;

/** "File exists (EEXIST)", and the kernel's own words when it gave some; or why no answer came. */
function refusalError(refusal: RtnlRefusal, what: string): NetlinkError {
  if (refusal.unanswered) {
    return new NetlinkError(refusal.errno, refusal.code, `${what}: ${refusal.message} (the kernel may or may not have applied it)`);
  }
  const [, text] = getSystemErrorMap().get(-refusal.errno) ?? [refusal.code, `error ${refusal.errno}`];
  const said = refusal.message ? `; the kernel says: ${refusal.message}` : '';
  return new NetlinkError(refusal.errno, refusal.code, `${what}: ${text} (${refusal.code})${said}`);
}

/** The socket itself failed (no answer can be told): the native error, named for the attempt. */
function socketError(err: unknown, what: string): NetlinkError {
  const e = err as { errno?: unknown; code?: unknown; message?: unknown };
  const errno = typeof e.errno === 'number' ? e.errno : constants.errno.EIO;
  const code = typeof e.code === 'string' ? e.code : 'EIO';
  return new NetlinkError(errno, code, `${what}: ${typeof e.message === 'string' ? e.message : String(err)}`);
}

const countOf = (messages: readonly Buffer[] | PackedRequests): number => (Array.isArray(messages) ? messages.length : (messages as PackedRequests).count);

const closedError = (what: string): NetlinkError => new NetlinkError(constants.errno.EBADF, 'EBADF', `${what}: the socket is closed`);

/** Messages already laid out one after another in one buffer (rtnl-encode.ts RequestBuffer), and how many. */
export interface PackedRequests {
  readonly bytes: Buffer;
  readonly count: number;
}

interface Queued {
  message: Buffer;
  what: string;
  settle(error: NetlinkError | null): void;
}

/**
 * A socket for requests and dumps, subscribed to nothing (no event lands in
 * a dump). Changes made while a transaction runs wait and go together in
 * the next one; a dump takes its turn between transactions. A socket that
 * fails (no answer, closed under a request) is dropped and the next request
 * opens a new one.
 */
export class RtnlRequester {
  private socket: RtnlSocket | null = null;
  private closed = false;
  private queued: Queued[] = [];
  private flushing = false;
  /** the transaction or dump that runs, then the ones waiting: one at a time */
  private turn: Promise<unknown> = Promise.resolve();

  /** Opens the socket at once, so a wrong namespace fails here. */
  constructor(
    private readonly netns: string | undefined,
    private readonly log: (msg: string, fields?: object) => void,
  ) {
    this.open('open an rtnetlink socket');
  }

  /**
   * A change (NEW/DEL); resolves on the kernel's ACK, rejects with its
   * refusal. Changes asked for while a transaction runs go together in the
   * next one.
   */
  change(type: number, payload: Buffer, flags: number, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.closed) {
        reject(closedError(what));
        return;
      }
      this.queued.push({ message: requestMessage(type, flags, payload), what, settle: (error) => (error ? reject(error) : resolve()) });
      if (this.flushing) return;
      this.flushing = true;
      // a turn of the event loop first: what else arrived with this change (a stream's next requests) joins it
      this.turn = this.turn.then(() => new Promise((next) => setImmediate(next))).then(() => this.flush());
    });
  }

  /**
   * Many changes as one transaction in their turn (the socket sends them in
   * as few sendmsg as it has room for their answers); resolves with each
   * one's refusal, null where the kernel took it. `what` names message i
   * for its error, asked only of those that fail.
   */
  changes(messages: readonly Buffer[] | PackedRequests, what: (i: number) => string): Promise<Array<NetlinkError | null>> {
    if (this.closed) return Promise.resolve(Array.from({ length: countOf(messages) }, (_, i) => closedError(what(i))));
    const run = this.turn.then(() => this.transact(messages, what));
    this.turn = run;
    return run;
  }

  /** Every message of a dump; DumpInterruptedError when the kernel flags it inconsistent. */
  async dump(type: number, payload: Buffer, what: string): Promise<RtnlMessage[]> {
    return (await this.dumpDatagrams(type, payload, what)).flatMap(readMessages);
  }

  /**
   * A dump as the kernel's datagrams, for one too big to hold as an object
   * per message (a full table's routes): read them one at a time with
   * readMessages. DumpInterruptedError when the kernel flags it inconsistent.
   */
  async dumpDatagrams(type: number, payload: Buffer, what: string): Promise<Buffer[]> {
    const run = this.turn.then(async () => {
      const socket = this.open(what);
      let datagrams: Buffer[];
      try {
        datagrams = await socket.dump(requestMessage(type, 0, payload));
      } catch (err) {
        // what is left of a failed dump may still come: a new socket does not see it
        this.drop(socket, err);
        throw socketError(err, what);
      }
      if (datagrams.some((d) => someMessageFlagged(d, NLM_F.DUMP_INTR))) throw new DumpInterruptedError(what);
      return datagrams;
    });
    this.turn = run.catch(() => undefined);
    return run;
  }

  close(): void {
    this.closed = true;
    this.socket?.close();
    this.socket = null;
    const queued = this.queued;
    this.queued = [];
    for (const q of queued) q.settle(closedError(q.what));
  }

  /** Sends everything queued so far as one transaction; what is queued meanwhile waits for the next. */
  private async flush(): Promise<void> {
    this.flushing = false;
    const batch = this.queued;
    this.queued = [];
    if (batch.length === 0) return;
    const answers = await this.transact(
      batch.map((q) => q.message),
      (i) => batch[i]!.what,
    );
    batch.forEach((q, i) => q.settle(answers[i]!));
  }

  /** One transaction: each message's refusal, null where the kernel took it; never rejects. */
  private async transact(messages: readonly Buffer[] | PackedRequests, what: (i: number) => string): Promise<Array<NetlinkError | null>> {
    const count = countOf(messages);
    if (count === 0) return [];
    let answers: Array<RtnlRefusal | null>;
    let socket: RtnlSocket | undefined;
    try {
      socket = this.open(what(0));
      answers = await socket.transact(Array.isArray(messages) ? Buffer.concat(messages) : (messages as PackedRequests).bytes);
    } catch (err) {
      if (socket) this.drop(socket, err);
      return Array.from({ length: count }, (_, i) => (err instanceof NetlinkError ? err : socketError(err, what(i))));
    }
    const failed = answers.find((a) => a?.unanswered);
    if (failed) this.drop(socket, new Error(failed.message));
    return answers.map((refusal, i) => (refusal ? refusalError(refusal, what(i)) : null));
  }

  private drop(socket: RtnlSocket, err: unknown): void {
    if (this.socket !== socket) return;
    this.log('rtnetlink request socket failed, opening a new one for the next request', { error: (err as Error).message });
    socket.close();
    this.socket = null;
  }

  private open(what: string): RtnlSocket {
    if (this.closed) throw closedError(what);
    this.socket ??= new addon.RtnlSocket({ ...(this.netns ? { netns: this.netns } : {}), receiveBufferBytes: REQUEST_BUFFER_BYTES });
    return this.socket;
  }
}
