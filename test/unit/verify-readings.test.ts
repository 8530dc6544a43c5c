// What `xdp-router verify` says on stderr of its readings: nothing after
// one, and after more, what the first showed that a later one did not.
import { describe, expect, it } from 'vitest';
import { formatReadings } from '../../router/commands/verify.js';

const neighbour = { kind: 'neighbour' as const, key: '4 7 198.51.100.2', kernel: '02:00:00:00:00:02 valid', fastPath: '02:00:00:00:00:02 valid stale' };
const route = { kind: 'route' as const, key: '203.0.113.0/24', kernel: 'via 1', fastPath: 'blackhole' };

describe('formatReadings', () => {
  it('says nothing when one reading showed no difference', () => {
    expect(formatReadings({ differences: [], readings: 1, passing: [] })).toBe('');
  });

  it('names what passed, by kind', () => {
    expect(formatReadings({ differences: [], readings: 2, passing: [neighbour, neighbour, route] })).toBe(
      'verify: read both sides 2 times: 3 difference(s) of the first reading (2 neighbour, 1 route) were gone by a later one, changes in flight\n',
    );
  });

  it('says the differences stayed when none passed', () => {
    expect(formatReadings({ differences: [route], readings: 3, passing: [] })).toBe('verify: read both sides 3 times: the differences stayed\n');
  });
});
