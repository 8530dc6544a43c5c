// Where the benchmark finds the project's files, from the source tree and
// from dist/bench once compiled.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PACKAGE_ROOT = (() => {
  const here = dirname(fileURLToPath(import.meta.url));
  return existsSync(join(here, '..', 'package.json')) ? join(here, '..') : join(here, '..', '..');
})();

export type BenchObject = 'fib_ref' | 'index6' | 'noop' | 'redirect_all' | 'router_driven' | 'sink' | 'traffic_gen';

/** a BPF object of bpf/bench/ */
export function benchObject(name: BenchObject): string {
  return join(PACKAGE_ROOT, 'bpf', 'bench', `${name}.o`);
}

export const CLI = join(PACKAGE_ROOT, 'bin', 'xdp-router.js');
export const RESULTS_DIR = join(PACKAGE_ROOT, 'bench', 'results');
