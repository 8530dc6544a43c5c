// What every noun's command is handed, in a module of its own so that the
// nouns and main.ts, which lists them, do not import each other.

/** Where a command writes, and how it learns of Ctrl-C (watch modes). */
export interface CommandIo {
  out(line: string): void;
  onInterrupt(stop: () => void): void;
  isTTY: boolean;
}
