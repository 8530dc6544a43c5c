// `npm run bench -- [PART...] [OPTIONS]`: run the benchmarks, print the
// tables, write bench/results/ and BENCHMARKS.md's latest results.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { installSignalHandlers } from './cleanup.js';
import { FASTPATH_DEFAULTS, runFastpath } from './fastpath.js';
import { FULL_TABLE } from './prefixes.js';
import type { FastpathOptions } from './fastpath.js';
import { FORWARD_DEFAULTS, runForward } from './forward.js';
import { PATH_NAMES } from './forward-results.js';
import type { ForwardOptions } from './forward-results.js';
import { GENERATOR_CHOICES } from './generator-choice.js';
import type { GeneratorChoice } from './generator-choice.js';
import { GRPC_DEFAULTS, runGrpc } from './grpc.js';
import type { GrpcOptions } from './grpc.js';
import { describeMachine } from './machine.js';
import { progress } from './progress.js';
import { latestTargets, PARTS, updateBenchmarksDoc, writePart } from './results.js';
import { partMarkdown } from './report.js';
import type { PartName, PartResults, RunInfo } from './report.js';
import { waitForQuiet } from './settle.js';
import { SYNC_DEFAULTS, runSync } from './sync.js';
import type { SyncOptions } from './sync.js';

const HELP = `usage: npm run bench -- [PART...] [OPTIONS]

PART: fastpath, forward, sync, grpc (afxdp: forward, whose table has the
AF_XDP slow path beside XDP and the kernel); none runs them all (about 40
minutes on 2 cores, the forward's IPv6 spread searches and the sync's full table most of it). Results: a table on stdout; bench/results/PART.{json,md}
(fastpath.svg too); BENCHMARKS.md's latest-results section.

options:
  --sizes4 N,N,...   fastpath: IPv4 FIB sizes (default ${FASTPATH_DEFAULTS.sizes4.join(',')})
  --sizes6 N,N,...   fastpath: IPv6 FIB sizes (default ${FASTPATH_DEFAULTS.sizes6.join(',')})
  --repeat N         fastpath: repetitions per test run (default ${FASTPATH_DEFAULTS.repeat})
  --no-full-table    fastpath: skip the full-table rows (${FULL_TABLE.ipv4} IPv4 and
                     ${FULL_TABLE.ipv6} IPv6 prefixes of the global tables' mix, loaded at once)
  --seconds N        forward: seconds per case (default ${FORWARD_DEFAULTS.seconds})
  --rounds N         forward: rounds per table, each path once a round in a
                     rotating order; a row is the best round (default ${FORWARD_DEFAULTS.rounds})
  --trial-seconds N  forward: seconds per trial of the throughput search, the
                     generator paced (default ${FORWARD_DEFAULTS.trialSeconds}; 0: the flood alone)
  --loss F           forward: the loss a trial passes with, a fraction of
                     what was sent (default ${FORWARD_DEFAULTS.lossTolerance})
  --generator G      forward: live (live frames), afxdp (an AF_XDP socket's
                     transmit ring) or auto: live frames unless the machine
                     refuses them (default ${FORWARD_DEFAULTS.generator})
  --paths P,P,...    forward: only these paths: ${Object.keys(PATH_NAMES).join(', ')}
                     (slowpath: the AF_XDP slow path's rows alone, at 1k routes);
                     a partial run prints its tables and writes no results
  --routes4 N        sync: IPv4 prefixes of the full-table profile (default ${SYNC_DEFAULTS.ipv4})
  --routes6 N        sync: IPv6 prefixes (default ${SYNC_DEFAULTS.ipv6})
  --churn-seconds N  sync: how long the churn runs (default ${SYNC_DEFAULTS.churnSeconds}, at
                     ${SYNC_DEFAULTS.churnRate} changes/s)
  --routes-per-message N
                     grpc: routes per message of the AddRoutes stream (default
                     ${GRPC_DEFAULTS.routesPerMessage}; 1: one route per message, as a client of
                     AddRouteRequest's shape sends them)
  --no-profile       skip the perf profiles
  --quick            small sizes, short cases (forward: 1k routes only): a
                     smoke run, not figures; it prints its tables and writes
                     no results
  --help`;

interface Plan {
  parts: PartName[];
  fastpath: FastpathOptions;
  forward: ForwardOptions;
  sync: SyncOptions;
  grpc: GrpcOptions;
  /** false for --quick: a smoke run prints its tables but leaves the committed results alone */
  write: boolean;
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

function atLeastZero(text: string | undefined, what: string): number {
  const v = Number(text);
  if (text === undefined || text.trim() === '' || !Number.isFinite(v) || v < 0) throw new UsageError(`${what} takes a number of 0 or more`);
  return v;
}

export function parseArgs(args: string[]): Plan | 'help' {
  const plan: Plan = { parts: [], fastpath: { ...FASTPATH_DEFAULTS }, forward: { ...FORWARD_DEFAULTS }, sync: { ...SYNC_DEFAULTS }, grpc: { ...GRPC_DEFAULTS }, write: true };
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
      case '--no-full-table':
        plan.fastpath.fullTable = false;
        break;
      case '--seconds':
        plan.forward.seconds = positive(value(), a);
        break;
      case '--rounds':
        plan.forward.rounds = positive(value(), a);
        break;
      case '--trial-seconds':
        plan.forward.trialSeconds = atLeastZero(value(), a);
        break;
      case '--loss': {
        const loss = atLeastZero(value(), a);
        if (loss >= 1) throw new UsageError(`${a} takes a fraction of the frames sent, below 1 (0.001 is 0.1%), not ${loss}`);
        plan.forward.lossTolerance = loss;
        break;
      }
      case '--generator': {
        const g = value();
        if (!(GENERATOR_CHOICES as Array<string | undefined>).includes(g)) throw new UsageError(`${a} takes ${GENERATOR_CHOICES.join(', ')}`);
        plan.forward.generator = g as GeneratorChoice;
        break;
      }
      case '--paths': {
        const names = (value() ?? '').split(',');
        const unknown = names.filter((n) => !(n in PATH_NAMES));
        if (unknown.length > 0) throw new UsageError(`${a} takes ${Object.keys(PATH_NAMES).join(', ')} separated by commas, not "${unknown.join(',')}"`);
        plan.forward.paths = names.map((n) => PATH_NAMES[n]!);
        // only the slow path: it is measured at 1k routes alone
        if (plan.forward.paths.every((p) => p === 'xdp-router slow path')) plan.forward.fullTable = false;
        plan.write = false;
        break;
      }
      case '--routes4':
      case '--routes6':
        plan.sync[a === '--routes4' ? 'ipv4' : 'ipv6'] = positive(value(), a);
        break;
      case '--churn-seconds':
        plan.sync.churnSeconds = positive(value(), a);
        break;
      case '--routes-per-message':
        plan.grpc.routesPerMessage = positive(value(), a);
        break;
      case '--no-profile':
        plan.fastpath.profile = false;
        plan.forward.profile = false;
        break;
      case '--quick':
        Object.assign(plan.fastpath, { sizes4: [1_000, 10_000], sizes6: [1_000], repeat: 200_000, rounds: 1, fullTable: false });
        plan.forward.seconds = 1;
        plan.forward.trialSeconds = 0.5;
        plan.forward.rounds = 1;
        plan.forward.fullTable = false;
        Object.assign(plan.sync, { ipv4: 10_000, ipv6: 3_000, churnSeconds: 5 });
        Object.assign(plan.grpc, { calls: 100, bulkRoutes: 10_000 });
        plan.write = false;
        break;
      case 'afxdp':
        // the AF_XDP forward handler is measured beside XDP and the kernel in `forward`
        plan.parts.push('forward');
        break;
      default:
        if (!(PARTS as string[]).includes(a)) throw new UsageError(`unknown part or option "${a}"`);
        plan.parts.push(a as PartName);
    }
  }
  plan.parts = PARTS.filter((p) => plan.parts.length === 0 || plan.parts.includes(p));
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
  const started = performance.now();
  if (plan.parts.length > 1) {
    // each part in a process of its own: what one leaves behind (a heap of a
    // million prefixes, its garbage collection on the generator's core) must
    // not weigh on the next one's figures
    const options = args.filter((a) => !(PARTS as string[]).includes(a));
    for (const part of plan.parts) {
      const code = await runChild([fileURLToPath(import.meta.url), part, ...options], `npm run bench${args.length ? ` -- ${args.join(' ')}` : ''}`);
      if (code !== 0) return code;
    }
  } else {
    installSignalHandlers();
    await runOnePart(plan.parts[0]!, plan, process.env[COMMAND_ENV] ?? `npm run bench -- ${args.join(' ')}`);
    if (process.env[COMMAND_ENV]) return 0; // the parent reports the targets
  }
  if (!plan.write) {
    progress(`done in ${((performance.now() - started) / 1000).toFixed(0)} s; a --quick or --paths run writes no results`);
    return 0;
  }
  const targets = latestTargets();
  if (targets) process.stdout.write(`\n${targets}\n`);
  updateBenchmarksDoc();
  progress(`done in ${((performance.now() - started) / 1000).toFixed(0)} s; results in bench/results/`);
  return 0;
}

/** the command line a child reports as the run's (the parent's) */
const COMMAND_ENV = 'XRB_BENCH_COMMAND';

async function runOnePart(part: PartName, plan: Plan, command: string): Promise<void> {
  const waited = await waitForQuiet();
  progress(`${part}: starting${waited > 3000 ? ` (waited ${(waited / 1000).toFixed(0)} s for the CPUs to go idle)` : ''}`);
  const t0 = performance.now();
  const result = await runPart(part, plan);
  const run: RunInfo = { machine: describeMachine(), date: new Date().toISOString(), command, seconds: (performance.now() - t0) / 1000 };
  process.stdout.write(`\n${plan.write ? writePart(part, result, run) : partMarkdown(part, result)}\n`);
}

function runChild(args: string[], command: string): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: 'inherit', env: { ...process.env, [COMMAND_ENV]: command } });
    // the child cleans up after itself on a signal; wait for it to have done so
    const pass = (signal: NodeJS.Signals): void => {
      child.kill(signal);
    };
    process.on('SIGINT', pass);
    process.on('SIGTERM', pass);
    child.on('exit', (code) => {
      process.off('SIGINT', pass);
      process.off('SIGTERM', pass);
      resolve(code ?? 1);
    });
  });
}

process.exitCode = await main(process.argv.slice(2));
