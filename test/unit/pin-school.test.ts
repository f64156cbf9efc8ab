import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { parseUser } from '../../src/core/identity/user';
import { PinStore } from '../../src/core/unlock/pin-store';
import { PinVerifier } from '../../src/core/unlock/pin-verifier';
import { hashSecret } from '../../src/core/unlock/scrypt-hash';
import { tempDir } from '../support/policy';

/** A PC checks staff PINs against its own file and the school's synced list. */
let dir: { path: string; remove: () => Promise<void> };
beforeEach(async () => {
  dir = await tempDir('classlock-pins-');
});
afterEach(async () => dir.remove());

const TEACHER = 'SCHOOL\\mrs.jones';

async function verifierWith(
  local: string | undefined,
  school: { pin: string; setAt: string } | undefined,
) {
  const store = new PinStore(join(dir.path, 'pins'));
  if (local)
    await store.set(parseUser(TEACHER), {
      user: TEACHER,
      role: 'staff',
      hash: await hashSecret(local),
      setAt: '2026-09-01T08:00:00.000Z',
    });
  const shared = school && {
    hash: await hashSecret(school.pin),
    role: 'staff',
    setAt: school.setAt,
  };
  return new PinVerifier(store, (a) =>
    a.toLowerCase() === TEACHER.toLowerCase() ? shared : undefined,
  );
}

describe('staff PINs across the school', () => {
  it('takes a PIN set on another PC when this PC has none, in any case of the name', async () => {
    const v = await verifierWith(undefined, { pin: 'ab12!x', setAt: '2026-09-02T08:00:00.000Z' });
    expect((await v.verify('school\\MRS.JONES', 'ab12!x')).ok).toBe(true);
    expect(await v.verify(TEACHER, 'zz99!q')).toMatchObject({ ok: false, kind: 'wrong' });
    expect(await v.roleOf(TEACHER)).toBe('staff');
  });

  it('lets a PIN set again elsewhere replace the older one kept here', async () => {
    const v = await verifierWith('old12!', { pin: 'new34!', setAt: '2026-10-01T08:00:00.000Z' });
    expect((await v.verify(TEACHER, 'new34!')).ok).toBe(true);
    expect((await v.verify(TEACHER, 'old12!')).ok).toBe(false);
  });

  it('keeps this PC’s newer PIN when the school’s copy is older', async () => {
    const v = await verifierWith('old12!', { pin: 'new34!', setAt: '2026-08-01T08:00:00.000Z' });
    expect((await v.verify(TEACHER, 'old12!')).ok).toBe(true);
    expect((await v.verify(TEACHER, 'new34!')).ok).toBe(false);
  });
});
