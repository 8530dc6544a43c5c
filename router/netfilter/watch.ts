// Follows the netfilter ruleset of the router's namespace by reading
// `nft -j list ruleset` once a second (nfnetlink's change notifications
// would be immediate; a poll is what this version does, so a new rule takes
// up to POLL_MS, plus the time nft takes, to reach the fast path). Tells its
// listener the forwarding chains whenever they change, and when the ruleset
// cannot be read, which counts as "could touch everything".
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { NetfilterScope } from '../sync/desired.js';
import { forwardingChains, netfilterScope } from './ruleset.js';
import type { NetfilterChain } from './ruleset.js';

const execFileP = promisify(execFile);

/** How often the ruleset is read. */
export const POLL_MS = 1000;

/** The ruleset as the fast path must respect it: the chains that touch forwarded traffic, or why it is unknown. */
export type NetfilterView = { chains: NetfilterChain[] } | { unreadable: string };

/** The interfaces a reading puts on the kernel: a ruleset that cannot be read could touch anything. */
export function scopeOfView(view: NetfilterView): NetfilterScope {
  return 'unreadable' in view ? { ingress: new Set(), egress: new Set(), all: true } : netfilterScope(view.chains);
}

export interface NetfilterWatchOptions {
  /** a namespace's path (/run/netns/NAME); absent: the daemon's own */
  netnsPath?: string;
  onChange: (view: NetfilterView) => void;
}

/** One reading of the ruleset. */
export async function readNetfilter(netnsPath: string | undefined): Promise<NetfilterView> {
  const [cmd, args] = netnsPath ? ['nsenter', [`--net=${netnsPath}`, 'nft', '-j', 'list', 'ruleset']] : ['nft', ['-j', 'list', 'ruleset']];
  let stdout: string;
  try {
    ({ stdout } = await execFileP(cmd, args, { maxBuffer: 256 * 1024 * 1024 }));
  } catch (err) {
    const e = err as { code?: string; stderr?: string; message: string };
    if (e.code === 'ENOENT') return { unreadable: `${cmd} is not installed (Debian: apt-get install nftables)` };
    return { unreadable: `nft -j list ruleset failed: ${(e.stderr || e.message).trim()}` };
  }
  try {
    return { chains: forwardingChains(JSON.parse(stdout)) };
  } catch (err) {
    return { unreadable: `nft -j list ruleset gave output this version cannot read: ${(err as Error).message}` };
  }
}

export class NetfilterWatch {
  private timer: NodeJS.Timeout | undefined;
  private last = '';
  private stopped = false;

  constructor(private readonly options: NetfilterWatchOptions) {}

  /** The first reading, handed to onChange before this returns; then one every POLL_MS. */
  async start(): Promise<NetfilterView> {
    const view = await this.read();
    this.schedule();
    return view;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.read().finally(() => this.schedule());
    }, POLL_MS);
    this.timer.unref();
  }

  private async read(): Promise<NetfilterView> {
    const view = await readNetfilter(this.options.netnsPath);
    const text = JSON.stringify(view);
    if (text !== this.last && !this.stopped) {
      this.last = text;
      this.options.onChange(view);
    }
    return view;
  }
}
