// How route changes wait: for the fast path within the time a client
// allows, and for a free slot among the kernel requests in flight. Nothing
// here knows what a route is.
import type { Wait } from './applied.js';
import { RequestError } from './errors.js';

/** How long a change may take from the kernel's ACK to the fast path before the client is told. */
export const APPLY_TIMEOUT_MS = 10_000;

export interface ChangeOptions {
  /** default APPLY_TIMEOUT_MS */
  timeoutMs?: number;
  /** the client went away */
  signal?: AbortSignal;
}

/** Wait for the fast path, within the time allowed and while the client is there; `late` opens the timeout's message. */
export async function settle(wait: Wait, options: ChangeOptions, late: string): Promise<void> {
  const ms = options.timeoutMs ?? APPLY_TIMEOUT_MS;
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const limits = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RequestError('DEADLINE_EXCEEDED', `${late} within ${ms} ms`)), ms);
    onAbort = () => reject(new RequestError('CANCELLED', 'the client cancelled the call'));
    options.signal?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await Promise.race([wait.done, limits]);
  } catch (err) {
    wait.cancel();
    throw err;
  } finally {
    clearTimeout(timer);
    if (onAbort) options.signal?.removeEventListener('abort', onAbort);
  }
}

/** At most `size` jobs at once; the others wait their turn. */
export class Window {
  private used = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly size: number) {}

  async run<T>(job: () => Promise<T>): Promise<T> {
    while (this.used >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.used++;
    try {
      return await job();
    } finally {
      this.used--;
      // every waiter checks again: one of them gets the slot, the others wait anew
      for (const wake of this.waiting.splice(0)) wake();
    }
  }
}
