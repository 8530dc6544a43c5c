// The files a run leaves: per part, JSON and Markdown under bench/results/
// (and the fast path's plot), and BENCHMARKS.md's latest-results section,
// rebuilt from whatever parts bench/results/ holds.
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT, RESULTS_DIR } from './paths.js';
import { fastpathSvg } from './plot.js';
import { checkTargets, machineLine, partMarkdown, targetsMarkdown } from './report.js';
import type { PartName, PartResults, RunInfo } from './report.js';

export const PARTS: PartName[] = ['fastpath', 'forward', 'sync', 'grpc'];

interface PartFile<K extends PartName> {
  run: RunInfo;
  part: K;
  result: PartResults[K];
}

const BEGIN = '<!-- latest results: written by `npm run bench`, do not edit by hand -->';
const END = '<!-- end of latest results -->';

/** Write one part's JSON and Markdown (and the plot); returns the Markdown. */
export function writePart<K extends PartName>(part: K, result: PartResults[K], run: RunInfo): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file: PartFile<K> = { run, part, result };
  writeFileSync(join(RESULTS_DIR, `${part}.json`), `${JSON.stringify(file, null, 2)}\n`);
  let md = `${partMarkdown(part, result)}\n\nMeasured on: ${machineLine(run)}\n`;
  if (part === 'fastpath') {
    writeFileSync(join(RESULTS_DIR, 'fastpath.svg'), fastpathSvg(result as PartResults['fastpath'], `xdp-router vs bpf_fib_lookup, ns per packet (${run.date.slice(0, 10)})`));
    md += '\n![ns per packet against FIB size](fastpath.svg)\n';
  }
  writeFileSync(join(RESULTS_DIR, `${part}.md`), md);
  return md;
}

function readPart<K extends PartName>(part: K): PartFile<K> | undefined {
  const path = join(RESULTS_DIR, `${part}.json`);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as PartFile<K>) : undefined;
}

/** Targets over the latest result of every part, as Markdown. */
export function latestTargets(): string {
  const parts: Partial<PartResults> = {};
  const fp = readPart('fastpath');
  if (fp) parts.fastpath = fp.result;
  const fw = readPart('forward');
  if (fw) parts.forward = fw.result;
  const grpc = readPart('grpc');
  if (grpc) parts.grpc = grpc.result;
  return targetsMarkdown(checkTargets(parts));
}

/** Replace BENCHMARKS.md's latest-results section with the parts bench/results/ holds. */
export function updateBenchmarksDoc(): void {
  const doc = join(PACKAGE_ROOT, 'BENCHMARKS.md');
  if (!existsSync(doc)) return;
  const text = readFileSync(doc, 'utf8');
  const begin = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  if (begin < 0 || end < begin) return;
  const sections: string[] = [];
  for (const part of PARTS) {
    const md = existsSync(join(RESULTS_DIR, `${part}.md`)) ? readFileSync(join(RESULTS_DIR, `${part}.md`), 'utf8') : '';
    // the doc sits at the root: the plot is under bench/results/
    if (md) sections.push(md.replace('](fastpath.svg)', '](bench/results/fastpath.svg)').trim());
  }
  const targets = latestTargets();
  if (targets) sections.push(targets);
  writeFileSync(doc, `${text.slice(0, begin + BEGIN.length)}\n\n${sections.join('\n\n')}\n\n${text.slice(end)}`);
}
