// Follows the netfilter ruleset of the router's namespace: nftables tells
// every committed change on nfnetlink (NFNLGRP_NFTABLES), and each batch of
// such notifications (or a lost one: an overrun) has the ruleset read again
// with `nft -j list ruleset`, so a new rule reaches the fast path in the
// time nft takes, not at the next poll. Where the subscription is refused,
// the ruleset is read once every POLL_MS instead, and the log says so.
// Tells its listener the forwarding chains whenever they change, and when
// the ruleset cannot be read, which counts as "could touch everything".
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { addon, type RtnlEventSocket } from '../../dataplane/native.js';
import type { NetfilterScope } from '../sync/desired.js';
import { forwardingChains, netfilterScope } from './ruleset.js';
import type { NetfilterChain } from './ruleset.js';

const execFileP = promisify(execFile);

/** How often the ruleset is read where nftables' notifications cannot be had. */
export const POLL_MS = 1000;

/** linux/netlink.h and linux/netfilter/nfnetlink.h */
const NETLINK_NETFILTER = 12;
const NFNLGRP_NFTABLES = 7;

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
  log?: (msg: string, fields?: Record<string, unknown>) => void;
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
  private events: RtnlEventSocket | undefined;
  private last = '';
  private stopped = false;
  /** a reading runs; `again` asks for one more after it (a change came meanwhile) */
  private reading: Promise<NetfilterView> | undefined;
  private again = false;

  constructor(private readonly options: NetfilterWatchOptions) {}

  /** The first reading, handed to onChange before this returns; then one after every change nftables tells. */
  async start(): Promise<NetfilterView> {
    // subscribed before the first reading, so a change made while it runs is not missed
    this.subscribe();
    const view = await this.reread();
    if (!this.events) this.schedule();
    return view;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.events?.close();
    this.events = undefined;
  }

  private subscribe(): void {
    try {
      const netns = this.options.netnsPath;
      this.events = new addon.RtnlEventSocket({ ...(netns ? { netns } : {}), protocol: NETLINK_NETFILTER, groups: [NFNLGRP_NFTABLES] }, (_messages, problem) => {
        // every notification, and an overrun (some were lost), means: read the ruleset again
        if (problem && problem.code !== 'ENOBUFS') {
          this.options.log?.('nftables notifications failed: reading the ruleset every second instead', { error: problem.message });
          this.events?.close();
          this.events = undefined;
          this.schedule();
        }
        void this.reread();
      });
    } catch (err) {
      this.options.log?.('nftables notifications refused: reading the ruleset every second instead', { error: (err as Error).message });
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.reread().finally(() => this.schedule());
    }, POLL_MS);
    this.timer.unref();
  }

  /** One reading at a time; changes told while one runs get one more reading after it. */
  private reread(): Promise<NetfilterView> {
    if (this.reading) {
      this.again = true;
      return this.reading;
    }
    this.reading = (async () => {
      let view: NetfilterView;
      do {
        this.again = false;
        view = await this.read();
      } while (this.again && !this.stopped);
      return view;
    })().finally(() => {
      this.reading = undefined;
    });
    return this.reading;
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
