// AddRoutes: a client's stream of routes, installed in batches, one answer
// at the end. Each route is checked as AddRoute would check it (the steps
// are the manager's); the checked ones go to the kernel a batch at a time
// (one transaction, thousands of messages per sendmsg), and each batch
// waits for the fast path on one counter. A refusal is collected with its
// index, not thrown. While OPEN_BATCHES are in the kernel or waiting for
// the fast path, the client's stream is not read: memory stays bounded.
import type { Prefix } from '../../dataplane/addr.js';
import type { KernelRoute } from '../sync/model.js';
import type { BatchWait } from './applied.js';
import { RequestError, fromKernel, type RequestStatus } from './errors.js';
import { APPLY_TIMEOUT_MS } from './flow-control.js';
import type { RouteSpec } from './model.js';

/** A bulk add lists this many refusals at most; `failed` counts them all. */
const MAX_LISTED_ERRORS = 1000;
/**
 * Routes per kernel transaction. The socket sends them in as few sendmsg
 * as its receive buffer has room for answers (native/rtnl_socket.cc), and
 * the fast path follows as their events come back.
 */
export const BATCH_ROUTES = 2048;
/** Batches in the kernel or waiting for the fast path at once: the kernel works on one while the sync applies another. */
export const OPEN_BATCHES = 4;

/** One route of a bulk add: its spec, or the refusal its translation already met. */
export type BulkItem = { spec: RouteSpec; replace: boolean } | { refused: RequestError; prefix: string };

export interface BulkError {
  index: number;
  prefix: string;
  status: RequestStatus;
  message: string;
}

export interface BulkResult {
  added: number;
  failed: number;
  errors: BulkError[];
}

/** A checked route of a batch, as the kernel is asked for it. */
export interface BulkRoute {
  route: KernelRoute;
  replace: boolean;
  /** route.prefix parsed, as validation read it */
  prefix: Prefix;
  /** "family|prefix", what the fast path's writes are told by */
  key: string;
}

/** What the kernel made of a batch: a refusal per position (null: in the kernel), and the wait for the fast path on the rest. */
export interface BatchInstall {
  refusals: ReadonlyArray<RequestError | null>;
  wait: BatchWait;
}

/** What a bulk add does with each route: the manager's own steps for AddRoute, a batch at a time. */
export interface BulkSteps {
  /** the kernel route a request asks for; throws a RequestError where AddRoute would refuse it */
  check(spec: RouteSpec, replace: boolean): BulkRoute;
  /** ask the kernel for a batch in one transaction; resolves once it answered every route */
  install(routes: readonly BulkRoute[]): Promise<BatchInstall>;
}

/** A batch on its way: the routes, where each came in the stream, and its prefix as the client wrote it. */
interface Batch {
  routes: BulkRoute[];
  indexes: number[];
  prefixes: string[];
}

/**
 * `requests` yields the routes of one client message at a time (one, or
 * hundreds); a route's index counts routes, not messages. Resolves once
 * every route that went in is in the fast path (or none reached it for
 * APPLY_TIMEOUT_MS).
 */
export async function addInBulk(requests: AsyncIterable<readonly BulkItem[]>, steps: BulkSteps): Promise<BulkResult> {
  const errors: BulkError[] = [];
  const fail = (index: number, prefix: string, err: unknown): void => {
    const e = err instanceof RequestError ? err : fromKernel(err, 'route');
    errors.push({ index, prefix, status: e.status, message: e.message });
  };
  let added = 0;
  const waits = new Set<BatchWait>();
  /** the last time any route of the stream reached the fast path */
  const lastApplied = (since: number): number => Math.max(since, ...[...waits].map((w) => w.lastApplied));

  async function run(batch: Batch): Promise<void> {
    let installed: BatchInstall;
    try {
      installed = await steps.install(batch.routes);
    } catch (err) {
      batch.indexes.forEach((index, i) => fail(index, batch.prefixes[i]!, err));
      return;
    }
    const { refusals, wait } = installed;
    refusals.forEach((refusal, i) => refusal && fail(batch.indexes[i]!, batch.prefixes[i]!, refusal));
    waits.add(wait);
    const answered = Date.now();
    try {
      await untilApplied(wait, () => lastApplied(answered));
    } finally {
      waits.delete(wait);
    }
    const late = wait.open();
    wait.cancel();
    for (const i of late) {
      fail(batch.indexes[i]!, batch.prefixes[i]!, new RequestError('DEADLINE_EXCEEDED', `in the kernel, but the fast path did not apply it within ${APPLY_TIMEOUT_MS} ms`));
    }
    added += batch.routes.length - late.length - refusals.filter((r) => r !== null).length;
  }

  const open = new Set<Promise<void>>();
  const send = (batch: Batch): void => {
    const running: Promise<void> = run(batch).finally(() => open.delete(running));
    open.add(running);
  };
  let batch: Batch = { routes: [], indexes: [], prefixes: [] };
  let index = 0;
  for await (const items of requests) {
    for (const item of items) {
      const i = index++;
      if ('refused' in item) {
        fail(i, item.prefix, item.refused);
        continue;
      }
      try {
        batch.routes.push(steps.check(item.spec, item.replace));
        batch.indexes.push(i);
        batch.prefixes.push(item.spec.prefix);
      } catch (err) {
        fail(i, item.spec.prefix, err);
        continue;
      }
      if (batch.routes.length < BATCH_ROUTES) continue;
      // read no further while the kernel and the fast path have their hands full: the client's stream waits
      while (open.size >= OPEN_BATCHES) await Promise.race(open);
      send(batch);
      batch = { routes: [], indexes: [], prefixes: [] };
    }
  }
  if (batch.routes.length > 0) send(batch);
  while (open.size > 0) await Promise.race(open);
  errors.sort((a, b) => a.index - b.index);
  return { added, failed: errors.length, errors: errors.slice(0, MAX_LISTED_ERRORS) };
}

/** Until the batch is in the fast path, or no route of the stream reached it for APPLY_TIMEOUT_MS. */
async function untilApplied(wait: BatchWait, lastApplied: () => number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    for (;;) {
      const idle = Date.now() - lastApplied();
      if (idle >= APPLY_TIMEOUT_MS) return;
      const done = await Promise.race([wait.done.then(() => true), new Promise<false>((r) => (timer = setTimeout(() => r(false), APPLY_TIMEOUT_MS - idle)))]);
      clearTimeout(timer);
      if (done) return;
    }
  } finally {
    clearTimeout(timer);
  }
}
