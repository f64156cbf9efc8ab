import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseUser } from '../../src/core/identity/user';
import { PolicySchema, type Policy, type Sanction } from '../../src/core/policy/schema';
import { SeenSanctions } from '../../src/core/policy/seen-sanctions';
import { sanctionStatus } from '../../src/core/sanctions/evaluate';
import { policyWith, shippedPolicy, tempDir } from '../support/policy';

let dir: { path: string; remove: () => Promise<void> };
beforeEach(async () => {
  dir = await tempDir('classlock-seen-');
});
afterEach(async () => dir.remove());

const NOW = Date.parse('2026-11-30T09:00:00Z');
const sanction = (id: string, user: string, until?: string): Sanction => ({
  id,
  user,
  scope: 'internet',
  kind: 'sanction',
  reason: 'misuse',
  issuedBy: 'IT',
  issuedAt: '2026-11-20',
  ...(until ? { until } : {}),
});
const signedWith = (serial: number, ...sanctions: Sanction[]) =>
  policyWith((p) => {
    p.serial = serial;
    p.sanctions = sanctions;
  });
const withdrawn = (p: Policy, user: string, at = NOW) =>
  sanctionStatus(p, parseUser(user), at).internet !== null;

describe('sanctions the machine has seen survive a missing policy cache', () => {
  it('the built-in fallback policy still enforces them until their end', async () => {
    const seen = new SeenSanctions(join(dir.path, 'seen-sanctions.json'));
    await seen.reconcile(
      signedWith(5, sanction('s1', 'y9.pupil', '2026-12-10'), sanction('s2', 'y8.pupil')),
      5,
      NOW,
    );
    expect((await stat(join(dir.path, 'seen-sanctions.json'))).mode & 0o777).toBe(0o600);

    // The cache is gone: the service falls back to the built-in policy.
    const r = await seen.reconcile(shippedPolicy(), null, NOW + 3600_000);
    expect(r.kept.map((s) => s.id)).toEqual(['s1', 's2']);
    expect(PolicySchema.safeParse(r.policy).success).toBe(true);
    expect(withdrawn(r.policy, 'SCHOOL\\y9.pupil')).toBe(true);
    expect(withdrawn(r.policy, 'y8.pupil')).toBe(true);
    expect(withdrawn(r.policy, 'y7.pupil')).toBe(false);

    // The date-only end meant midnight in the signed policy's zone, and still does.
    const after = Date.parse('2026-12-10T00:00:01Z');
    const later = await seen.reconcile(shippedPolicy(), null, after);
    expect(later.kept.map((s) => s.id)).toEqual(['s2']);
  });

  it('an older signed policy (a rollback after the cache went) drops nothing either', async () => {
    const seen = new SeenSanctions(join(dir.path, 'seen.json'));
    await seen.reconcile(signedWith(9, sanction('s1', 'y9.pupil')), 9, NOW);
    const r = await seen.reconcile(signedWith(3), 3, NOW);
    expect(withdrawn(r.policy, 'y9.pupil')).toBe(true);
  });

  it('a newer signed policy that no longer lists a sanction lifts it for good', async () => {
    const seen = new SeenSanctions(join(dir.path, 'seen.json'));
    await seen.reconcile(signedWith(9, sanction('s1', 'y9.pupil')), 9, NOW);
    const lifted = await seen.reconcile(signedWith(10), 10, NOW);
    expect(withdrawn(lifted.policy, 'y9.pupil')).toBe(false);
    const fallback = await seen.reconcile(shippedPolicy(), null, NOW);
    expect(fallback.kept).toEqual([]);
  });

  it('a FIFO planted as the record never hangs the service; it is reported and rebuilt', async () => {
    const path = join(dir.path, 'seen.json');
    execFileSync('mkfifo', [path]);
    const seen = new SeenSanctions(path);
    const r = await seen
      .reconcile(signedWith(2, sanction('s1', 'y9.pupil')), 2, NOW)
      .catch((e: Error) => e);
    expect(r).not.toBeInstanceOf(Error);
    expect((r as { problem?: string }).problem).toMatch(/FIFO/);
    expect((await stat(path)).isFile()).toBe(true);
  });
});
