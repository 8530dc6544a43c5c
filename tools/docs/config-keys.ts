// The keys of the configuration file, each with what it accepts, its
// default and the example's explanation of it. Which keys exist comes from
// the schema (CONFIG_KEYS), the explanations from the comments above them in
// config/example.yaml. What a key accepts and what leaving it out means are
// asked of the reader itself, by feeding it the example with that one key
// changed: written down here, they would drift from what it does.
import { isDeepStrictEqual } from 'node:util';
import { LineCounter, isMap, isScalar, isSeq, parseDocument, stringify, type YAMLMap } from 'yaml';
import { switchOptionalsOn } from '../../config/example.js';
import { CONFIG_KEYS, ConfigError, parseConfig, type RouterConfig } from '../../config/schema.js';
import { paragraphs } from './markdown.js';

export type KeyDefault =
  /** leaving the key out is the same as writing this (one line of YAML) */
  | { kind: 'value'; yaml: string }
  /** a map whose keys have defaults of their own */
  | { kind: 'section' }
  /** optional, and nothing takes its place */
  | { kind: 'unset' }
  /** the reader refuses the file without it, with this problem */
  | { kind: 'required'; refusal: string };

export interface ConfigKey {
  /** such as `api.tcp.tls.clientCa`; `[]` is each item of a list, as in `punt[].port` */
  path: string;
  /** what the reader expects there, in the words of its refusals */
  accepts: string;
  default: KeyDefault;
  /** the example's value as one line of YAML; undefined for a map */
  example: string | undefined;
  /** the paragraphs of the example's comment above the key */
  comment: string[];
}

/** Every key path the schema accepts, in its `[]` notation. */
export function schemaKeyPaths(): string[] {
  return Object.entries(CONFIG_KEYS).flatMap(([section, keys]) => keys.map((key) => (section ? `${section}.${key}` : key)));
}

/** The keys in the order the example shows them. */
export function configKeys(exampleText: string): ConfigKey[] {
  const onText = switchOptionalsOn(exampleText);
  const lineCounter = new LineCounter();
  const doc = parseDocument(onText, { lineCounter });
  if (doc.errors.length > 0 || !isMap(doc.contents)) throw new Error(`the example, optional keys switched on, is not a YAML map: ${doc.errors[0]?.message ?? ''}`);
  const writtenLines = exampleText.split('\n');
  const found = occurrences(doc.contents, (offset) => lineCounter.linePos(offset).line - 1, writtenLines);
  checkAgainstSchema(found);
  const bases: Bases = { written: plain(parseDocument(exampleText).toJS()), on: plain(doc.toJS()) };
  const onLines = onText.split('\n');
  const paths = [...new Set(found.map((o) => o.path))];
  return paths.map((path) => {
    const all = found.filter((o) => o.path === path);
    const first = all[0]!;
    const value = valueAt(bases.on, first.steps);
    return {
      path,
      accepts: accepts(first, bases.on),
      default: defaultOf(all, bases),
      example: first.isMap ? undefined : oneLine(value),
      comment: all.map((o) => commentAbove(onLines, o.line)).find((c) => c.length > 0) ?? [],
    };
  });
}

/** Plain data, as YAML reads it. */
type Plain = string | number | boolean | null | Plain[] | { [key: string]: Plain };
type PlainMap = { [key: string]: Plain };
/** Where a value is: keys and list indices from the top. */
type Steps = readonly (string | number)[];

/** The example as written, and with its switched-off keys switched on. */
interface Bases {
  written: Plain;
  on: Plain;
}

/** One place the example writes a key; a key of list items can have several. */
interface Occurrence {
  path: string;
  steps: Steps;
  /** the key's line, from 0 */
  line: number;
  isMap: boolean;
  /** written "#key: value" in the example */
  switchedOff: boolean;
}

function occurrences(root: YAMLMap, lineOf: (offset: number) => number, writtenLines: readonly string[]): Occurrence[] {
  const out: Occurrence[] = [];
  const visit = (map: YAMLMap, section: string, steps: Steps): void => {
    for (const pair of map.items) {
      const keyNode = pair.key;
      const key = isScalar(keyNode) ? keyNode.value : undefined;
      if (!isScalar(keyNode) || typeof key !== 'string' || !keyNode.range) throw new Error(`the example has a key that is not text under ${section || 'the top'}`);
      const path = section ? `${section}.${key}` : key;
      const here = [...steps, key];
      const line = lineOf(keyNode.range[0]);
      out.push({ path, steps: here, line, isMap: isMap(pair.value), switchedOff: /^\s*#/.test(writtenLines[line] ?? '') });
      if (isMap(pair.value)) visit(pair.value, path, here);
      if (isSeq(pair.value)) {
        pair.value.items.forEach((item, i) => {
          if (isMap(item)) visit(item, `${path}[]`, [...here, i]);
        });
      }
    }
  };
  visit(root, '', []);
  return out;
}

function checkAgainstSchema(found: readonly Occurrence[]): void {
  const schema = schemaKeyPaths();
  const unknown = found.filter((o) => !schema.includes(o.path)).map((o) => o.path);
  if (unknown.length > 0) throw new Error(`config/example.yaml shows ${unknown.join(', ')}, which config/schema.ts does not accept`);
  const missing = schema.filter((path) => !found.some((o) => o.path === path));
  if (missing.length > 0) {
    throw new Error(`config/example.yaml does not show ${missing.join(', ')}: add each with a comment, written "#key: value" when optional`);
  }
}

function commentAbove(lines: readonly string[], line: number): string[] {
  const comment: string[] = [];
  for (let i = line - 1; i >= 0 && /^\s*#/.test(lines[i]!); i--) comment.unshift(lines[i]!.replace(/^\s*#\s?/, ''));
  return paragraphs(comment);
}

// Values the reader refuses, tried in turn: '?' is no valid value for most
// keys, and the keys that take any text (names) refuse a map.
const PROBES: readonly Plain[] = ['?', {}];
const PROBE_FILE = 'probe.yaml';

function accepts(o: Occurrence, on: Plain): string {
  for (const probe of PROBES) {
    const refused = refusal(edit(on, o.steps, (map, key) => (map[key] = probe)));
    if (!refused) continue;
    if (refused.path !== stepsText(o.steps)) {
      throw new Error(`${o.path}: given ${JSON.stringify(probe)}, the reader refused ${refused.path} instead: ${refused.problem}`);
    }
    const expected = /^found .+?, expected (.+?)(?:; .*)?$/s.exec(refused.problem)?.[1];
    if (expected === undefined) throw new Error(`${o.path}: a refusal not in the form "found ..., expected ...": ${refused.problem}`);
    return expected;
  }
  throw new Error(`${o.path}: the reader takes every probe value (${PROBES.map((p) => JSON.stringify(p)).join(', ')}); add one it refuses`);
}

/**
 * What leaving the key out means, asked of the reader: the example without
 * it refused (required), read the same (the example shows the default), or
 * read otherwise (unset). A switched-off key is left out of the example with
 * the optional keys switched on, the others out of the example as written.
 * A key of list items is required only when no item can do without it.
 */
function defaultOf(all: readonly Occurrence[], bases: Bases): KeyDefault {
  const refusals: ConfigError[] = [];
  for (const o of all) {
    const base = o.switchedOff ? bases.on : bases.written;
    if (valueAt(base, o.steps) === undefined) throw new Error(`${o.path}: the example as written has no ${stepsText(o.steps)}`);
    const without = edit(base, o.steps, (map, key) => delete map[key]);
    const refused = refusal(without);
    if (refused) {
      refusals.push(refused);
      continue;
    }
    if (!isDeepStrictEqual(read(without), read(base))) return { kind: 'unset' };
    return o.isMap ? { kind: 'section' } : { kind: 'value', yaml: oneLine(valueAt(base, o.steps)) };
  }
  // the refusal that names the key itself, rather than another key that needs it
  const own = refusals.find((e, i) => e.path === stepsText(all[i]!.steps)) ?? refusals[0]!;
  return { kind: 'required', refusal: own.problem };
}

function read(value: Plain): RouterConfig {
  return parseConfig(stringify(value), PROBE_FILE);
}

function refusal(value: Plain): ConfigError | undefined {
  try {
    read(value);
    return undefined;
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
}

function plain(value: unknown): Plain {
  // toJS() of a document parsed without errors: nothing but plain data
  return value as Plain;
}

function isPlainMap(value: Plain | undefined): value is PlainMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function valueAt(base: Plain, steps: Steps): Plain | undefined {
  let node: Plain | undefined = base;
  for (const step of steps) {
    if (typeof step === 'number') node = Array.isArray(node) ? node[step] : undefined;
    else node = isPlainMap(node) ? node[step] : undefined;
  }
  return node;
}

/** A copy of `base` with `change` made to the map holding the last step. */
function edit(base: Plain, steps: Steps, change: (map: PlainMap, key: string) => void): Plain {
  const copy = structuredClone(base);
  const map = valueAt(copy, steps.slice(0, -1));
  const key = steps.at(-1);
  if (!isPlainMap(map) || typeof key !== 'string') throw new Error(`no map holds ${stepsText(steps)}`);
  change(map, key);
  return copy;
}

/** Steps as the reader writes a key path: `api.tcp.listen`, `punt[1].port`. */
function stepsText(steps: Steps): string {
  return steps.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

function oneLine(value: Plain | undefined): string {
  return stringify(value, { collectionStyle: 'flow', lineWidth: 0 }).trim();
}
