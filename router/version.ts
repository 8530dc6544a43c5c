// The package's version, for --version and the status API.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../dataplane/package-root.js';

export const VERSION = (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
