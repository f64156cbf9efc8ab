import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AuditLog, parseAuditLines } from '../../src/core/audit/audit-log';
import { ManualClock } from '../../src/core/clock';
import { PolicyService, type PolicyMeta } from '../../src/core/fetch/policy-service';
import { signPolicy } from '../../src/core/policy/bundle';
import { parsePolicyYaml } from '../../src/core/policy/policy-yaml';
import type { Policy } from '../../src/core/policy/schema';
import { MINIMAL_POLICY_YAML } from '../../src/admin/minimal-policy';
import { shippedPolicy, tempDir } from '../support/policy';
import { SeenSanctions } from '../../src/core/policy/seen-sanctions';
import { rm } from 'node:fs/promises';

const KEY_ID = 'trust-2026';
const pair = generateKeyPairSync('ed25519');
const DAY = 24 * 3600 * 1000;
const ISSUED = Date.parse('2026-11-01T09:00:00Z');

function policy(serial: number, change: (p: Policy) => void = () => undefined): Policy {
  const r = parsePolicyYaml(MINIMAL_POLICY_YAML);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  const p: Policy = {
    ...r.policy,
    serial,
    issuedAt: new Date(ISSUED + serial * 1000).toISOString(),
    expires: new Date(ISSUED + 30 * DAY).toISOString(),
  };
  change(p);
  return p;
}
/** A policy withdrawing y9.pupil's internet (sanction s1), with no end. */
const sanctionedPolicy = (serial: number) =>
  policy(serial, (p) => {
    p.sanctions = [
      {
        id: 's1',
        user: 'y9.pupil',
        scope: 'internet',
        kind: 'sanction',
        reason: 'misuse',
        issuedBy: 'IT',
        issuedAt: '2026-11-01',
      },
    ];
  });
const signed = (p: Policy) => signPolicy(p, pair.privateKey, KEY_ID);

let dir: { path: string; remove: () => Promise<void> };
beforeEach(async () => {
  dir = await tempDir('classlock-expiry-');
});
afterEach(async () => dir.remove());

async function service(
  at: number,
  extra: Partial<ConstructorParameters<typeof PolicyService>[0]> = {},
) {
  const source = join(dir.path, 'published.json');
  const auditPath = join(dir.path, 'audit.jsonl');
  const clock = new ManualClock(at);
  const applied: { policy: Policy; meta: PolicyMeta }[] = [];
  const svc = new PolicyService({
    sources: [source],
    trustedKeys: { [KEY_ID]: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString() },
    cachePath: join(dir.path, 'cache', 'policy.json'),
    pollSeconds: 3600,
    audit: new AuditLog(auditPath, 'LAB-01', () => clock.now()),
    clock,
    onPolicy: (p, meta) => void applied.push({ policy: p, meta }),
    statusTimeZone: 'UTC',
    ...extra,
  });
  const publish = (text: string) => writeFile(source, text);
  const audit = async () => parseAuditLines(await readFile(auditPath, 'utf8').catch(() => ''));
  return { svc, clock, applied, publish, audit };
}

describe('a signed expiry (the freeze defence)', () => {
  it('past it the policy stays in force, sanctions and all, and is reported stale once', async () => {
    const s = await service(ISSUED + DAY);
    const withSanction = sanctionedPolicy(5);
    await s.publish(signed(withSanction));
    await s.svc.checkNow();
    expect(s.svc.snapshot()).toMatchObject({ stale: false, policy: { serial: 5 } });

    s.clock.set(ISSUED + 31 * DAY);
    await s.svc.checkNow();
    await s.svc.checkNow();
    const snap = s.svc.snapshot();
    expect(snap.stale).toBe(true);
    expect(snap.staleReason).toMatch(/policy 5 expired .* still enforced, nothing is lifted/);
    expect(s.svc.policy()?.sanctions.map((x) => x.id)).toEqual(['s1']);
    expect(s.svc.status()).toMatch(/STALE/);
    expect((await s.audit()).filter((r) => r.event === 'policy.stale')).toHaveLength(1);
  });

  it('a newer bundle that has itself expired is refused while a signed policy is in force', async () => {
    const s = await service(ISSUED + DAY);
    await s.publish(signed(policy(5)));
    await s.svc.checkNow();
    s.clock.set(ISSUED + 40 * DAY);
    await s.publish(signed(policy(6)));
    await s.svc.checkNow();
    expect(s.svc.snapshot().policy?.serial).toBe(5);
    expect(s.svc.snapshot().lastCheck?.message).toMatch(/expired/);
    // A fresh one is taken and the stale state ends.
    await s.publish(
      signed(policy(7, (p) => void (p.expires = new Date(ISSUED + 90 * DAY).toISOString()))),
    );
    await s.svc.checkNow();
    expect(s.svc.snapshot()).toMatchObject({ stale: false, policy: { serial: 7 } });
  });

  it('an expired cached policy still goes in force at start, reported stale', async () => {
    const first = await service(ISSUED + DAY);
    await first.publish(signed(policy(5)));
    await first.svc.checkNow();
    const later = await service(ISSUED + 60 * DAY);
    await later.publish('not reachable today');
    await later.svc.start();
    later.svc.stop();
    expect(later.svc.snapshot()).toMatchObject({
      stale: true,
      policy: { serial: 5, origin: 'cache' },
    });
    expect((await later.audit()).some((r) => r.event === 'policy.stale')).toBe(true);
  });
});

describe('equivocation: two different policies under one serial', () => {
  it('is refused and reported; the first stays in force', async () => {
    const s = await service(ISSUED + DAY);
    await s.publish(signed(policy(5)));
    await s.svc.checkNow();
    const other = policy(5, (p) => void (p.sanctions = []));
    other.organisation = { ...other.organisation, name: 'Someone Else' };
    await s.publish(signed(other));
    await s.svc.checkNow();
    expect(s.applied.map((a) => a.meta.serial)).toEqual([5]);
    expect(s.svc.policy()?.organisation.name).not.toBe('Someone Else');
    const rejected = (await s.audit()).find((r) => r.event === 'policy.rejected');
    expect(rejected).toMatchObject({ code: 'equivocation' });
    expect(String(rejected?.reason)).toMatch(/^equivocation/);
  });

  it('the same bytes again are not equivocation', async () => {
    const s = await service(ISSUED + DAY);
    const text = signed(policy(5));
    await s.publish(text);
    await s.svc.checkNow();
    await s.publish(text);
    await s.svc.checkNow();
    expect(s.svc.snapshot().lastCheck?.ok).toBe(true);
  });
});

describe('the cache deleted to bring back an older policy', () => {
  it('the older bundle is refused, the built-in policy goes in force, and the sanction stays', async () => {
    const seen = new SeenSanctions(join(dir.path, 'seen-sanctions.json'));
    const enforced: Policy[] = [];
    const wire = {
      serialFloor: () => seen.serialFloor(),
      defaultPolicy: shippedPolicy(),
      onPolicy: async (p: Policy, meta: PolicyMeta) => {
        const r = await seen.reconcile(
          p,
          meta.origin === 'default' ? null : meta.serial,
          ISSUED + DAY,
        );
        enforced.push(r.policy);
      },
    };
    const old = signed(policy(4));
    const first = await service(ISSUED + DAY, wire);
    const sanctioned = sanctionedPolicy(5);
    await first.publish(signed(sanctioned));
    await first.svc.checkNow();
    expect(enforced.at(-1)?.sanctions.map((x) => x.id)).toEqual(['s1']);

    // The pupil deletes the cache and serves the old policy (serial 4, no sanction).
    await rm(join(dir.path, 'cache'), { recursive: true, force: true });
    const later = await service(ISSUED + DAY, wire);
    await later.publish(old);
    await later.svc.start();
    await later.svc.checkNow();
    later.svc.stop();
    expect(later.svc.snapshot().policy?.origin).toBe('default');
    expect(later.svc.snapshot().lastCheck?.message).toMatch(/older than the one in force \(5\)/);
    expect(enforced.at(-1)?.sanctions.map((x) => x.id)).toEqual(['s1']);
  });
});
