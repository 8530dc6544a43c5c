// A strict reader of a YAML document that knows where each value stands:
// it walks the YAML nodes rather than the plain object they make, so every
// refusal can name the file, the line and the key path, say what it found
// and what would have been accepted, and guess at a misspelt word. What the
// values mean is for the readers of each section (config/*-reader.ts).
import { LineCounter, isAlias, isMap, isNode, isScalar, isSeq, parseDocument, type Document, type Node } from 'yaml';
import { didYouMean } from './did-you-mean.js';

export interface ConfigLocation {
  file: string;
  /** key path such as `interfaces[1].mode`; '' for the document itself */
  path: string;
  line?: number;
  column?: number;
}

export class ConfigError extends Error {
  readonly file: string;
  readonly path: string;
  readonly line: number | undefined;
  readonly column: number | undefined;
  /** the message without its location: "found ..., expected ...; hint" */
  readonly problem: string;

  constructor(at: ConfigLocation, problem: string) {
    const where = at.line !== undefined ? `${at.file}:${at.line}:${at.column ?? 1}` : at.file;
    super(`${where}: ${at.path || 'top level'}: ${problem}`);
    this.name = 'ConfigError';
    this.file = at.file;
    this.path = at.path;
    this.line = at.line;
    this.column = at.column;
    this.problem = problem;
  }
}

/** A value in the document and the key path that leads to it. */
export interface Site {
  path: string;
  /** the value's node, aliases resolved; null where there is none (a missing key, an empty file) */
  node: Node | null;
  /** where an error about it points: the value itself, or the map it is missing from */
  offset: number | undefined;
}

export class Reader {
  private constructor(
    private readonly file: string,
    private readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
  ) {}

  /** Parse `text`; a syntax error is a ConfigError at its place. `file` only names it in errors. */
  static open(text: string, file: string): Reader {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
    const syntax = doc.errors[0];
    if (syntax) {
      const offset = syntax.pos[0];
      const problem =
        syntax.code === 'DUPLICATE_KEY'
          ? 'found this key a second time, expected each key once'
          : `not valid YAML: ${syntax.message}`;
      throw new ConfigError({ file, path: pathAt(doc.contents, offset, ''), ...position(lines, offset) }, problem);
    }
    return new Reader(file, doc, lines);
  }

  root(): Site {
    return this.site('', this.doc.contents, 0);
  }

  fail(site: Site, found: string, expected: string, hint?: string): never {
    const at = { file: this.file, path: site.path, ...position(this.lines, site.offset) };
    throw new ConfigError(at, `found ${found}, expected ${expected}${hint ? `; ${hint}` : ''}`);
  }

  /** The map's entries by key; any key not in `keys` is refused. */
  fields<K extends string>(site: Site, keys: readonly K[], expected: string): Partial<Record<K, Site>> {
    const map = site.node;
    if (!isMap(map)) return this.fail(site, describe(map), expected);
    const out: Partial<Record<K, Site>> = {};
    for (const pair of map.items) {
      const keySite = this.site(site.path, pair.key, site.offset);
      const key = isScalar(pair.key) ? pair.key.value : undefined;
      if (typeof key !== 'string') this.fail(keySite, `a key that is ${describe(keySite.node)}`, `a key name: ${keys.join(', ')}`);
      const path = site.path ? `${site.path}.${key}` : key;
      if (!isOneOf(key, keys)) {
        this.fail({ ...keySite, path }, `unknown key ${quote(key)}`, `one of ${keys.join(', ')}`, didYouMean(key, keys));
      }
      out[key] = this.site(path, pair.value, keySite.offset);
    }
    return out;
  }

  /** A key that must be there; when it is not, the error points at the map. */
  need(parent: Site, site: Site | undefined, key: string, expected: string): Site {
    return site ?? this.fail(this.missing(parent, key), `no "${key}" key`, expected);
  }

  missing(parent: Site, key: string): Site {
    return { path: parent.path ? `${parent.path}.${key}` : key, node: null, offset: parent.offset };
  }

  list(site: Site, expected: string): Site[] {
    const seq = site.node;
    if (!isSeq(seq)) return this.fail(site, describe(seq), expected);
    return seq.items.map((item, i) => this.site(`${site.path}[${i}]`, item, site.offset));
  }

  text(site: Site, expected: string): string {
    const value = scalarValue(site.node);
    return typeof value === 'string' ? value : this.fail(site, describe(site.node), expected);
  }

  /** `what` names the value; the range is added to it in the error. */
  integer(site: Site, min: number, max: number, what: string): number {
    const value = scalarValue(site.node);
    if (typeof value === 'number' && isIntegerIn(value, min, max)) return value;
    return this.fail(site, describe(site.node), `${what}, an integer ${min}..${max}`);
  }

  flag(site: Site): boolean {
    const value = scalarValue(site.node);
    if (typeof value === 'boolean') return value;
    // YAML 1.1 habits: the 1.2 core schema reads these as text
    const habit = typeof value === 'string' && /^(yes|no|on|off|y|n)$/i.test(value);
    return this.fail(site, describe(site.node), 'true or false', habit ? 'YAML 1.2 reads yes/no/on/off as text' : undefined);
  }

  choice<T extends string>(site: Site, options: readonly T[]): T {
    const expected = `one of ${options.join(', ')}`;
    const value = this.text(site, expected);
    return isOneOf(value, options) ? value : this.fail(site, describe(site.node), expected, didYouMean(value, options));
  }

  /** A number in [min, max] or one of the names, which stand for numbers. */
  numberOrName(site: Site, names: Readonly<Record<string, number>>, min: number, max: number, what: string, unknownHint: string): number {
    const expected = `${what}: an integer ${min}..${max} or one of ${Object.keys(names).join(', ')}`;
    const value = scalarValue(site.node);
    if (typeof value !== 'string') return this.integer(site, min, max, expected);
    const byName = names[value];
    return byName ?? this.fail(site, describe(site.node), expected, didYouMean(value, Object.keys(names)) ?? unknownHint);
  }

  /** Refuses a key already read elsewhere; `seen` maps keys to the path they were first read at. */
  unique<K>(seen: Map<K, string>, key: K, site: Site, shown: string): void {
    const first = seen.get(key);
    if (first !== undefined) this.fail(site, `${shown} a second time (first at ${first})`, 'each one listed once');
    seen.set(key, site.path);
  }

  private site(path: string, node: unknown, fallbackOffset: number | undefined): Site {
    // An alias is reported where it is used, not where its anchor is.
    const offset = isNode(node) ? (node.range?.[0] ?? fallbackOffset) : fallbackOffset;
    const resolved = isAlias(node) ? node.resolve(this.doc) : node;
    return { path, node: isNode(resolved) ? resolved : null, offset };
  }
}

/** The largest kernel u32 (a table id, the hash seed), a bound for integer(). */
export const U32_MAX = 2 ** 32 - 1;

/** The value read from `site`, or `fallback` where the key is absent. */
export function or<T>(site: Site | undefined, read: (s: Site) => T, fallback: T): T {
  return site ? read(site) : fallback;
}

export function isIntegerIn(value: number, min: number, max: number): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}

export function scalarValue(node: Node | null): unknown {
  return isScalar(node) ? node.value : undefined;
}

/** Text as an error message shows it: in quotes, a long one cut short. */
export function quote(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text);
}

/** What a node is, in the words of an error message. */
export function describe(node: Node | null): string {
  if (isMap(node)) return 'a map';
  if (isSeq(node)) return 'a list';
  const value = scalarValue(node);
  if (value === null || value === undefined) return 'nothing';
  if (typeof value === 'string') return `the text ${quote(value)}`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return `the ${typeof value} ${String(value)}`;
  return `a ${typeof value}`;
}

function isOneOf<T extends string>(value: string, options: readonly T[]): value is T {
  return (options as readonly string[]).includes(value);
}

/** The key path of the deepest node around `offset`, to place a syntax error. */
function pathAt(node: unknown, offset: number, path: string): string {
  const covers = (n: unknown) => isNode(n) && n.range != null && n.range[0] <= offset && offset <= n.range[2];
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isScalar(pair.key)) continue;
      const inner = `${path ? `${path}.` : ''}${String(pair.key.value)}`;
      if (covers(pair.key)) return inner;
      if (covers(pair.value)) return pathAt(pair.value, offset, inner);
    }
  }
  if (isSeq(node)) {
    const i = node.items.findIndex(covers);
    if (i >= 0) return pathAt(node.items[i], offset, `${path}[${i}]`);
  }
  return path;
}

function position(lines: LineCounter, offset: number | undefined): { line?: number; column?: number } {
  if (offset === undefined) return {};
  const { line, col } = lines.linePos(offset);
  return { line, column: col };
}
