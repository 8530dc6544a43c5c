// `npm run docs`: write the generated references (docs/api.md,
// docs/config.md) again from the .proto, the example config and the schema.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { REFERENCES, referencePath } from './references.js';

for (const reference of REFERENCES) {
  const path = referencePath(reference.file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, reference.render());
  process.stdout.write(`wrote ${reference.file}\n`);
}
