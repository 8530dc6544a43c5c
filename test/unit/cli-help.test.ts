// The command line answers for itself: --help on every command the top-level
// help lists, --version, and the documented exit codes for bad usage.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const execFileP = promisify(execFile);
const CLI = new URL('../../bin/xdp-router.js', import.meta.url).pathname;
const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileP('node', [CLI, ...args]);
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** The commands the top-level help lists, one per line under "commands". */
function listedCommands(help: string): string[] {
  return [...help.matchAll(/^ {2}([a-z]+)\b/gm)].map((m) => m[1]!).filter((c) => c !== 'help');
}

describe('xdp-router --help and --version', () => {
  it('lists its commands, each of which has its own --help', async () => {
    const top = await cli(['--help']);
    expect(top.code).toBe(0);
    const commands = listedCommands(top.stdout);
    expect(commands).toEqual(expect.arrayContaining(['run', 'stop', 'verify', 'install', 'lab', 'route', 'neigh', 'stats', 'status', 'punt', 'capture']));
    for (const command of commands) {
      const r = await cli([command, '--help']);
      expect(r.code, `${command} --help: ${r.stderr}`).toBe(0);
      expect(r.stdout, `${command} --help`).toMatch(new RegExp(`^usage: xdp-router ${command}\\b`, 'm'));
    }
  });

  it('documents its exit codes', async () => {
    expect((await cli(['--help'])).stdout).toMatch(/^exit codes: 0 success, 1 failure .*, 2 bad usage or config$/m);
  });

  it('prints the package version', async () => {
    const r = await cli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(`xdp-router ${VERSION}`);
  });

  it('exits 2 on an unknown command or option, pointing at --help', async () => {
    const unknown = await cli(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command "frobnicate"[\s\S]*--help/);
    const badOption = await cli(['run', '--frobnicate']);
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toMatch(/--help/);
  });
});
