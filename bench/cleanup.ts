// What an interrupted run must still undo: namespaces, pins, processes.
// Every part registers its undo here; Ctrl-C or SIGTERM stops the daemons
// (support/daemon.ts keeps them), then runs the undos.
import { stopEveryDaemon } from '../support/daemon.js';

type Undo = () => Promise<void> | void;

const pending = new Set<Undo>();

/** Register an undo for an interruption; the returned function unregisters it (the normal path undoes by itself). */
export function onInterrupt(undo: Undo): () => void {
  pending.add(undo);
  return () => {
    pending.delete(undo);
  };
}

export function installSignalHandlers(): void {
  const handler = (signal: NodeJS.Signals): void => {
    process.stderr.write(`bench: ${signal}: cleaning up\n`);
    const undos = [...pending].reverse();
    pending.clear();
    void (async () => {
      await stopEveryDaemon().catch(() => undefined);
      for (const undo of undos) await Promise.resolve(undo()).catch(() => undefined);
      process.exit(130);
    })();
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
}
