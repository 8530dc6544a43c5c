// docs/config.md: the configuration reference. Keys and their explanations
// come from config/example.yaml and the schema (config-keys.ts); the
// refusal shown is the reader's own, made on the spot.
import { readExampleConfig } from '../../config/example.js';
import { ConfigError, parseConfig } from '../../config/schema.js';
import { DEFAULT_CONFIG_FILE } from '../../router/commands/load-config.js';
import { configKeys, type ConfigKey, type KeyDefault } from './config-keys.js';
import { code, document, generatedNotice, link, table, text } from './markdown.js';

/** A file the reader refuses, to show what a refusal looks like. */
export const REFUSED_EXAMPLE = 'interfaces: [eth0]\nlogLevel: warning\n';
/** A line of `xdp-router --help`, which a test holds this copy to. */
export const EXIT_CODES = 'exit codes: 0 success, 1 failure (or differences, for verify), 2 bad usage or config';

export function renderConfigDocs(exampleText: string = readExampleConfig()): string {
  const keys = configKeys(exampleText);
  return document([
    generatedNotice('config/example.yaml and config/schema.ts'),
    '',
    '# Configuration reference',
    '',
    `The daemon reads its configuration from ${code(DEFAULT_CONFIG_FILE)}, or from the file given with ${code('--config FILE')}.`,
    "It is YAML (1.2: `yes` and `no` are text, not true and false). [config/example.yaml](../config/example.yaml) is a commented file with every key; `xdp-router install` puts it in place.",
    'This reference is generated from that file\'s comments and from the reader in [config/schema.ts](../config/schema.ts).',
    '',
    ...checkingSection(),
    ...keysSection(keys),
  ]);
}

function checkingSection(): string[] {
  return [
    '## How the file is checked',
    '',
    'There is no separate check command: `xdp-router run`, `stop` and `verify` each read and check the whole file before they touch anything, and stop at the first problem.',
    'Unknown keys are refused like wrong values (with a suggestion when a known key is close), because a misspelt key left at its default is a router doing something other than what its operator wrote.',
    "A refusal names the file, line and column, the key's path, what was found and what was expected:",
    '',
    '```console',
    `$ xdp-router run --config ${DEFAULT_CONFIG_FILE}`,
    `xdp-router: ${refusalOf(REFUSED_EXAMPLE, DEFAULT_CONFIG_FILE)}`,
    '```',
    '',
    `As ${code('xdp-router --help')} puts it, ${code(EXIT_CODES)}.`,
    '',
  ];
}

/** The reader's refusal of `text` read as `file`; throws when the reader takes it. */
export function refusalOf(text: string, file: string): string {
  try {
    parseConfig(text, file);
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
  throw new Error(`the reader takes the file meant to show a refusal: ${JSON.stringify(text)}`);
}

function keysSection(keys: readonly ConfigKey[]): string[] {
  const heading = (k: ConfigKey) => code(k.path);
  const summary = keys.map((k) => [link(code(k.path), heading(k)), text(k.accepts), shortDefault(k.default)]);
  return [
    '## Keys',
    '',
    'A key path joins keys with dots; `[]` stands for each item of a list (`punt[].port` is the `port` of every punt rule).',
    '*Type* is what the reader accepts, in the words of its refusals. *Default*: what leaving the key out means, as the reader takes it:',
    'the value shown; *required*, the file is refused without it; *unset*, optional and nothing takes its place; *section*, the defaults of the keys inside.',
    '',
    ...table(['Key', 'Type', 'Default'], summary),
    '',
    ...keys.flatMap((k) => [`### ${heading(k)}`, '', ...details(k, keys), '']),
  ];
}

/** The nearest key around `k` that the example explains, for a key it explains only with the others. */
function explainedWith(k: ConfigKey, keys: readonly ConfigKey[]): ConfigKey | undefined {
  const outer = k.path.replace(/(\[\])?\.[^.[]+$/, '');
  const around = keys.find((o) => o.path === outer);
  if (!around || around === k) return undefined;
  return around.comment.length > 0 ? around : explainedWith(around, keys);
}

function shortDefault(d: KeyDefault): string {
  switch (d.kind) {
    case 'value':
      return code(d.yaml);
    case 'section':
      return 'section';
    case 'unset':
      return 'unset';
    case 'required':
      return 'required';
  }
}

function details(k: ConfigKey, keys: readonly ConfigKey[]): string[] {
  const d = k.default;
  const lines = [`- Type: ${text(k.accepts)}`];
  if (d.kind === 'required') lines.push(`- Default: none, required; without it: ${text(d.refusal)}`);
  else lines.push(`- Default: ${shortDefault(d)}`);
  if (d.kind !== 'value' && k.example !== undefined) lines.push(`- Example: ${code(k.example)}`);
  const around = k.comment.length > 0 ? undefined : explainedWith(k, keys);
  const explanation = around ? [`Described under ${link(code(around.path), code(around.path))}.`] : k.comment.map(text);
  return [...lines, '', ...explanation.flatMap((p) => [p, ''])];
}
