// AddRoutes: a client's stream of routes, many kernel requests in flight,
// one answer at the end. Each route is checked and installed as AddRoute
// would (the steps are the manager's); a refusal is collected, not thrown.
import type { KernelRoute } from '../sync/model.js';
import type { Wait } from './applied.js';
import { RequestError, fromKernel, type RequestStatus } from './errors.js';
import { APPLY_TIMEOUT_MS, Progress } from './flow-control.js';
import type { RouteSpec } from './model.js';

/** A bulk add lists this many refusals at most; `failed` counts them all. */
const MAX_LISTED_ERRORS = 1000;

/** One request of a bulk add: a route, or the refusal its translation already met. */
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

/** What a bulk add does with each route: the manager's own steps for AddRoute. */
export interface BulkSteps {
  /** the kernel route a request asks for; throws a RequestError where AddRoute would refuse it */
  check(spec: RouteSpec, replace: boolean): KernelRoute;
  /** until another kernel request could start at once */
  kernelFree(): Promise<void>;
  /** ask the kernel; resolves with the wait for the fast path once the kernel has acknowledged */
  install(route: KernelRoute, replace: boolean): Promise<Wait>;
}

/** Resolves once every route that went in is in the fast path (or made no progress for APPLY_TIMEOUT_MS). */
export async function addInBulk(requests: AsyncIterable<BulkItem>, steps: BulkSteps): Promise<BulkResult> {
  const errors: BulkError[] = [];
  const fail = (index: number, prefix: string, err: unknown): void => {
    const e = err instanceof RequestError ? err : fromKernel(err, 'route');
    errors.push({ index, prefix, status: e.status, message: e.message });
  };
  const waits: Array<{ index: number; prefix: string; done: boolean; wait: Wait }> = [];
  const progress = new Progress();
  const pending = new Set<Promise<void>>();
  let index = 0;
  for await (const item of requests) {
    const i = index++;
    if ('refused' in item) {
      fail(i, item.prefix, item.refused);
      continue;
    }
    const { spec, replace } = item;
    let route: KernelRoute;
    try {
      route = steps.check(spec, replace);
    } catch (err) {
      fail(i, spec.prefix, err);
      continue;
    }
    // read no further while the kernel has its hands full: the client's stream waits
    await steps.kernelFree();
    const request: Promise<void> = steps
      .install(route, replace)
      .then(
        (wait) => {
          const entry = { index: i, prefix: spec.prefix, done: false, wait };
          waits.push(entry);
          progress.started();
          void wait.done.then(() => {
            entry.done = true;
            progress.finished();
          });
        },
        (err: unknown) => fail(i, spec.prefix, err),
      )
      .finally(() => pending.delete(request));
    pending.add(request);
  }
  await Promise.all(pending);
  await progress.settled(APPLY_TIMEOUT_MS);
  let added = 0;
  for (const w of waits) {
    if (w.done) {
      added++;
      continue;
    }
    w.wait.cancel();
    fail(w.index, w.prefix, new RequestError('DEADLINE_EXCEEDED', `in the kernel, but the fast path did not apply it within ${APPLY_TIMEOUT_MS} ms`));
  }
  errors.sort((a, b) => a.index - b.index);
  return { added, failed: errors.length, errors: errors.slice(0, MAX_LISTED_ERRORS) };
}
