#!/usr/bin/env node
// The README's test command. Builds the renderer the browser suites load, runs every
// suite through Vitest, and ends with the tally CI reads, counted from Vitest's own
// JSON report: skipped tests are reported as skipped, never as passed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';

const report = '.tmp/vitest-report.json';
mkdirSync('.tmp', { recursive: true });
rmSync(report, { force: true });

const build = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { stdio: 'inherit' });
if (build.status !== 0) {
  console.error('The renderer did not build; the browser suites cannot run.');
}

const args = [
  'vitest',
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${report}`,
  ...process.argv.slice(2),
];
const run = spawnSync('npx', args, { stdio: 'inherit' });

let passed = 0,
  failed = 0,
  skipped = 0;
if (existsSync(report)) {
  const r = JSON.parse(readFileSync(report, 'utf8'));
  passed = r.numPassedTests;
  failed = r.numFailedTests;
  skipped = r.numPendingTests + r.numTodoTests;
  // A test file that fails to load runs no test; count it as one failure, not zero.
  for (const file of r.testResults ?? []) {
    if (file.status === 'failed' && (file.assertionResults ?? []).length === 0) failed += 1;
  }
  const skippedNames = (r.testResults ?? []).flatMap((f) =>
    (f.assertionResults ?? [])
      .filter((a) => a.status === 'pending' || a.status === 'skipped')
      .map((a) => a.fullName),
  );
  if (skippedNames.length) {
    console.log('\nSkipped, with the reason in each name:');
    for (const n of skippedNames) console.log(`  - ${n}`);
  }
} else {
  failed = Math.max(1, failed);
  console.error('Vitest wrote no report: counting the run as failed.');
}
if (build.status !== 0) failed += 1;
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || run.status !== 0 ? 1 : 0);
