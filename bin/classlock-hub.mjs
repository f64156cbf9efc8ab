#!/usr/bin/env node
// The school's hub server. `npm install` builds dist/ (the package's prepare script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const hub = fileURLToPath(new URL('../dist/hub/hub.mjs', import.meta.url));
if (!existsSync(hub)) {
  console.error(
    'classlock-hub is not built yet: run `npm run build` in the Classlock folder first.',
  );
  process.exit(2);
}
const { main } = await import(hub);
process.exitCode = await main(process.argv.slice(2));
