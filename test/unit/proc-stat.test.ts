// /proc/PID/stat fields by proc(5)'s numbers, whatever the command's name holds.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { STAT, statField } from '../../router/proc-stat.js';

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

  it('reads this process: its session and nice as the kernel has them', () => {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    expect(statField(stat, STAT.NICE)).toBeGreaterThanOrEqual(-20);
    expect(statField(stat, STAT.SESSION)).toBeGreaterThan(0);
  });
});
