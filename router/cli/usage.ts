// Command-line argument handling shared by the commands: a usage error
// (exit 2) and an option parser that leaves the positional words alone.

/** The command line was wrong: the dispatcher prints it with a pointer to --help and exits 2. */
export class UsageError extends Error {}

export type OptionKinds = Record<string, 'value' | 'flag'>;

/** Options (anywhere on the line) by name, and the other words in order. */
export function splitOptions(args: string[], allowed: OptionKinds): { options: Map<string, string>; words: string[] } {
  const options = new Map<string, string>();
  const words: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const kind = allowed[a];
    if (!kind) {
      // "-6" is a word of `route list`, a negative number is never an option here
      if (a.startsWith('--')) throw new UsageError(`unknown option "${a}"`);
      words.push(a);
    } else if (kind === 'flag') {
      options.set(a, 'true');
    } else {
      const v = args[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value`);
      options.set(a, v);
    }
  }
  return { options, words };
}

/** A whole number in [min, max], or a usage error naming `what`. */
export function parseInteger(text: string | undefined, what: string, min: number, max: number): number {
  if (text === undefined || !/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new UsageError(`${what} takes a whole number from ${min} to ${max}, not "${text ?? ''}"`);
  }
  return Number(text);
}
