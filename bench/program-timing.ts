// xdp-router's program timed to a hundredth of a nanosecond, to weigh one
// build against another: BPF_PROG_TEST_RUN reports whole nanoseconds per
// repetition, too coarse for a change of one or two, so each driven run is
// wall-clocked over its repetitions instead (the call's own cost, some
// microseconds, is spread over millions). The fastpath benchmark's namespace
// and frames at 1,000 routes of each family, one destination and the
// spread, rounds alternated with the driven no-op, whose time is taken off.
// The host's slow episodes only ever add time, so each program's lowest
// round is the figure they touch least; the medians are printed beside.
// Every frame must be forwarded, or there is no figure.
//   node dist/bench/program-timing.js [ROUNDS [REPEAT]]
import { deleteNetns } from '../router/lab/netns.js';
import { installSignalHandlers, onInterrupt } from './cleanup.js';
import { drivenRun, framesFor, loadDriverFrames, median } from './fastpath.js';
import type { ProgramName } from './fastpath.js';
import { FibNamespace } from './fib-namespace.js';
import { ipv4Table, ipv6Table } from './prefixes.js';
import { spreadSeed } from './spread-flows.js';

const ROUTES = 1000;
const FRAMES = 4096;

type Timed = Extract<ProgramName, 'xdpRouter' | 'noop'>;

/** the lowest and the median of each over the rounds, who goes first alternating */
async function timed(fib: FibNamespace, frames: Buffer[], rounds: number, repeat: number, what: string): Promise<Record<'lowest' | 'median', Record<Timed, number>>> {
  const names: Timed[] = ['xdpRouter', 'noop'];
  for (const name of names) await loadDriverFrames(fib.programs[name], frames);
  const ns: Record<Timed, number[]> = { xdpRouter: [], noop: [] };
  for (let round = 0; round < rounds; round++) {
    for (const name of round % 2 ? [...names].reverse() : names) ns[name].push((await drivenRun(fib, name, repeat, `program-timing: ${what}`)).wallNs);
  }
  return {
    lowest: { xdpRouter: Math.min(...ns.xdpRouter), noop: Math.min(...ns.noop) },
    median: { xdpRouter: median(ns.xdpRouter), noop: median(ns.noop) },
  };
}

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 7);
  const repeat = Number(process.argv[3] ?? 3_000_000);
  if (!Number.isInteger(rounds) || rounds < 1 || !Number.isInteger(repeat) || repeat < FRAMES) {
    throw new Error(`usage: node dist/bench/program-timing.js [ROUNDS (at least 1) [REPEAT (at least ${FRAMES})]]`);
  }
  installSignalHandlers();
  const ns = `xrb-timing-${process.pid}`;
  const release = onInterrupt(() => deleteNetns(ns));
  const fib = await FibNamespace.create(ns);
  try {
    const table4 = ipv4Table(ROUTES);
    const table6 = ipv6Table(ROUTES);
    await fib.grow4(table4, ROUTES);
    await fib.grow6(table6, ROUTES);
    console.log(`| family | traffic | xdp-router ns, lowest (the no-op's taken off) | median | no-op ns, lowest | median |`);
    console.log('| --- | --- | --- | --- | --- | --- |');
    for (const [family, table] of [[4, table4], [6, table6]] as const) {
      const spread = framesFor(family, table, ROUTES, FRAMES, spreadSeed(family, ROUTES));
      for (const [traffic, frames] of [['one destination', new Array<Buffer>(FRAMES).fill(spread[0]!)], ['spread', spread]] as const) {
        const { lowest, median: mid } = await timed(fib, frames, rounds, repeat, `IPv${family} ${traffic}`);
        console.log(`| IPv${family} | ${traffic} | ${(lowest.xdpRouter - lowest.noop).toFixed(2)} | ${(mid.xdpRouter - mid.noop).toFixed(2)} | ${lowest.noop.toFixed(2)} | ${mid.noop.toFixed(2)} |`);
      }
    }
  } finally {
    await fib.destroy();
    release();
  }
}

await main();
