// Wait for the machine to go quiet before a part starts. Removing a
// namespace that held a million routes, or closing a million-entry map,
// goes on in kernel workers for a while after the call returns; a
// throughput figure taken meanwhile measures that too.
import { readFileSync } from 'node:fs';
import { progress, sleep } from './progress.js';

function cpuTimes(): { idle: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal ...
  return { idle: fields[3]! + fields[4]!, total: fields.reduce((s, v) => s + v, 0) };
}

/** Resolve once the CPUs were at least `idleShare` idle for two seconds running, or after maxMs; returns the ms waited. */
export async function waitForQuiet(maxMs = 90_000, idleShare = 0.9): Promise<number> {
  const start = performance.now();
  let quiet = 0;
  let prev = cpuTimes();
  while (performance.now() - start < maxMs) {
    await sleep(1000);
    const now = cpuTimes();
    const share = (now.idle - prev.idle) / Math.max(1, now.total - prev.total);
    prev = now;
    quiet = share >= idleShare ? quiet + 1 : 0;
    if (quiet >= 2) break;
  }
  return performance.now() - start;
}

/** A wait under this long goes unmentioned, ms. */
const QUIET_NOTE_MS = 2_500;

/** waitForQuiet(maxMs), and a progress line naming `what` when the wait was long enough to notice. */
export async function settleBefore(what: string, maxMs: number): Promise<void> {
  const waited = await waitForQuiet(maxMs);
  if (waited > QUIET_NOTE_MS) progress(`${what}: waited ${(waited / 1000).toFixed(1)} s for the machine to go quiet`);
}
