import { defineConfig } from 'vitest/config';

// The unit tests that cover the seven core files `npm run mutation` mutates: Stryker runs
// these per mutant, so nothing slow (browsers, slapd, child processes, the session flows
// with their real scrypt hashing) belongs here: each file is tested directly.
export default defineConfig({
  test: {
    include: [
      'test/unit/agreements-throttle.test.ts',
      'test/unit/identity.test.ts',
      'test/unit/identity-glob.test.ts',
      'test/unit/policy-bundle.test.ts',
      'test/unit/policy-sanction-check.test.ts',
      'test/unit/sanction-evaluate.test.ts',
      'test/unit/trusted-time.test.ts',
    ],
    environment: 'node',
    testTimeout: 60_000,
  },
});
