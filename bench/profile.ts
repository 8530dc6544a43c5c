// Where the time goes: `perf record` (cpu-clock, software sampling, which
// works inside a VM without PMU access) on this process, or on one CPU,
// while fn runs, reduced to the hottest symbols. Absent perf, or perf
// refusing, gives null.
import { spawn, execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sleep } from './progress.js';

const execFileP = promisify(execFile);

export interface ProfileEntry {
  symbol: string;
  /** share of this process's samples, percent */
  percent: number;
}

export interface ProfileTarget {
  /** sample this CPU (all its tasks, kernel threads included) instead of this process */
  cpu?: number;
  /** how many symbols to keep */
  top?: number;
}

export async function profileWhile<T>(fn: () => Promise<T>, target: ProfileTarget = {}): Promise<{ value: T; profile: ProfileEntry[] | null }> {
  const dir = mkdtempSync(join(tmpdir(), 'xrb-perf-'));
  const file = join(dir, 'perf.data');
  try {
    const scope = target.cpu === undefined ? ['-p', String(process.pid)] : ['-C', String(target.cpu)];
    const perf = spawn('perf', ['record', '-q', '-e', 'cpu-clock', '-F', '4999', ...scope, '-o', file], { stdio: 'ignore' });
    // perf stops on SIGINT and writes its file: that is a success
    const recorded = new Promise<boolean>((resolve) => {
      perf.once('exit', (code, signal) => resolve(code === 0 || signal === 'SIGINT'));
      perf.once('error', () => resolve(false));
    });
    await sleep(500); // perf attaches to every thread before the work starts
    let value: T;
    try {
      value = await fn();
    } finally {
      if (perf.exitCode === null) perf.kill('SIGINT');
    }
    return { value, profile: (await recorded) ? await report(file, target.top ?? 8) : null };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function report(file: string, top: number): Promise<ProfileEntry[] | null> {
  try {
    const args = ['report', '-i', file, '--stdio', '--no-children', '--sort', 'sym', '--percent-limit', '0.5'];
    const { stdout } = await execFileP('perf', args, { maxBuffer: 16 * 1024 * 1024 });
    return parseReport(stdout).slice(0, top);
  } catch {
    return null;
  }
}

/** "    50.66%  [k] trie_lookup_elem" lines; JIT-ed programs appear as bpf_prog_TAG_NAME */
export function parseReport(text: string): ProfileEntry[] {
  const out: ProfileEntry[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s+([\d.]+)%\s+\[[k.]\]\s+(\S+)/.exec(line);
    if (m) out.push({ percent: Number(m[1]), symbol: m[2]!.replace(/^bpf_prog_[0-9a-f]+_/, 'bpf_prog_') });
  }
  return out;
}
