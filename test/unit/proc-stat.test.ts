// /proc/PID/stat fields by proc(5)'s numbers, whatever the command's name holds.
import { execFileSync } from 'node:child_process';
import { getPriority } from 'node:os';
import { describe, expect, it } from 'vitest';
import { STAT, statField } from '../../router/proc-stat.js';

/** the weakest priority nice(2) clamps to */
const MAX_NICE = 19;

describe('statField', () => {
  it('counts fields from the last closing parenthesis, so a name with spaces and parentheses shifts nothing', () => {
    // fields 3.. : state ppid pgrp session ...; utime is 14, stime 15
    const tail = ['S', '1', '42', '42', ...Array.from({ length: 7 }, () => '0'), '250', '130'];
    for (const name of ['node', 'xr-xsk 2:0', 'a) b (c)']) {
      const stat = `4242 (${name}) ${tail.join(' ')}`;
      expect(statField(stat, STAT.SESSION)).toBe(42);
      expect(statField(stat, STAT.UTIME)).toBe(250);
      expect(statField(stat, STAT.STIME)).toBe(130);
    }
  });

  // A runner's own session may be 0 (its leader is outside this PID
  // namespace, as in CI's container), so the session is checked on a child
  // made a session leader here: setsid(1) execs into cat, whose session is
  // then its own pid; nice(1) sets the nice cat reports.
  it('reads a live stat file: a session leader\'s session is its pid, and nice is what nice(1) set', () => {
    const base = getPriority();
    const stat = execFileSync('setsid', ['nice', '-n', '3', 'cat', '/proc/self/stat'], { encoding: 'utf8' });
    const pid = Number(stat.slice(0, stat.indexOf(' ')));
    expect(pid).toBeGreaterThan(0);
    expect(statField(stat, STAT.SESSION)).toBe(pid);
    expect(statField(stat, STAT.NICE)).toBe(Math.min(base + 3, MAX_NICE));
  });
});
