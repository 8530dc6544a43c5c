// The IPv6 index's lookup alone, timed: dir6.ts's writer, lib/fib6.h's
// lookup in bpf/bench/index6.o, driven over the fastpath bench's own 4096
// frames at each size, rounds alternated with the driven no-op, whose ns
// are taken off. Every destination must find its route, or there is no
// figure.
//   node dist/bench/index-timing.js [SIZES [ROUNDS]]
import { Dir6, LINE_WORDS } from '../dataplane/dir6.js';
import { fib6Memory } from '../dataplane/fib6-index.js';
import { addon } from '../dataplane/native.js';
import type { NativeProgram } from '../dataplane/native.js';
import { framesFor, loadDriverFrames, median, redirectVerdicts } from './fastpath.js';
import { benchObject } from './paths.js';
import { ipv6Table } from './prefixes.js';
import { spreadSeed } from './spread-flows.js';

const FRAMES = 4096;
const REPEAT = 1_000_000;

interface Programs {
  product: NativeProgram;
  noop: NativeProgram;
}

async function loadPrograms(opened: NativeProgram[]): Promise<Programs> {
  const open = async (object: string, name: string): Promise<NativeProgram> => {
    const p = new addon.XdpProgram(object, name, {});
    opened.push(p);
    await p.load();
    return p;
  };
  const product = await open(benchObject('index6'), 'xdp_fib6_index_driven');
  const noop = await open(benchObject('noop'), 'xdp_noop_driven');
  return { product, noop };
}

async function measure(programs: Programs, size: number, rounds: number): Promise<string> {
  const table = ipv6Table(size).map((p, i) => ({ ...p, value: i + 1 }));
  const { product } = programs;
  const memory = fib6Memory({ xr_fib6: product.map('xr_fib6'), xr_fib6_tbl24: product.map('xr_fib6_tbl24'), xr_fib6_lines: product.map('xr_fib6_lines') });
  const dir6 = new Dir6(memory);
  dir6.clear();
  for (const p of table) dir6.set(p.addr, p.length, p.value);
  const frames = framesFor(6, table, size, FRAMES, spreadSeed(6, size));
  const names = Object.keys(programs) as Array<keyof Programs>;
  for (const name of names) {
    const program = programs[name];
    await loadDriverFrames(program, frames);
    const before = redirectVerdicts(program);
    await program.testRun({ data: Buffer.alloc(64), repeat: FRAMES });
    const found = redirectVerdicts(program) - before;
    if (found !== BigInt(FRAMES)) throw new Error(`index-timing: ${name} found a route for ${found} of ${FRAMES} destinations`);
  }
  const ns: Record<keyof Programs, number[]> = { product: [], noop: [] };
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(round + k) % names.length]!;
      ns[name].push((await programs[name].testRun({ data: Buffer.alloc(64), repeat: REPEAT })).durationNs);
    }
  }
  const noop = median(ns.noop);
  const linesMiB = (dir6.usage().used * LINE_WORDS * Uint32Array.BYTES_PER_ELEMENT) / 2 ** 20;
  return `| ${size} | ${median(ns.product) - noop} (${ns.product.join('/')}) | ${noop} | ${dir6.usage().used} | ${linesMiB.toFixed(1)} |`;
}

async function main(): Promise<void> {
  const sizes = (process.argv[2] ?? '1000,100000,300000').split(',').map(Number);
  const rounds = Number(process.argv[3] ?? 5);
  if (sizes.some((n) => !Number.isInteger(n) || n < 1) || !Number.isInteger(rounds) || rounds < 1) {
    throw new Error('usage: node dist/bench/index-timing.js [SIZES (comma-separated prefix counts) [ROUNDS]]');
  }
  const opened: NativeProgram[] = [];
  try {
    const programs = await loadPrograms(opened);
    console.log('| prefixes | index, ns (runs) | harness ns | lines | their MiB |');
    console.log('| --- | --- | --- | --- | --- |');
    for (const size of sizes) console.log(await measure(programs, size, rounds));
  } finally {
    for (const p of opened.reverse()) p.close();
  }
}

await main();
