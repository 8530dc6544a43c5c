// Handing a punted frame back to the kernel. An AF_XDP socket has no way to
// return a frame to the stack, but BPF_PROG_TEST_RUN in live-frames mode
// has: run on a frame with its ingress interface in the context, a program
// that returns XDP_PASS (bpf/xdp_reinject.c) makes the kernel build an skb on
// that interface and receive it, as if the fast path had passed the frame
// when it arrived. The slow path needs it for frames XDP punted whose state
// changed before userspace read them (a neighbour or route gone, an MTU
// lowered): the kernel resolves, answers or forwards them, as it does all
// that the fast path passes up.
import { join } from 'node:path';
import { addon } from '../../dataplane/native.js';
import type { NativeProgram } from '../../dataplane/native.js';
import { packageRoot } from '../../dataplane/package-root.js';
import type { Logger } from '../log.js';

export const REINJECT_OBJECT = join(packageRoot(), 'bpf', 'xdp_reinject.o');
const REINJECT_PROGRAM = 'xdp_reinject';
const ETH_HLEN = 14;
/** An Ethernet header and nothing after it: the program drops it (xdp_reinject.c). */
const PROBE_FRAME = Buffer.alloc(ETH_HLEN);

/**
 * Frames on their way to the kernel at one time. Each is a system call on
 * libuv's thread pool, which the daemon's map dumps share; a burst beyond
 * this (a full RX ring whose neighbour just went away) is dropped and
 * counted, and the flow's next frames meet the new state in XDP.
 */
export const MAX_IN_FLIGHT = 256;

export interface KernelPass {
  /**
   * Give a frame to the kernel's receive path on its ingress interface.
   * False when that cannot be done now (the caller drops the frame);
   * `failed` is called if it could not be done after all.
   */
  pass(frame: Buffer, ingressIfindex: number, failed: () => void): boolean;
}

export class KernelHandoff implements KernelPass {
  private inFlight = 0;
  /** error codes already logged: one warning each, not one per frame */
  private readonly reported = new Set<string>();

  private constructor(
    private readonly program: NativeProgram,
    private readonly log: Logger,
  ) {}

  /**
   * Load the program and check that the kernel runs live frames on
   * `probeIfindex`. Undefined, with a warning saying what that costs, when
   * it does not (some kernels refuse the flag with EPERM).
   */
  static async open(options: { netns?: string; probeIfindex: number; log: Logger }): Promise<KernelHandoff | undefined> {
    const program = new addon.XdpProgram(REINJECT_OBJECT, REINJECT_PROGRAM, options.netns ? { netns: options.netns } : {});
    try {
      await program.load();
      await program.runLiveFrames({ data: PROBE_FRAME, repeat: 1, ingressIfindex: options.probeIfindex, batchSize: 1 });
    } catch (err) {
      program.close();
      options.log.warn(
        'the slow path cannot give frames back to the kernel (BPF_PROG_TEST_RUN live frames): a punted frame whose neighbour, route or MTU changed before the slow path read it is dropped, counted in xdp_router_slowpath_packets_total{action="drop"}',
        { err: err as Error },
      );
      return undefined;
    }
    return new KernelHandoff(program, options.log);
  }

  pass(frame: Buffer, ingressIfindex: number, failed: () => void): boolean {
    if (this.inFlight >= MAX_IN_FLIGHT) return false;
    this.inFlight++;
    this.program.runLiveFrames({ data: frame, repeat: 1, ingressIfindex, batchSize: 1 }).then(
      () => this.inFlight--,
      (err: Error & { code?: string }) => {
        this.inFlight--;
        failed();
        const code = err.code ?? err.message;
        if (!this.reported.has(code)) {
          this.reported.add(code);
          this.log.warn('giving a punted frame back to the kernel failed; it was dropped (further failures of this kind are only counted)', { ifindex: ingressIfindex, bytes: frame.length, err });
        }
      },
    );
    return true;
  }

  /** Frames already on their way finish: the running work holds the program. */
  close(): void {
    this.program.close();
  }
}
