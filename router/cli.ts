// The xdp-router command line. Each subcommand is a module of its own;
// this file only dispatches and prints help.
import { readFileSync } from 'node:fs';
import { runLab } from './lab/main.js';

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const HELP = `usage: xdp-router COMMAND [OPTIONS]

An XDP fast path for a Linux router, kept equal to the kernel's tables.

commands:
  lab [--duration SECONDS]   build a namespace lab (host A - router - host B),
                             attach the fast path, send traffic, print counters
  --version                  print the version
  --help                     this text

exit codes: 0 success, 1 failure, 2 bad usage`;

const LAB_HELP = `usage: xdp-router lab [--duration SECONDS]

Creates namespaces xr-lab-a, xr-lab-r and xr-lab-b joined by veth pairs on
192.0.2.0/24, 198.51.100.0/24 and 2001:db8:a::/64, 2001:db8:b::/64, attaches
xdp_router to the router's interfaces through libxdp, fills its maps, turns
kernel forwarding off in the router, and sends ping and UDP across while
printing the fast path's counters every two seconds. Ctrl-C (or the end of
--duration) detaches the program and removes the namespaces.`;

function usage(message: string): number {
  process.stderr.write(`xdp-router: ${message}\n(see xdp-router --help)\n`);
  return 2;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${HELP}\n`);
    return command === undefined ? 2 : 0;
  }
  if (command === '--version' || command === '-V') {
    process.stdout.write(`xdp-router ${VERSION}\n`);
    return 0;
  }
  try {
    if (command === 'lab') {
      if (rest.includes('--help') || rest.includes('-h')) {
        process.stdout.write(`${LAB_HELP}\n`);
        return 0;
      }
      let duration = 0;
      for (let i = 0; i < rest.length; i++) {
        if (rest[i] === '--duration') {
          duration = Number(rest[++i]);
          if (!Number.isFinite(duration) || duration < 0) return usage(`--duration takes a number of seconds, not "${rest[i]}"`);
        } else {
          return usage(`lab: unknown option "${rest[i]}"`);
        }
      }
      return await runLab({ duration, out: process.stdout });
    }
    return usage(`unknown command "${command}"`);
  } catch (err) {
    const e = err as Error & { code?: string };
    process.stderr.write(`xdp-router: ${e.message}${e.code ? ` (${e.code})` : ''}\n`);
    return 1;
  }
}
