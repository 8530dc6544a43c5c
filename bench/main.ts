// `npm run bench -- [PART...] [OPTIONS]`: run the benchmarks, print the
// tables, write bench/results/ and BENCHMARKS.md's latest results.
import { installSignalHandlers } from './cleanup.js';
import { FASTPATH_DEFAULTS, runFastpath } from './fastpath.js';
import type { FastpathOptions } from './fastpath.js';
import { FORWARD_DEFAULTS, runForward } from './forward.js';
import type { ForwardOptions } from './forward.js';
import { GRPC_DEFAULTS, runGrpc } from './grpc.js';
import type { GrpcOptions } from './grpc.js';
import { describeMachine } from './machine.js';
import { progress } from './progress.js';
import { latestTargets, PARTS, updateBenchmarksDoc, writePart } from './results.js';
import type { PartName, PartResults, RunInfo } from './report.js';
import { SYNC_DEFAULTS, runSync } from './sync.js';
import type { SyncOptions } from './sync.js';

const HELP = `usage: npm run bench -- [PART...] [OPTIONS]

PART: fastpath, forward, sync, grpc; none runs them all (under 10 minutes
on 2 cores). Results: a table on stdout; bench/results/PART.{json,md}
(fastpath.svg too); BENCHMARKS.md's latest-results section.

options:
  --sizes4 N,N,...   fastpath: IPv4 FIB sizes (default ${FASTPATH_DEFAULTS.sizes4.join(',')})
  --sizes6 N,N,...   fastpath: IPv6 FIB sizes (default ${FASTPATH_DEFAULTS.sizes6.join(',')})
  --repeat N         fastpath: repetitions per test run (default ${FASTPATH_DEFAULTS.repeat})
  --seconds N        forward: seconds per case (default ${FORWARD_DEFAULTS.seconds})
  --routes N         sync: IPv4 routes to install (default ${SYNC_DEFAULTS.routes})
  --no-profile       skip the perf profiles
  --quick            small sizes, short cases: a smoke run, not figures
  --help`;

interface Plan {
  parts: PartName[];
  fastpath: FastpathOptions;
  forward: ForwardOptions;
  sync: SyncOptions;
  grpc: GrpcOptions;
}

class UsageError extends Error {}

function numberList(text: string | undefined, what: string): number[] {
  const values = (text ?? '').split(',').map(Number);
  if (values.length === 0 || values.some((v) => !Number.isInteger(v) || v < 1)) throw new UsageError(`${what} takes positive integers separated by commas`);
  return values;
}

function positive(text: string | undefined, what: string): number {
  const v = Number(text);
  if (!Number.isInteger(v) || v < 1) throw new UsageError(`${what} takes a positive integer`);
  return v;
}

export function parseArgs(args: string[]): Plan | 'help' {
  const plan: Plan = { parts: [], fastpath: { ...FASTPATH_DEFAULTS }, forward: { ...FORWARD_DEFAULTS }, sync: { ...SYNC_DEFAULTS }, grpc: { ...GRPC_DEFAULTS } };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const value = (): string | undefined => args[++i];
    switch (a) {
      case '--help':
      case '-h':
        return 'help';
      case '--sizes4':
        plan.fastpath.sizes4 = numberList(value(), a);
        break;
      case '--sizes6':
        plan.fastpath.sizes6 = numberList(value(), a);
        break;
      case '--repeat':
        plan.fastpath.repeat = positive(value(), a);
        break;
      case '--seconds':
        plan.forward.seconds = positive(value(), a);
        break;
      case '--routes':
        plan.sync.routes = positive(value(), a);
        break;
      case '--no-profile':
        plan.fastpath.profile = false;
        plan.forward.profile = false;
        break;
      case '--quick':
        Object.assign(plan.fastpath, { sizes4: [1_000, 10_000], sizes6: [1_000], repeat: 200_000, rounds: 1 });
        plan.forward.seconds = 2;
        plan.sync.routes = 10_000;
        plan.grpc = { calls: 100, bulkRoutes: 10_000 };
        break;
      default:
        if (!(PARTS as string[]).includes(a)) throw new UsageError(`unknown part or option "${a}"`);
        plan.parts.push(a as PartName);
    }
  }
  if (plan.parts.length === 0) plan.parts = [...PARTS];
  return plan;
}

async function runPart(part: PartName, plan: Plan): Promise<PartResults[PartName]> {
  switch (part) {
    case 'fastpath':
      return runFastpath(plan.fastpath);
    case 'forward':
      return runForward(plan.forward);
    case 'sync':
      return runSync(plan.sync);
    default:
      return runGrpc(plan.grpc);
  }
}

async function main(args: string[]): Promise<number> {
  let plan: Plan | 'help';
  try {
    plan = parseArgs(args);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`bench: ${err.message}\n\n${HELP}\n`);
    return 2;
  }
  if (plan === 'help') {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (process.getuid?.() !== 0) {
    process.stderr.write('bench: run as root: namespaces, XDP and BPF need it\n');
    return 1;
  }
  installSignalHandlers();
  const machine = describeMachine();
  const command = `npm run bench${args.length ? ` -- ${args.join(' ')}` : ''}`;
  const started = performance.now();
  for (const part of plan.parts) {
    progress(`${part}: starting`);
    const t0 = performance.now();
    const result = await runPart(part, plan);
    const run: RunInfo = { machine, date: new Date().toISOString(), command, seconds: (performance.now() - t0) / 1000 };
    process.stdout.write(`\n${writePart(part, result, run)}\n`);
  }
  const targets = latestTargets();
  if (targets) process.stdout.write(`\n${targets}\n`);
  updateBenchmarksDoc();
  progress(`done in ${((performance.now() - started) / 1000).toFixed(0)} s; results in bench/results/`);
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
