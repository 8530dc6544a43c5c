// Handing a punted frame back to the kernel. An AF_XDP socket has no way to
// return a frame to the stack, but BPF_PROG_TEST_RUN in live-frames mode
// has: run on a frame with its ingress interface in the context, a program
// that returns XDP_PASS (bpf/xdp_reinject.c) makes the kernel build an skb on
// that interface and receive it, as if the fast path had passed the frame
// when it arrived. The slow path needs it for frames XDP punted whose state
// changed before userspace read them (a neighbour or route gone, an MTU
// lowered): the kernel resolves, answers or forwards them, as it does all
// that the fast path passes up. The native forwarder runs the program.
import { join } from 'node:path';
import { addon } from '../../dataplane/native.js';
import type { NativeProgram } from '../../dataplane/native.js';
import { packageRoot } from '../../dataplane/package-root.js';
import type { Logger } from '../log.js';

const REINJECT_OBJECT = join(packageRoot(), 'bpf', 'xdp_reinject.o');
const REINJECT_PROGRAM = 'xdp_reinject';
const ETH_HLEN = 14;
/** An Ethernet header and nothing after it: the program drops it (xdp_reinject.c). */
const PROBE_FRAME = Buffer.alloc(ETH_HLEN);

/**
 * Load the program and check that the kernel runs live frames on
 * `probeIfindex`. Undefined, with a warning saying what that costs, when it
 * does not (some kernels refuse the flag with EPERM).
 */
export async function openKernelHandoff(options: { netns?: string; probeIfindex: number; log: Logger }): Promise<NativeProgram | undefined> {
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
  return program;
}
