// RouteLag (route-lag.ts) on a thread of its own (route-lag-worker.ts).
// The bench's process holds the whole table, a million routes and more as
// JS objects, and its collections over that heap stopped it for up to half
// a second (node --trace-gc): a probe's event received before such a pause
// and its first lookup after it counted the pause as the daemon's lag. A
// worker has its own heap of a few thousand probes, collected in
// microseconds, and goes on while the main thread is stopped.
import { Worker } from 'node:worker_threads';
import type { LagStats, Probe } from './route-lag.js';

/** The daemon's pinned maps, as FastPath.open takes them (opened to read there). */
export interface LagMaps {
  netns: string;
  pinDir: string;
}

export interface LagInit {
  netnsPath: string;
  protocol: number;
  probes: Probe[];
  maps: LagMaps;
  nexthopIds: { 4: number; 6: number };
}

export type LagRequest =
  | { op: 'follow'; maps: LagMaps; nexthopIds: { 4: number; 6: number } }
  | { op: 'reset' }
  | { op: 'behind' }
  | { op: 'followed'; changes: number; timeoutMs: number }
  | { op: 'stats' }
  | { op: 'stop' };

export type LagReply = { id: number; value: unknown } | { id: number; error: string } | { ready: true; timeOrigin: number } | { failed: string };

export class RouteLagTracker {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  /** the worker's clock less this thread's: its performance.now() counts from its own start */
  private clockOffset = 0;
  private readonly ready: Promise<void>;
  private stopped: Promise<void> | undefined;

  /**
   * protocol: rtm_protocol of the measured routes; nexthopIds: the id of
   * the probe gateway's next hop in the maps, per family.
   */
  constructor(init: LagInit) {
    this.worker = new Worker(new URL('./route-lag-worker.js', import.meta.url), { workerData: init });
    this.ready = new Promise((resolve, reject) => {
      this.worker.on('message', (reply: LagReply) => {
        if ('ready' in reply) {
          this.clockOffset = reply.timeOrigin - performance.timeOrigin;
          resolve();
        } else if ('failed' in reply) {
          reject(new Error(`route lag tracker: ${reply.failed}`));
        } else {
          const w = this.waiting.get(reply.id);
          this.waiting.delete(reply.id);
          if ('error' in reply) w?.reject(new Error(`route lag tracker: ${reply.error}`));
          else w?.resolve(reply.value);
        }
      });
      const fail = (err: Error): void => {
        reject(err);
        for (const w of this.waiting.values()) w.reject(err);
        this.waiting.clear();
      };
      this.worker.on('error', fail);
      // a thread that ended with requests unanswered must not leave the bench waiting on them
      this.worker.on('exit', (code) => fail(new Error(`route lag tracker: its thread exited (code ${code})`)));
    });
    // told to whoever asks next; a tracker stopped unasked must not leave it unhandled
    this.ready.catch(() => undefined);
  }

  /** Resolves once the worker has opened the maps and subscribed: changes from then on are timed. */
  start(): Promise<void> {
    return this.ready;
  }

  /** Another daemon run: its maps, and its ids for the probe gateways. */
  async follow(maps: LagMaps, nexthopIds: { 4: number; 6: number }): Promise<void> {
    await this.ask({ op: 'follow', maps, nexthopIds });
  }

  /** Start a new phase: what was measured so far is dropped. */
  async reset(): Promise<void> {
    await this.ask({ op: 'reset' });
  }

  /** Probe changes the fast path has not followed yet. */
  async behind(): Promise<number> {
    return (await this.ask({ op: 'behind' })) as number;
  }

  /** Resolves once the fast path followed every probe change, or after timeoutMs (then some are still behind). */
  settled(timeoutMs: number): Promise<boolean> {
    return this.followed(0, timeoutMs);
  }

  /** settled, once at least `changes` probe changes were followed since the last reset. */
  async followed(changes: number, timeoutMs: number): Promise<boolean> {
    return (await this.ask({ op: 'followed', changes, timeoutMs })) as boolean;
  }

  /** The figures so far, their times on this thread's performance.now(). */
  async stats(): Promise<LagStats> {
    const s = (await this.ask({ op: 'stats' })) as LagStats;
    const ours = (t: number): number => (t === 0 ? 0 : t + this.clockOffset);
    return { ...s, lastKernelAt: ours(s.lastKernelAt), lastFastPathAt: ours(s.lastFastPathAt) };
  }

  /** Unsubscribes and closes the maps in the worker, then ends it; again, it waits for the first stop. */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      try {
        await this.ask({ op: 'stop' });
      } finally {
        await this.worker.terminate();
      }
    })();
    return this.stopped;
  }

  private async ask(request: LagRequest): Promise<unknown> {
    await this.ready;
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ id, request });
    });
  }
}
