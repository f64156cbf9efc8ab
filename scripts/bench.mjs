#!/usr/bin/env node
// `npm run bench`: runs every benchmark under bench/ in turn and prints their figures.
// Benchmarks measure; tests never time anything.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const only = process.argv.slice(2);
const files = readdirSync('bench')
  .filter((f) => f.endsWith('.ts') && !f.startsWith('_'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();
let failed = 0;
for (const f of files) {
  console.log(`\n== ${f}`);
  const r = spawnSync('npx', ['tsx', `bench/${f}`], {
    stdio: 'inherit',
    env: { ...process.env, npm_config_loglevel: 'error' },
  });
  if (r.status !== 0) {
    failed++;
    console.log(`(${f} failed with exit code ${r.status})`);
  }
}
process.exit(failed ? 1 : 0);
