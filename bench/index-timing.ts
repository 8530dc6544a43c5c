// The IPv6 index's lookup alone, timed: the product's layout (dir6.ts's
// writer, lib/fib6.h's lookup) against the candidate of index6-candidate.ts
// (lines of sparse and bitmap nodes), both in bpf/bench/index6.o, driven
// over the fastpath bench's own 4096 frames at each size, rounds
// alternated, the driven no-op's ns taken off. Every destination must get
// the same answer from both layouts, or there is no figure.
//   node dist/bench/index-timing.js [SIZES [ROUNDS]]
import { Dir6, GROUP_SIZE } from '../dataplane/dir6.js';
import { fib6Memory } from '../dataplane/fib6-index.js';
import { addon } from '../dataplane/native.js';
import type { NativeProgram } from '../dataplane/native.js';
import { framesFor, loadDriverFrames, median, redirectVerdicts } from './fastpath.js';
import { buildCandidate6, readCandidate6 } from './index6-candidate.js';
import { benchObject } from './paths.js';
import { ipv6Table } from './prefixes.js';
import { spreadSeed } from './spread-flows.js';

const FRAMES = 4096;
const REPEAT = 1_000_000;
const IPV6_DST_OFFSET = 14 + 24;
/** the driver's maps: each program its own frames and counts */
const DRIVER_MAPS = new Set(['xrb_frames', 'xrb_verdicts']);

interface Programs {
  product: NativeProgram;
  candidate: NativeProgram;
  noop: NativeProgram;
}

async function loadPrograms(opened: NativeProgram[]): Promise<Programs> {
  const open = async (object: string, name: string, shareWith?: NativeProgram): Promise<NativeProgram> => {
    const p = new addon.XdpProgram(object, name, {});
    opened.push(p);
    if (shareWith) for (const map of shareWith.mapNames()) if (!DRIVER_MAPS.has(map)) p.reuseMap(map, shareWith.map(map));
    await p.load();
    return p;
  };
  const product = await open(benchObject('index6'), 'xdp_fib6_index_driven');
  const candidate = await open(benchObject('index6'), 'xdp_candidate6_index_driven', product);
  const noop = await open(benchObject('noop'), 'xdp_noop_driven');
  return { product, candidate, noop };
}

async function measure(programs: Programs, size: number, rounds: number): Promise<string> {
  const table = ipv6Table(size).map((p, i) => ({ ...p, value: i + 1 }));
  const { product } = programs;
  const memory = fib6Memory({ xr_fib6: product.map('xr_fib6'), xr_fib6_tbl24: product.map('xr_fib6_tbl24'), xr_fib6_tbl8: product.map('xr_fib6_tbl8') });
  const dir6 = new Dir6(memory);
  dir6.clear();
  for (const p of table) dir6.set(p.addr, p.length, p.value);
  const built = buildCandidate6(table);
  const tbl24 = new Uint32Array(product.map('xrb_cand_tbl24').memory());
  const lines = new Uint32Array(product.map('xrb_cand_lines').memory());
  if (built.lines.length > lines.length) throw new Error(`index-timing: the candidate needs ${built.lineCount} lines, index6.c has room for ${lines.length / 16}`);
  tbl24.set(built.tbl24);
  lines.fill(0);
  lines.set(built.lines);
  const frames = framesFor(6, table, size, FRAMES, spreadSeed(6, size));
  for (const frame of frames) {
    const addr = frame.subarray(IPV6_DST_OFFSET, IPV6_DST_OFFSET + 16);
    const want = Dir6.read(memory, addr);
    const got = readCandidate6({ tbl24, lines }, addr);
    if (got !== want) throw new Error(`index-timing: ${Buffer.from(addr).toString('hex')}: the candidate answers ${got}, dir6 ${want}`);
  }
  const names = Object.keys(programs) as Array<keyof Programs>;
  for (const name of names) {
    const program = programs[name];
    await loadDriverFrames(program, frames);
    const before = redirectVerdicts(program);
    await program.testRun({ data: Buffer.alloc(64), repeat: FRAMES });
    const found = redirectVerdicts(program) - before;
    if (found !== BigInt(FRAMES)) throw new Error(`index-timing: ${name} found a route for ${found} of ${FRAMES} destinations`);
  }
  const ns: Record<keyof Programs, number[]> = { product: [], candidate: [], noop: [] };
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(round + k) % names.length]!;
      ns[name].push((await programs[name].testRun({ data: Buffer.alloc(64), repeat: REPEAT })).durationNs);
    }
  }
  const noop = median(ns.noop);
  const groupsMiB = (dir6.usage().used * GROUP_SIZE * 4) / 2 ** 20;
  const linesMiB = (built.lineCount * 64) / 2 ** 20;
  return `| ${size} | ${median(ns.product) - noop} (${ns.product.join('/')}) | ${median(ns.candidate) - noop} (${ns.candidate.join('/')}) | ${noop} | ${groupsMiB.toFixed(1)} | ${linesMiB.toFixed(1)} |`;
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
    console.log('| prefixes | product index, ns (runs) | candidate, ns (runs) | harness ns | groups MiB | candidate lines MiB |');
    console.log('| --- | --- | --- | --- | --- | --- |');
    for (const size of sizes) console.log(await measure(programs, size, rounds));
  } finally {
    for (const p of opened.reverse()) p.close();
  }
}

await main();
