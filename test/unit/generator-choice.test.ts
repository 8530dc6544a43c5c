// The forward benchmark's generator: live frames unless asked otherwise or
// refused, and a refusal said on stdout. The probe is the seam: on this
// machine the kernel takes live frames, so a refusal is played here.
import { describe, expect, it } from 'vitest';
import { chooseGenerator } from '../../bench/generator-choice.js';
import type { GeneratorChoice } from '../../bench/generator-choice.js';

describe('forward benchmark generator', () => {
  it.each<[GeneratorChoice, string | null, string, string[]]>([
    ['auto', null, 'live frames', []],
    ['auto', 'EPERM', 'AF_XDP', ['forward: live frames refused (EPERM): using the AF_XDP transmit generator']],
    ['auto', 'EOPNOTSUPP', 'AF_XDP', ['forward: live frames refused (EOPNOTSUPP): using the AF_XDP transmit generator']],
    ['live', 'EPERM', 'live frames', []],
    ['afxdp', null, 'AF_XDP', ['forward: using the AF_XDP transmit generator (--generator afxdp)']],
  ])('%s, probe answers %s: %s', async (choice, refusal, generator, said) => {
    const lines: string[] = [];
    let probed = 0;
    const probe = async (): Promise<string | null> => {
      probed++;
      return refusal;
    };
    expect(await chooseGenerator(choice, probe, (line) => lines.push(line))).toBe(generator);
    expect(lines).toEqual(said);
    // only auto spends a test run on the probe
    expect(probed).toBe(choice === 'auto' ? 1 : 0);
  });
});
