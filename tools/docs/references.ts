// The generated references: where each is written and what makes it.
import { join } from 'node:path';
import { packageRoot } from '../../dataplane/package-root.js';
import { renderApiDocs } from './api.js';
import { renderConfigDocs } from './config.js';

export interface Reference {
  /** from the package root */
  file: string;
  render: () => string;
}

export const REFERENCES: readonly Reference[] = [
  { file: 'docs/api.md', render: () => renderApiDocs() },
  { file: 'docs/config.md', render: () => renderConfigDocs() },
];

/** A file of the package, such as `docs/api.md`, by its absolute path. */
export function referencePath(file: string): string {
  return join(packageRoot(), file);
}
