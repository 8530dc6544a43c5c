// "[PREFIX] [proto P] [port N]", the match words of `punt add` and `capture`:
// one grammar, so a match typed for one command means the same in the other.
import { UsageError, parseInteger } from './usage.js';

/** "[PREFIX] [proto P] [port N]": what punt add and capture match on. */
export function parseMatch(words: string[], command: string): { prefix: string; protocol: string; port: number } {
  const match = { prefix: '', protocol: '', port: 0 };
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w === 'proto' || w === 'protocol') {
      match.protocol = words[++i] ?? '';
      if (match.protocol === '') throw new UsageError(`${command}: proto needs tcp, udp, icmp or a number`);
    } else if (w === 'port') {
      match.port = parseInteger(words[++i], `${command}: port`, 1, 65535);
    } else if (match.prefix === '' && !w.startsWith('-')) {
      match.prefix = w;
    } else {
      throw new UsageError(`${command}: unexpected "${w}"`);
    }
  }
  return match;
}
