// Verify + parse + index a large signed policy (10,000 sanctions, 1,000 role rules), and
// look one user up. Targets: median ≤ 20 ms (issue 11, format 2), lookup ≤ 5 µs. Format 1
// (payload as a JSON string inside JSON, still read for one version) is timed beside it.
import { generateKeyPairSync } from 'node:crypto';
import { loadavg } from 'node:os';
import { gzipSync } from 'node:zlib';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { peekBundle, signPolicy, verifyBundle } from '../src/core/policy/bundle';
import { parsePolicyYaml } from '../src/core/policy/policy-yaml';
import { resolveRole } from '../src/core/identity/roles';
import { parseUser } from '../src/core/identity/user';
import { SanctionIndex } from '../src/core/sanctions/evaluate';
import { MINIMAL_POLICY_YAML } from '../src/admin/minimal-policy';
import { PolicySchema, type Policy, type RoleRule, type Sanction } from '../src/core/policy/schema';

const base = parsePolicyYaml(MINIMAL_POLICY_YAML);
if (!base.ok) throw new Error(base.errors.join('\n'));

const sanctions: Sanction[] = [];
for (let i = 0; i < 10_000; i++) {
  const name = `pupil${String(i % 6000).padStart(5, '0')}`;
  sanctions.push({
    id: `s-${i}`,
    user: i % 3 === 0 ? `SCHOOL\\${name}` : i % 3 === 1 ? `${name}@school.local` : name,
    scope: i % 4 === 0 ? 'network' : 'internet',
    kind: 'sanction',
    ...(i % 5 === 0 ? {} : { until: i % 2 ? '2026-12-04' : '2026-12-04T15:30:00Z' }),
    reason: `Breach of the acceptable use agreement, case ${i}`,
    issuedBy: 'Head of IT',
    issuedAt: '2026-11-01',
  });
}
const rules: RoleRule[] = [];
for (let i = 0; i < 1_000; i++) {
  if (i % 3 === 0) rules.push({ role: 'staff', groups: [`Dept-${i}`, `SCHOOL\\Team-${i}`] });
  else if (i % 3 === 1) rules.push({ role: 'visitor', usernamePattern: `guest${i}-*` });
  else rules.push({ role: 'pupil', users: [`year${i}a`, `SCHOOL\\year${i}b`] });
}
const policy: Policy = {
  ...base.policy,
  serial: 1000,
  roleMapping: { rules, default: 'pupil' },
  sanctions,
};

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const bundle = new TextEncoder().encode(signPolicy(policy, privateKey, 'trust-2026'));
const bundleV1 = new TextEncoder().encode(
  signPolicy(policy, privateKey, 'trust-2026', { format: 1 }),
);
const trusted = new Map([['trust-2026', publicKey]]);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

// A terminal loads a policy once per change, not 25 in a row: the garbage of the run before
// is collected before each timed run, so one run does not pay for another's.
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

let index: SanctionIndex | undefined;
// Wall time, and this process's CPU time beside it: on a machine shared with other work
// the wall figure includes waiting for a core, the CPU figure does not.
function timeLoad(bytes: Uint8Array, runs: number): { wall: number[]; cpu: number[] } {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    collect();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const v = verifyBundle(bytes, trusted, { minSerial: 999 });
    if (!v.ok) throw new Error(v.message);
    index = new SanctionIndex(v.policy);
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { wall, cpu };
}
timeLoad(bundle, 3); // warm-up: the first runs compile the schema and the checker
const load = timeLoad(bundle, 25);
const loadV1 = timeLoad(bundleV1, 15);

// Where the time would go without the hand check: zod walking every sanction.
const payload = peekBundle(bundle)!.payload;
const schemaOnly: number[] = [];
for (let i = 0; i < 15; i++) {
  const data: unknown = JSON.parse(payload);
  const t0 = performance.now();
  PolicySchema.safeParse(data);
  schemaOnly.push(performance.now() - t0);
}

const at = Date.parse('2026-11-22T10:00:00Z');
const users = ['SCHOOL\\pupil04242', 'pupil00017@school.local', 'nobody', 'OTHER\\pupil05999'].map(
  parseUser,
);
const rounds = 200_000;
const lookups: number[] = [];
for (let r = 0; r < 7; r++) {
  const t0 = performance.now();
  for (let i = 0; i < rounds; i++) index!.statusFor(users[i & 3]!, at);
  lookups.push(((performance.now() - t0) * 1000) / rounds);
}
const roles: number[] = [];
for (let r = 0; r < 5; r++) {
  const t0 = performance.now();
  for (let i = 0; i < 200; i++) resolveRole(policy, users[i & 3]!, ['Domain Users', 'Pupils']);
  roles.push(((performance.now() - t0) * 1000) / 200);
}

console.log(
  `bundle (format 2): ${bundle.length} bytes, ${gzipSync(bundle).length} gzipped; format 1: ${bundleV1.length} bytes, ${gzipSync(bundleV1).length} gzipped (10,000 sanctions, 1,000 role rules)`,
);
console.log(
  `verify + parse + index, format 2: median ${median(load.wall).toFixed(1)} ms wall, ${median(load.cpu).toFixed(1)} ms CPU (target ≤ 20 ms; 25 runs; load average ${loadavg()[0]!.toFixed(1)})`,
);
console.log(
  `verify + parse + index, format 1: median ${median(loadV1.wall).toFixed(1)} ms wall, ${median(loadV1.cpu).toFixed(1)} ms CPU (15 runs)`,
);
console.log(
  `  for comparison, zod alone walking the whole payload: median ${median(schemaOnly).toFixed(1)} ms`,
);
console.log(`one user's sanction lookup: median ${median(lookups).toFixed(2)} µs (target ≤ 5 µs)`);
console.log(
  `one user's role through 1,000 rules (no match, worst case): median ${median(roles).toFixed(0)} µs (once per login)`,
);
