// @ts-check
/**
 * `npm run mutation`: does a test notice when the code is changed? Stryker changes one
 * thing at a time in the core's decision files and runs their unit tests; a change no test
 * fails on is a gap (or an equivalent change, listed in the README). Not part of CI: it
 * takes many minutes, so it runs on one core.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts' },
  coverageAnalysis: 'perTest',
  concurrency: 1,
  timeoutMS: 20_000,
  // A mutant in a module-level constant needs every test re-run with a fresh import; on
  // this machine that is most of the time. They are counted apart ("ignored").
  ignoreStatic: true,
  mutate: [
    'src/core/sanctions/evaluate.ts',
    'src/core/identity/user.ts',
    'src/core/identity/roles.ts',
    'src/core/identity/glob.ts',
    'src/core/unlock/throttle.ts',
    'src/core/agreements/due.ts',
    'src/core/policy/bundle.ts',
    'src/core/time/trusted-time.ts',
  ],
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: '.tmp/mutation/report.json' },
  tempDirName: '.tmp/stryker',
  thresholds: { high: 90, low: 80, break: null },
};
