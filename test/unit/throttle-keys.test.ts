import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ThrottleBook, throttleKey, NO_FAILURES } from '../../src/core/unlock/throttle';
import { defaultPolicy, OVERRIDE_CODE, policyWith, tempDir } from '../support/policy';
import { openSession, type TestSession } from '../support/session';

let dir: { path: string; remove: () => Promise<void> };
beforeEach(async () => {
  dir = await tempDir('classlock-throttle-');
});
afterEach(async () => dir.remove());

const teacher = {
  account: 'SCHOOL\\mrs.jones',
  groups: ['SCHOOL\\Teaching Staff'],
  hostname: 'ROOM12-CR-01',
};
const noAgreements = () => policyWith((p) => void (p.agreements = []));

async function teacherWithPin(): Promise<TestSession> {
  const s = await openSession(noAgreements(), dir.path, teacher);
  await s.rt.intent({ type: 'enrolPin', pin: 'ab12!x', confirm: 'ab12!x' });
  expect(s.rt.view().screen).toBe('none');
  return s;
}

async function pupilHidingScreen(): Promise<TestSession> {
  const s = await openSession(noAgreements(), dir.path);
  await s.rt.intent({ type: 'hideScreen' });
  expect(s.rt.view()).toMatchObject({ screen: 'locked', unlockBy: 'staff' });
  return s;
}

/** Type a wrong code `n` times, each time after any wait is over. */
async function wrongTimes(
  s: TestSession,
  n: number,
  intent: Parameters<TestSession['rt']['intent']>[0],
) {
  for (let i = 0; i < n; i++) {
    const v = s.rt.view();
    if (v.screen === 'locked' && v.waitUntil && v.waitUntil > s.clock.now())
      s.clock.set(v.waitUntil);
    await s.rt.intent(intent);
  }
}

/** The pupil at their own lock types eight wrong PINs under the teacher's name, and is made to wait. */
async function guessTeacherPin(p: TestSession) {
  await wrongTimes(p, 8, {
    type: 'unlock',
    method: 'pin',
    secret: 'guess1!',
    username: 'mrs.jones',
  });
  expect(waiting(p)).toBeGreaterThan(0);
}

const waiting = (s: TestSession) => {
  const v = s.rt.view();
  return v.screen === 'locked' && v.waitUntil ? Math.max(0, v.waitUntil - s.clock.now()) : 0;
};

describe('throttles are kept per credential account and per target session', () => {
  it('a pupil typing wrong codes as the teacher at their own lock never slows the teacher at her PC', async () => {
    const t = await teacherWithPin();
    const p = await pupilHidingScreen();
    await guessTeacherPin(p);
    // Same moment, the teacher's own lock: her PIN works at once.
    t.clock.set(p.clock.now());
    await t.rt.lockNow();
    await t.rt.intent({ type: 'unlock', method: 'pin', secret: 'ab12!x' });
    expect(t.rt.view().screen).toBe('none');
  });

  it('the teacher can still come and unlock the pupil with the override, on its own counter', async () => {
    await teacherWithPin();
    const p = await pupilHidingScreen();
    await guessTeacherPin(p);
    await p.rt.intent({
      type: 'unlock',
      method: 'override',
      secret: OVERRIDE_CODE,
      username: 'it.tech',
    });
    expect(p.rt.view().screen).toBe('none');
  });

  it('wrong override codes never slow a PIN', async () => {
    const t = await teacherWithPin();
    await t.rt.lockNow();
    await wrongTimes(t, 8, {
      type: 'unlock',
      method: 'override',
      secret: 'not-it',
      username: 'it.tech',
    });
    const v = t.rt.view();
    expect(v.screen === 'locked' && v.failedAttempts).toBe(8);
    await t.rt.intent({ type: 'unlock', method: 'pin', secret: 'ab12!x' });
    expect(t.rt.view().screen).toBe('none');
  });

  it("the teacher's own wrong PINs still slow her own PIN, across a restart", async () => {
    const t = await teacherWithPin();
    await t.rt.lockNow();
    await wrongTimes(t, 5, { type: 'unlock', method: 'pin', secret: 'wrong1!' });
    const again = await openSession(noAgreements(), dir.path, { ...teacher, clock: t.clock });
    await again.rt.lockNow();
    await again.rt.intent({ type: 'unlock', method: 'pin', secret: 'ab12!x' });
    expect(again.rt.view()).toMatchObject({ screen: 'locked', message: { key: 'unlock.wait' } });
  });
});

describe('the throttle records', () => {
  const policy = defaultPolicy();
  const maxMs = policy.unlock.maxDelaySeconds * 1000;
  const now = Date.parse('2026-11-30T09:00:00Z');
  const teacherHere = throttleKey('pin', 'SCHOOL\\Mrs.Jones', 'mrs.jones');
  const teacherAtPupil = throttleKey('pin', 'mrs.jones', 'y7.pupil');

  it('one name in any form is one key; ldap and pin share it; the override has its own', () => {
    expect(throttleKey('ldap', 'mrs.jones@school.local', 'MRS.JONES')).toEqual(teacherHere);
    expect(throttleKey('override', 'anyone', 'mrs.jones')).toEqual({
      kind: 'override',
      account: '*',
      target: 'mrs.jones',
    });
  });

  it('a damaged record means the longest wait for that key only', async () => {
    const book = new ThrottleBook(join(dir.path, 'throttle'), () => maxMs);
    await book.save(teacherAtPupil, { failures: 1, waitUntil: 0 });
    const [file] = await readdir(join(dir.path, 'throttle'));
    await writeFile(join(dir.path, 'throttle', file!), '{"failures": "lots"');
    expect((await book.load(teacherAtPupil, now)).waitUntil).toBe(now + maxMs);
    expect(await book.load(teacherHere, now)).toEqual(NO_FAILURES);
  });

  it('a FIFO planted as a record is the longest wait for that key, and never hangs', async () => {
    const book = new ThrottleBook(join(dir.path, 'throttle'), () => maxMs);
    await book.save(teacherAtPupil, NO_FAILURES);
    const [file] = await readdir(join(dir.path, 'throttle'));
    await rm(join(dir.path, 'throttle', file!));
    execFileSync('mkfifo', [join(dir.path, 'throttle', file!)]);
    expect((await book.load(teacherAtPupil, now)).waitUntil).toBe(now + maxMs);
  });

  it('a far-future wait (not one we could have written) is cut to the longest the policy allows', async () => {
    const book = new ThrottleBook(join(dir.path, 'throttle'), () => maxMs);
    await book.save(teacherHere, { failures: 3, waitUntil: now + 365 * 24 * 3600 * 1000 });
    expect((await book.load(teacherHere, now)).waitUntil).toBe(now + maxMs);
  });
});
