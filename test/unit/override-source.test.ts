import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashSecret } from '../../src/core/unlock/scrypt-hash';
import { OVERRIDE_CODE, shippedPolicy, tempDir } from '../support/policy';
import { openSession } from '../support/session';

let dir: { path: string; remove: () => Promise<void> };
beforeEach(async () => {
  dir = await tempDir('classlock-override-');
});
afterEach(async () => dir.remove());

async function lockedPupil(overrideHash?: string) {
  const policy = shippedPolicy();
  policy.agreements = [];
  const s = await openSession(policy, dir.path, overrideHash ? { overrideHash } : {});
  await s.rt.lockNow();
  return s;
}

describe('the IT override on a terminal running the built-in policy', () => {
  it('no code opens it, not even the one the old documentation published', async () => {
    const s = await lockedPupil();
    for (const secret of [OVERRIDE_CODE, '', 'override'])
      await s.rt.intent({ type: 'unlock', method: 'override', secret, username: 'it.tech' });
    expect(s.rt.view().screen).toBe('locked');
    const refused = (await s.audit()).filter((r) => r.event === 'unlock.unavailable');
    expect(refused).toHaveLength(3);
    expect(refused[0]?.detail).toMatch(/no IT override code is set on this computer/);
  });

  it("the machine config's overrideHash works, and wins over the policy's", async () => {
    const s = await lockedPupil(await hashSecret('machine-code-7!'));
    await s.rt.intent({
      type: 'unlock',
      method: 'override',
      secret: OVERRIDE_CODE,
      username: 'it',
    });
    expect(s.rt.view().screen).toBe('locked');
    await s.rt.intent({
      type: 'unlock',
      method: 'override',
      secret: 'machine-code-7!',
      username: 'it',
    });
    expect(s.rt.view().screen).toBe('none');
  });
});
