// The commented example configuration, config/example.yaml: every key with
// its default, and the optional ones written switched off as "#key: value"
// (no space after the "#", unlike a comment). `xdp-router install` ships it
// and docs/config.md is generated from it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../dataplane/package-root.js';

export const EXAMPLE_CONFIG_FILE = join(packageRoot(), 'config', 'example.yaml');

export function readExampleConfig(): string {
  return readFileSync(EXAMPLE_CONFIG_FILE, 'utf8');
}

/** The example with its switched-off settings switched on; comments stay comments, lines stay where they were. */
export function switchOptionalsOn(text: string): string {
  return text.replace(/^(\s*)#(?=[^\s#])/gm, '$1');
}
