import { readFileSync } from 'node:fs';
import { parseConfig } from '../../config/schema.js';
import type { RouterConfig } from '../../config/schema.js';

/** Where the daemon and the commands look for the config when not told. */
export const DEFAULT_CONFIG_FILE = '/etc/xdp-router/config.yaml';

/** Read and validate the config file; a missing file is an error naming it. */
export function loadConfig(file: string): RouterConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read config file ${file}: ${(err as Error).message}`);
  }
  return parseConfig(text, file);
}
