// The slow path's forwarder: punted frames are looked up in the same FIB,
// next-hop and neighbour maps the fast path uses, rewritten as the fast path
// would and sent on the egress interface's AF_XDP socket, all in native code
// (native/slowpath_*.cc): on the slow path's worker threads, or on the
// caller's for decide and forwardBatch.
//
// XDP punts only frames it could forward itself, so every other outcome
// means the tables changed between XDP's decision and this one (a
// neighbour or route gone, an MTU lowered). Such a frame gets what XDP
// would now give it: the kernel's receive path on its ingress interface,
// where XDP would pass it up; a drop for a blackhole route, as in XDP. Where
// the kernel cannot take it, it is dropped and counted.
import type { FastPath } from '../../dataplane/fastpath.js';
import { REASONS } from '../../dataplane/layout.js';
import { addon, FORWARDING_MAPS } from '../../dataplane/native.js';
import type { NativeProgram, NativeSlowPathForwarder, NativeSlowPathWorker, XskSocket } from '../../dataplane/native.js';

/** What only userspace meets, after XDP's reasons: no AF_XDP socket on the egress device, its TX ring full. */
const SLOWPATH_OUTCOMES = ['no-socket', 'tx-full'] as const;

/** XDP's reason without its pass/drop prefix: `no-neigh` is XDP's `pass-no-neigh`, `blackhole` its `drop-blackhole`. */
type Unprefixed<R extends string> = R extends `pass-${infer N}` ? N : R extends `drop-${infer N}` ? N : R;

/** The forwarder's decision for a frame, named as XDP's reason for the same frame and tables, or one of SLOWPATH_OUTCOMES. */
export type ForwardOutcome = Unprefixed<(typeof REASONS)[number]> | (typeof SLOWPATH_OUTCOMES)[number];

const OUTCOMES: readonly ForwardOutcome[] = [...REASONS.map((r) => r.replace(/^(pass|drop)-/, '') as ForwardOutcome), ...SLOWPATH_OUTCOMES];

/** What became of the frame: sent on by the slow path, given to the kernel, or dropped. */
export type ForwardAction = 'transmit' | 'kernel' | 'drop';
const ACTIONS: readonly ForwardAction[] = ['transmit', 'kernel', 'drop'];

function outcomeName(code: number): ForwardOutcome {
  const name = OUTCOMES[code];
  if (name === undefined) throw new Error(`the slow path's forwarder answered outcome ${code}, beyond the ${OUTCOMES.length} known: is the addon older than dataplane/layout.ts? Rebuild (npm run build)`);
  return name;
}

export interface ForwarderOptions {
  /** the sockets frames leave by, one per device (its queue 0) */
  transmitters: XskSocket[];
  /** bpf/xdp_reinject.o loaded (KernelHandoff): the way back to the kernel */
  reinject?: NativeProgram;
}

export class UserspaceForwarder {
  private readonly native: NativeSlowPathForwarder;

  constructor(fp: FastPath, options: ForwarderOptions) {
    const maps = Object.fromEntries(FORWARDING_MAPS.map((name) => [name, fp.map(name)])) as Record<(typeof FORWARDING_MAPS)[number], ReturnType<FastPath['map']>>;
    this.native = new addon.SlowPathForwarder({ maps, hashSeed: fp.hashSeed, transmitters: options.transmitters, ...(options.reinject ? { reinject: options.reinject } : {}) });
  }

  /** What would become of each frame arriving on ingressIfindex, sending nothing: the frame as it would leave, when forwarded. */
  decide(frames: Buffer[], ingressIfindex: number): Array<{ outcome: ForwardOutcome; ifindex: number; frame: Buffer | null }> {
    return this.native.decide(frames, ingressIfindex).map((d) => ({ ...d, outcome: outcomeName(d.outcome) }));
  }

  /** Forward frames of one ingress interface as a worker does, on this thread. */
  forwardBatch(frames: Buffer[], ingressIfindex: number): ForwardOutcome[] {
    return this.native.forwardBatch(frames, ingressIfindex).map(outcomeName);
  }

  forward(frame: Buffer, ingressIfindex: number): ForwardOutcome {
    return this.forwardBatch([frame], ingressIfindex)[0]!;
  }

  /** A thread forwarding what `socket` receives, until its stop(). */
  startWorker(socket: XskSocket, netns: string | undefined): NativeSlowPathWorker {
    return new addon.SlowPathWorker(this.native, socket, netns ? { netns } : {});
  }

  /** Let go of the maps and the hand-back program; results() and packets() stay readable. */
  close(): void {
    this.native.close();
  }

  /** Every (outcome, action) the forwarder has met, with its frames. */
  results(): Array<{ outcome: ForwardOutcome; action: ForwardAction; packets: number }> {
    return this.native.results().map((r) => ({ outcome: outcomeName(r.outcome), action: ACTIONS[r.action]!, packets: r.packets }));
  }

  /** Frames that got an outcome, whatever became of them. */
  packets(o: ForwardOutcome): number {
    return this.results()
      .filter((r) => r.outcome === o)
      .reduce((n, r) => n + r.packets, 0);
  }
}
