// The README's shell blocks, each with the way test/e2e/readme.test.ts runs
// it: a `<!-- readme-test: KIND -->` line right above the fence. A block
// without one is an error, so no command can be added that no test runs.
import { spawn } from 'node:child_process';

export const BLOCK_KINDS = {
  /** `npm run lab`: started, awaited until ready, stopped with Ctrl-C */
  lab: 'the lab, run in the background for the in-lab blocks',
  /** run in order against the running lab, each must exit 0 */
  'in-lab': 'commands against the running lab',
  /** `npm test`: the command CI runs (.ci/run) */
  ci: 'the test command itself',
  /** run in a sandbox: a namespace with eth0/eth1 and private /etc, /usr/local, /run/xdp-router, bpffs */
  host: 'deployment on a host',
  /** systemctl: no systemd here; the installed unit is checked with systemd-analyze verify */
  systemd: 'systemd commands',
  /** benchmarks: the --quick run is run, the full run is not (see the test) */
  bench: 'benchmarks',
} as const;
export type BlockKind = keyof typeof BLOCK_KINDS;

export interface ReadmeBlock {
  kind: BlockKind;
  /** 1-based line of the opening fence */
  line: number;
  /** the block's lines that are commands (blank lines and whole-line comments left out) */
  commands: string[];
}

const SHELL_LANGS = new Set(['', 'sh', 'bash', 'shell', 'console']);

export function readmeBlocks(text: string): ReadmeBlock[] {
  const lines = text.split('\n');
  const blocks: ReadmeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = /^```(\S*)\s*$/.exec(lines[i]!);
    if (!fence) continue;
    const end = lines.findIndex((l, j) => j > i && l.startsWith('```'));
    if (end < 0) throw new Error(`README.md:${i + 1}: the code block never closes`);
    if (SHELL_LANGS.has(fence[1]!)) {
      const marker = /^<!-- readme-test: (\S+) -->$/.exec(lines[i - 1] ?? '');
      if (!marker) throw new Error(`README.md:${i + 1}: a shell block without a "<!-- readme-test: KIND -->" line above it (kinds: ${Object.keys(BLOCK_KINDS).join(', ')})`);
      if (!(marker[1]! in BLOCK_KINDS)) throw new Error(`README.md:${i}: unknown readme-test kind "${marker[1]}"`);
      const commands = lines.slice(i + 1, end).filter((l) => l.trim() !== '' && !l.trimStart().startsWith('#'));
      blocks.push({ kind: marker[1] as BlockKind, line: i + 1, commands });
    }
    i = end;
  }
  return blocks;
}

/** A command line without its trailing comment (two spaces or more, then `# `). */
export function withoutComment(command: string): string {
  return command.replace(/\s{2,}#\s.*$/, '').trim();
}

export interface ShellResult {
  code: number | null;
  output: string;
}

/** Run a line with bash as a user would type it; stdout and stderr together. */
export function shell(command: string, options: { cwd: string; timeoutMs: number }): Promise<ShellResult> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', command], { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => {
      output += `\n(killed after ${options.timeoutMs} ms)`;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}
