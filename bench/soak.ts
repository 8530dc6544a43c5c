// `npm run soak -- restart [N]`: N kill -9 restarts of the daemon in a row,
// each under a 20,000 packet/s UDP stream A -> B with kernel forwarding off
// (only XDP can carry it), printing each restart's loss and where every
// lost datagram went (sender, router, receiver), from the kernel's own drop
// counters. It exits 1 if any restart lost anything.
import { formatLoss, lossBetween, lossCounters } from '../router/lab/loss.js';
import type { LossCounters } from '../router/lab/loss.js';
import { ping, udpStream } from '../router/lab/traffic.js';
import { setKernelForwarding } from '../router/lab/topology.js';
import { installSignalHandlers } from './cleanup.js';
import { describeMachine } from './machine.js';
import { sleep } from './progress.js';
import { withRouterLab } from './router-lab.js';

const HELP = `usage: npm run soak -- restart [N] [--rate PPS] [--seconds S]

restart: N kill -9 restarts of xdp-router in a row (default 20) on the
namespace lab, each under a UDP stream A -> B of PPS packets/s (default
20000) lasting S seconds (default 3, the kill one second in), with kernel
forwarding off so only XDP carries it. Prints each restart's loss, split by
who dropped it (every drop counter on the path is read), and exits 1 if
any restart lost a datagram.`;

interface SoakOptions {
  restarts: number;
  rate: number;
  seconds: number;
}

function parse(argv: string[]): SoakOptions | undefined {
  const [what, ...rest] = argv;
  if (what !== 'restart') return undefined;
  const options: SoakOptions = { restarts: 20, rate: 20_000, seconds: 3 };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    const value = (): number => {
      const v = Number(rest[++i]);
      if (!Number.isInteger(v) || v < 1) throw new Error(`${arg} takes a positive integer`);
      return v;
    };
    if (arg === '--rate') options.rate = value();
    else if (arg === '--seconds') options.seconds = Math.max(2, value());
    else if (/^\d+$/.test(arg) && Number(arg) >= 1) options.restarts = Number(arg);
    else throw new Error(`unknown argument "${arg}"`);
  }
  return options;
}

const nothingLost = (loss: LossCounters): boolean => Object.values(loss).every((stage) => Object.keys(stage).length === 0);

async function soakRestarts(options: SoakOptions): Promise<number> {
  const machine = describeMachine();
  process.stdout.write(`soak restart: ${options.restarts} kill -9 restarts under ${options.rate} packets/s, ${options.seconds} s each, kernel forwarding off\n`);
  process.stdout.write(
    `machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Linux ${machine.kernel}, node ${machine.node}; ` +
      'generator: node dgram sender in host A, C receiver (tools/udp-sink) in host B\n',
  );
  return withRouterLab(`xrs-${process.pid}`, async ({ lab, daemon, fp }) => {
    let failed = 0;
    try {
      // B resolved while the kernel still forwards; from then on only XDP does
      if ((await ping(lab.a.ns, lab.b.v4, 2)) === 0) throw new Error('host B does not answer ping through the lab');
      await setKernelForwarding(lab, false);
      for (let round = 1; round <= options.restarts; round++) {
        const before = await lossCounters(lab, () => fp.counters());
        const stream = udpStream(lab.a.ns, lab.b.ns, lab.b.v4, options.rate * options.seconds, options.rate);
        await sleep(1000);
        const restartMs = await daemon.crashAndRestart();
        const r = await stream;
        const loss = lossBetween(before, await lossCounters(lab, () => fp.counters()));
        const lost = r.sent - r.unique;
        if (lost > 0 || r.dropped > 0 || !nothingLost(loss)) failed++;
        process.stdout.write(
          `restart ${String(round).padStart(2)}/${options.restarts}: sent ${r.sent}, received ${r.unique}, lost ${lost}; ` +
            `back in sync ${(restartMs / 1000).toFixed(2)} s after the kill; drops: ${formatLoss(loss)}\n`,
        );
      }
    } finally {
      await setKernelForwarding(lab, true);
    }
    process.stdout.write(`${options.restarts - failed} of ${options.restarts} restarts lost nothing\n`);
    return failed === 0 ? 0 : 1;
  });
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  let options: SoakOptions | undefined;
  try {
    options = parse(argv);
  } catch (err) {
    process.stderr.write(`soak: ${(err as Error).message}\n${HELP}\n`);
    return 2;
  }
  if (!options) {
    process.stderr.write(`${HELP}\n`);
    return 2;
  }
  installSignalHandlers();
  return soakRestarts(options);
}

process.exitCode = await main();
