// Hands the fast path's use of a neighbour to the kernel over rtnetlink
// (RTM_NEWNEIGH with NTF_USE), so the kernel re-checks the entry as it does
// for the packets it forwards itself. See neighbour-liveness.ts for why.
import { neighbourUsePayload } from './rtnl-encode.js';
import { RtnlRequester } from './rtnl-socket.js';
import { RTM } from './rtnl-wire.js';


/** What NeighbourLiveness needs of the kernel: the seam its unit tests fill in. */
export interface NeighbourUser {
  /** As if a packet had been sent through the entry; ENOENT when the kernel no longer has it. */
  useNeighbour(ifindex: number, address: string): Promise<void>;
}

export class KernelNeighbourWriter implements NeighbourUser {
  private readonly requests: RtnlRequester;

  constructor(options: { netns?: string; log?: (msg: string, fields?: object) => void } = {}) {
    this.requests = new RtnlRequester(options.netns, options.log ?? (() => {}));
  }

  async useNeighbour(ifindex: number, address: string): Promise<void> {
    const what = `use neighbour ${address} ifindex ${ifindex}`;
    // no NLM_F_CREATE: an entry the kernel dropped meanwhile stays dropped (ENOENT)
    await this.requests.change(RTM.NEWNEIGH, neighbourUsePayload(ifindex, address), 0, what);
  }

  close(): void {
    this.requests.close();
  }
}
