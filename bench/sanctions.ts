// Sanction evaluation at school-trust scale: building the index for 10,000 sanctions (done
// once per policy) and one user's lookup (done at login and on every clock tick).
import { performance } from 'node:perf_hooks';
import type { Sanction } from '../src/core/policy/schema';
import { parseUser } from '../src/core/identity/user';
import { SanctionIndex } from '../src/core/sanctions/evaluate';

const COUNT = 10_000;
const sanctions: Sanction[] = Array.from({ length: COUNT }, (_, i) => ({
  id: `s${i}`,
  user: i % 3 === 0 ? `SCHOOL\\pupil${i % 7000}` : `pupil${i % 7000}`,
  scope: i % 5 === 0 ? 'network' : 'internet',
  kind: i % 50 === 0 ? 'parentalOptOut' : 'sanction',
  // A mix of date-only ends (many sharing a day), exact instants and permanent ones.
  until:
    i % 4 === 0
      ? undefined
      : i % 4 === 1
        ? `2026-12-${String((i % 28) + 1).padStart(2, '0')}`
        : new Date(Date.UTC(2026, 11, 1) + i * 60_000).toISOString(),
  reason: 'Breach of the acceptable use agreement',
  issuedBy: 'IT office',
  issuedAt: '2026-11-20T09:00:00Z',
}));
const policy = { sanctions, timeZone: 'Europe/London' };

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

const builds: number[] = [];
let index = new SanctionIndex(policy);
for (let i = 0; i < 30; i++) {
  const t0 = performance.now();
  index = new SanctionIndex(policy);
  builds.push(performance.now() - t0);
}

const users = Array.from({ length: 1000 }, (_, i) => parseUser(`SCHOOL\\Pupil${i * 7}`));
const at = Date.parse('2026-12-02T10:00:00Z');
let sink = 0;
const rounds: number[] = [];
for (let r = 0; r < 21; r++) {
  const t0 = performance.now();
  for (const u of users) sink += index.statusFor(u, at).active.length;
  rounds.push(((performance.now() - t0) * 1000) / users.length);
}

console.log(
  `sanctions: index ${COUNT.toLocaleString('en-GB')} sanctions, median ${median(builds).toFixed(2)} ms (30 runs)`,
);
console.log(
  `sanctions: one user's status, median ${median(rounds).toFixed(2)} µs (21 rounds of 1,000 users; ${sink} active seen)`,
);
