// The xdp-router command line. Each subcommand lives in router/commands/
// (the daemon's lifecycle) or router/cli/ (clients of the running daemon's
// API); this file parses the arguments, dispatches and prints help.
import { ConfigError } from '../config/schema.js';
import { API_COMMANDS, processIo } from './cli/main.js';
import { UsageError } from './cli/usage.js';
import { DEFAULT_CONFIG_FILE, loadConfig } from './commands/load-config.js';
import { startDaemon } from './commands/run.js';
import { stopDaemon } from './commands/stop.js';
import { formatDifferences, formatReadings, verifyFastPath } from './commands/verify.js';
import { install } from './commands/install.js';
import { runLab } from './lab/main.js';
import { VERSION } from './version.js';

const HELP = `usage: xdp-router COMMAND [OPTIONS]

An XDP fast path for a Linux router, kept equal to the kernel's tables.

commands:
  run [--config FILE]        run the daemon in the foreground (SIGTERM stops it cleanly)
  stop [--config FILE]       stop the running daemon: XDP detached, the kernel forwards alone
  verify [--config FILE]     compare the fast path's maps with the kernel's tables
  install [--root DIR]       put the systemd unit, the example config, the
                             rt_protos name and the command on the PATH in place
  lab [--duration SECONDS]   the namespace lab: host A - router - host B, the daemon
                             on the router, traffic across, live counters

commands that ask the running daemon, over its gRPC API:
  route add|replace|del|list|get|watch
                             routes, in iproute2's words; add and del change the
                             kernel and return once the fast path has the change
  neigh                      the neighbours, and which the fast path uses
  stats [--watch]            the fast path's counters, per reason and interface
  status                     health, table sizes, attached interfaces
  punt add|del|list          the rules that send traffic to the slow path (AF_XDP)
  capture [-w FILE] [-c N]   the punted frames, as lines or a pcap file
  --version                  print the version
  --help                     this text; COMMAND --help for a command's

FILE defaults to ${DEFAULT_CONFIG_FILE}; config/example.yaml documents every key.
exit codes: 0 success, 1 failure (or differences, for verify), 2 bad usage or config`;

const COMMAND_HELP: Record<string, string> = {
  run: `usage: xdp-router run [--config FILE]

Loads the fast path (adopting maps pinned by a previous run), mirrors the
kernel's links, addresses, routes and neighbours into it over rtnetlink,
and attaches it to the configured interfaces. Logs one JSON line per event
(human-readable on a terminal). SIGTERM or SIGINT: detach, remove the pins,
exit 0. kill -9 leaves the program attached and forwarding; the next run
adopts it without a gap.`,
  stop: `usage: xdp-router stop [--config FILE]

Sends SIGTERM to the daemon running with FILE and waits until it has
detached XDP and exited.`,
  verify: `usage: xdp-router verify [--config FILE]

Dumps the kernel's tables and the fast path's maps and prints every
difference (routes, neighbours, interfaces, local addresses) that holds in
three readings 200 ms apart (both sides cannot be read at one instant, so a
change in flight is not reported). Exit 0 when they agree, 1 when they differ.`,
  install: `usage: xdp-router install [--root DIR]

Writes the systemd unit (/etc/systemd/system/xdp-router.service, running this
package with this node), the example config (/etc/xdp-router/config.yaml,
never over an existing one) and the iproute2 name of the route protocol
(/etc/iproute2/rt_protos.d/xdp-router.conf), and links
/usr/local/bin/xdp-router to this package's command (an earlier link is
replaced, a real file kept). --root writes under DIR instead of /
(packaging).`,
  lab: `usage: xdp-router lab [--duration SECONDS]

Creates namespaces xr-lab-a, xr-lab-r and xr-lab-b joined by veth pairs on
192.0.2.0/24, 198.51.100.0/24, 2001:db8:a::/64 and 2001:db8:b::/64, runs
the daemon on xr-lab-r's interfaces, sends ping and UDP across and prints
the fast path's counters every two seconds. The daemon serves the API on
the default socket and /metrics on the default address, so the other
commands reach it with no options. The router has no route to B's
203.0.113.0/24 yet: add it with \`xdp-router route add\`. Ctrl-C (or the
end of --duration) stops the daemon and removes the namespaces.`,
};

function parseOptions(args: string[], allowed: Record<string, 'value' | 'flag'>): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const kind = allowed[a];
    if (!kind) throw new UsageError(`unknown option "${a}"`);
    if (kind === 'flag') out.set(a, 'true');
    else {
      const v = args[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value`);
      out.set(a, v);
    }
  }
  return out;
}

async function dispatch(command: string, args: string[]): Promise<number> {
  const client = API_COMMANDS[command];
  // these print their own help: `route add --help` is route's
  if (client) return client.run(args, processIo);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${COMMAND_HELP[command]}\n`);
    return 0;
  }
  if (command === 'install') {
    const opts = parseOptions(args, { '--root': 'value' });
    const result = install(opts.get('--root') ?? '/');
    for (const f of result.written) process.stdout.write(`wrote ${f}\n`);
    for (const f of result.kept) process.stdout.write(`kept ${f} (exists; not overwritten)\n`);
    process.stdout.write('next: list your interfaces in /etc/xdp-router/config.yaml, then `systemctl daemon-reload && systemctl enable --now xdp-router`\n');
    return 0;
  }
  if (command === 'lab') {
    const opts = parseOptions(args, { '--duration': 'value' });
    const duration = Number(opts.get('--duration') ?? 0);
    if (!Number.isFinite(duration) || duration < 0) throw new UsageError(`--duration takes a number of seconds, not "${opts.get('--duration')}"`);
    return runLab({ duration, out: process.stdout });
  }
  const opts = parseOptions(args, { '--config': 'value', '-c': 'value' });
  const config = loadConfig(opts.get('--config') ?? opts.get('-c') ?? DEFAULT_CONFIG_FILE);
  switch (command) {
    case 'run': {
      const handle = await startDaemon(config);
      await handle.stopped;
      return 0;
    }
    case 'stop': {
      const pid = await stopDaemon(config);
      process.stdout.write(`xdp-router (pid ${pid}) stopped\n`);
      return 0;
    }
    case 'verify': {
      const result = await verifyFastPath(config);
      process.stderr.write(formatReadings(result));
      process.stdout.write(formatDifferences(result.differences));
      return result.differences.length === 0 ? 0 : 1;
    }
  }
  throw new UsageError(`unknown command "${command}"`);
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
  if (!(command in COMMAND_HELP) && !(command in API_COMMANDS)) {
    process.stderr.write(`xdp-router: unknown command "${command}"\n(see xdp-router --help)\n`);
    return 2;
  }
  try {
    return await dispatch(command, rest);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`xdp-router ${command}: ${err.message}\n(see xdp-router ${command} --help)\n`);
      return 2;
    }
    if (err instanceof ConfigError) {
      process.stderr.write(`xdp-router: ${err.message}\n`);
      return 2;
    }
    const e = err as Error & { code?: string };
    process.stderr.write(`xdp-router: ${e.message}${e.code && !e.message.includes(e.code) ? ` (${e.code})` : ''}\n`);
    return 1;
  }
}
