// No import cycles among the daemon's modules, type-only imports included: a
// cycle means two modules that cannot be read, tested or moved apart, and an
// evaluation order that depends on which one is imported first.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../dataplane/package-root.js';

const ROOT = packageRoot();
const SCANNED = ['dataplane', 'router', 'config'];

/** `import ... from`, `import type ... from`, `export ... from` and a bare `import '...'`, across lines. */
const STATIC_IMPORT = /^\s*(?:import|export)\s(?:[^'";]*?\sfrom\s*)?['"]([^'"]+)['"]/gm;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The scanned modules each file imports by a relative path (./x.js names x.ts). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of SCANNED.flatMap((dir) => sources(join(ROOT, dir)))) {
    const targets = [...readFileSync(file, 'utf8').matchAll(STATIC_IMPORT)]
      .map((m) => m[1]!)
      .filter((spec) => spec.startsWith('.'))
      .map((spec) => resolve(dirname(file), spec).replace(/\.js$/, '.ts'))
      .filter((target) => existsSync(target));
    graph.set(relative(ROOT, file), [...new Set(targets.map((t) => relative(ROOT, t)))]);
  }
  return graph;
}

/** Every cycle closed by a back edge of a depth-first walk, as "a -> b -> a". */
function cycles(graph: Map<string, string[]>): string[] {
  const found: string[] = [];
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (node: string): void => {
    const open = path.indexOf(node);
    if (open >= 0) {
      found.push([...path.slice(open), node].join(' -> '));
      return;
    }
    if (done.has(node)) return;
    path.push(node);
    for (const next of graph.get(node) ?? []) visit(next);
    path.pop();
    done.add(node);
  };
  for (const node of [...graph.keys()].sort()) visit(node);
  return found;
}

describe('the import graph of dataplane/, router/ and config/', () => {
  it('reads the imports it should (a check of the parser)', () => {
    const graph = importGraph();
    expect(graph.get('router/routes/errors.ts')).toContain('router/sync/netlink-error.ts');
    expect(graph.get('config/schema.ts')).toContain('config/log-levels.ts');
    expect(graph.get('router/log.ts')).toContain('config/log-levels.ts');
  });

  it('has no cycle', () => {
    expect(cycles(importGraph())).toEqual([]);
  });

  it('lets metrics, the API and the status reader see the daemon only through its read-only view (router/status/view.ts)', () => {
    const graph = importGraph();
    const reporters = [...graph.keys()].filter((f) => f === 'router/metrics.ts' || f.startsWith('router/api/') || f.startsWith('router/status/'));
    expect(reporters).toContain('router/api/backends.ts');
    expect(reporters.filter((f) => graph.get(f)!.includes('router/daemon.ts'))).toEqual([]);
  });
});
