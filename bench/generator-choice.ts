// Which generator offers the forward benchmark's traffic: live frames, the
// faster, unless asked otherwise or refused by the machine (some answer
// EPERM to BPF_F_TEST_XDP_LIVE_FRAMES while plain test runs work), then an
// AF_XDP socket's transmit ring.
import type { GeneratorName } from './lab-traffic.js';

export type GeneratorChoice = 'live' | 'afxdp' | 'auto';
export const GENERATOR_CHOICES: GeneratorChoice[] = ['live', 'afxdp', 'auto'];

/**
 * The generator for a choice. With auto, probe runs live frames once and
 * answers the errno name that refused them, or null; a refusal is told to
 * `say` (the benchmark's stdout), so a reader of the figures knows why they
 * are the slower generator's.
 */
export async function chooseGenerator(choice: GeneratorChoice, probe: () => Promise<string | null>, say: (line: string) => void): Promise<GeneratorName> {
  if (choice === 'live') return 'live frames';
  if (choice === 'afxdp') {
    say('forward: using the AF_XDP transmit generator (--generator afxdp)');
    return 'AF_XDP';
  }
  const refused = await probe();
  if (refused === null) return 'live frames';
  say(`forward: live frames refused (${refused}): using the AF_XDP transmit generator`);
  return 'AF_XDP';
}
