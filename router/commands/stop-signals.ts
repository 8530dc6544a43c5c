// SIGTERM and SIGINT, caught from the daemon's first step to the end of its
// stop. A signal's default action would end the process with XDP attached
// and pins left: a systemd stop during a full table's start (seconds), or a
// second Ctrl-C (npm relays one too) during the stop. A signal that comes
// during the start is answered by the stop once the start has settled.
import type { Logger } from '../log.js';

const SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

export class StopSignals {
  /** resolves at the first signal or request() */
  readonly requested: Promise<void>;
  private resolve: () => void = () => undefined;
  private state: 'starting' | 'running' | 'stopping' = 'starting';
  private readonly onSignal = (signal: NodeJS.Signals): void => {
    this.log.info({ starting: 'stopping once the start is done', running: 'stopping', stopping: 'already stopping' }[this.state], { signal });
    this.request();
  };

  constructor(private readonly log: Logger) {
    this.requested = new Promise((resolve) => (this.resolve = resolve));
    for (const signal of SIGNALS) process.on(signal, this.onSignal);
  }

  /** The start is done: a signal from now on stops at once. */
  started(): void {
    if (this.state === 'starting') this.state = 'running';
  }

  request(): void {
    this.state = 'stopping';
    this.resolve();
  }

  /** The stop is done (or the start failed): signals take their default action again. */
  release(): void {
    for (const signal of SIGNALS) process.off(signal, this.onSignal);
  }
}
