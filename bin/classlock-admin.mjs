#!/usr/bin/env node
// The IT tool. `npm install` builds dist/ (the package's prepare script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/admin/cli.mjs', import.meta.url));
if (!existsSync(cli)) {
  console.error('classlock-admin is not built yet: run `npm run build` in the Classlock folder first.');
  process.exit(2);
}
const { main } = await import(cli);
process.exitCode = await main(process.argv.slice(2));
