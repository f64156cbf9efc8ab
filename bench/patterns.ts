// Role and hostname patterns: the worst case a typo can make, `*a*a*a*a*a*a*a*ab` against a
// 40-character name, with the linear matcher, and once with the regular expression it
// replaced (which backtracks for seconds) for comparison.
import { performance } from 'node:perf_hooks';
import { globMatches } from '../src/core/identity/glob';

const PATTERN = '*a*a*a*a*a*a*a*ab';
const NAME = 'a'.repeat(40);
const ROUNDS = 20_000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const runs: number[] = [];
for (let r = 0; r < 7; r++) {
  const t0 = performance.now();
  for (let i = 0; i < ROUNDS; i++) globMatches(PATTERN, NAME);
  runs.push(((performance.now() - t0) * 1000) / ROUNDS);
}
console.log(
  `linear matcher, ${PATTERN} vs a 40-character name: median ${median(runs).toFixed(2)} µs`,
);

const body = PATTERN.replace(/\*/g, '.*');
const t0 = performance.now();
new RegExp(`^${body}$`, 'i').test(NAME);
console.log(
  `the regular expression it replaced, once: ${Math.round((performance.now() - t0) * 1000)} µs`,
);
