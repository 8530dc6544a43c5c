// The daemon as those who report on it see it: /metrics, the API's
// backends and the status reader. Each property is read only, so a reader
// cannot change the state it reports, and none of them imports the
// lifecycle (router/daemon.ts), which implements this view.
import type { RouterConfig } from '../../config/schema.js';
import type { FastPath } from '../../dataplane/fastpath.js';
import type { AttachMode } from '../../dataplane/native.js';
import type { NetfilterView } from '../netfilter/watch.js';
import type { SlowPath } from '../slowpath/service.js';
import type { Reconciler } from '../sync/reconciler.js';

export interface AttachedInterface {
  name: string;
  ifindex: number;
  mode: AttachMode;
  /** attached by a previous run and kept */
  adopted: boolean;
}

/** What reporters read of the sync: the kernel's tables as it knows them, what the fast path holds, and when it changes. */
export type SyncStatus = Pick<Reconciler, 'state' | 'desired' | 'onRoutesApplied' | 'fullSyncRunning' | 'mapsBehind' | 'routeCount' | 'routeCounts' | 'neighbourCounts'>;

export interface DaemonStatus {
  readonly config: Readonly<RouterConfig>;
  /** absent until the start has opened the fast path */
  readonly fp?: FastPath | undefined;
  /** absent until the start has made it */
  readonly reconciler?: SyncStatus | undefined;
  /** absent without punt rules */
  readonly slowPath?: SlowPath | undefined;
  readonly attached: ReadonlyArray<Readonly<AttachedInterface>>;
  /** when the fast path last applied a kernel change (ms since the epoch); 0 before the first sync */
  readonly lastSync: number;
  /** full resyncs since the start */
  readonly resyncs: number;
  /** the netfilter ruleset as last read; absent with `netfilter: bypass` */
  readonly netfilter?: NetfilterView | undefined;
}

/** The name an interface goes by in labels and answers: the attached interface's, else its index. */
export function interfaceName(status: DaemonStatus, ifindex: number): string {
  return status.attached.find((i) => i.ifindex === ifindex)?.name ?? String(ifindex);
}
