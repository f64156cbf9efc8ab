import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ManualClock } from '../../src/core/clock';
import { MachineConfigSchema } from '../../src/core/config/machine-config';
import { signPolicy } from '../../src/core/policy/bundle';
import { parsePolicyYaml } from '../../src/core/policy/policy-yaml';
import type { Policy } from '../../src/core/policy/schema';
import { MINIMAL_POLICY_YAML } from '../../src/admin/minimal-policy';
import { tempDir } from '../support/policy';
import { asAccount, startTestService, type TestService } from '../support/service';

/**
 * What IT reads in the tray and in `classlock-admin doctor` comes from the service's
 * status: a policy past its signed expiry is reported stale, with the reason, while it stays
 * in force; and the policy's audit limits reach the service's log.
 */
const KEY_ID = 'trust-2026';
const pair = generateKeyPairSync('ed25519');
const DAY = 86_400_000;
const ISSUED = Date.parse('2026-11-01T09:00:00Z');

function policy(): Policy {
  const r = parsePolicyYaml(MINIMAL_POLICY_YAML);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return {
    ...r.policy,
    serial: 7,
    issuedAt: new Date(ISSUED).toISOString(),
    expires: new Date(ISSUED + 30 * DAY).toISOString(),
  };
}

let dir: { path: string; remove: () => Promise<void> };
let running: TestService | undefined;
beforeEach(async () => {
  dir = await tempDir('classlock-status-stale-');
});
afterEach(async () => {
  await running?.close();
  running = undefined;
  await dir.remove();
});

async function serviceAt(at: number): Promise<TestService> {
  const published = join(dir.path, 'policy.json');
  await writeFile(published, signPolicy(policy(), pair.privateKey, KEY_ID));
  const config = MachineConfigSchema.parse({
    policySources: [published],
    trustedKeys: { [KEY_ID]: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString() },
    pollSeconds: 3600,
  });
  running = await startTestService({
    dir: dir.path,
    policy: policy(),
    clock: new ManualClock(at),
    resolveIdentity: asAccount({ account: 'y7.pupil', groups: [] }),
    over: { config },
  });
  // The first fetch runs just after start; wait (bounded) until the signed copy is in force.
  for (let i = 0; i < 100 && running.service.status().policy.origin === 'default'; i++)
    await new Promise((ok) => setTimeout(ok, 20));
  return running;
}

describe('the service status (tray, doctor)', () => {
  it('says a policy in its signed lifetime is current', async () => {
    const { service } = await serviceAt(ISSUED + DAY);
    const s = service.status();
    expect(s.policy).toMatchObject({ serial: 7, stale: false });
    expect(s.policy.problem).toBeUndefined();
  });

  it('says a policy past its expiry is stale and why, and keeps it in force', async () => {
    const { service, clock } = await serviceAt(ISSUED + DAY);
    expect(service.status().policy.stale).toBe(false);
    clock.set(ISSUED + 31 * DAY);
    const s = service.status();
    expect(s.policy.serial).toBe(7);
    expect(s.policy.origin).not.toBe('default');
    expect(s.policy.stale).toBe(true);
    expect(s.policy.problem).toMatch(/expired/);
    expect(s.policy.problem).toMatch(/nothing is lifted/);
  });
});
