#!/usr/bin/env -S node --min-semi-space-size=16
// Entry point: the compiled CLI (run `npm run build` first). The shebang's
// flags are the daemon's (router/node-flags.ts).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/router/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  process.stderr.write('xdp-router: dist/ is missing; run `npm run build` in the package directory first\n');
  process.exit(1);
}
const { main } = await import(cli.href);
process.exitCode = await main(process.argv.slice(2));
