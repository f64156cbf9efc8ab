import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock';
import { agreementHash } from '../../src/core/agreements/due';
import { DirectorySchema } from '../../src/core/policy/schema';
import { ldapVerifierFor } from '../../src/core/unlock/ldap-verifier';
import { defaultPolicy, OVERRIDE_CODE, policyWith, tempDir } from '../support/policy';
import { openSession, RecordingShell, T0, type TestSession } from '../support/session';

let dir: { path: string; remove: () => Promise<void> };
beforeEach(async () => {
  dir = await tempDir();
});
afterEach(async () => dir.remove());

const staff = { account: 'SCHOOL\\mrs.jones', groups: ['SCHOOL\\Teaching Staff'] };
const visitor = { account: 'guest07', groups: [] };

async function acceptAll(s: Awaited<ReturnType<typeof openSession>>, typedName?: string) {
  for (let v = s.rt.view(); v.screen === 'agreement'; v = s.rt.view()) {
    await s.rt.intent({
      type: 'acceptAgreement',
      agreementId: v.agreement.id,
      version: v.agreement.version,
      ...(typedName ? { typedName } : {}),
    });
  }
}

async function enrolledTeacher(hostname = 'ROOM12-CR-01') {
  const s = await openSession(defaultPolicy(), dir.path, { ...staff, hostname });
  await acceptAll(s, 'Anne Jones');
  await s.rt.intent({ type: 'enrolPin', pin: 'ab12!x', confirm: 'ab12!x' });
  expect(s.rt.view().screen).toBe('none');
  return s;
}

describe('a pupil logging in at a lab PC', () => {
  it('sees the pupil agreement on first login, and the desktop once they agree', async () => {
    const s = await openSession(defaultPolicy(), dir.path);
    const v = s.rt.view();
    expect(v.screen).toBe('agreement');
    if (v.screen !== 'agreement') return;
    expect(v.agreement.id).toBe('pupil-aua');
    expect(v.acknowledgement).toBe('checkbox');
    await acceptAll(s);
    expect(s.rt.view().screen).toBe('none');
    expect((await s.audit()).map((r) => r.event)).toContain('agreement.accepted');
  });

  it('goes straight to the desktop the next time, in any form of their name', async () => {
    await acceptAll(await openSession(defaultPolicy(), dir.path));
    const again = await openSession(defaultPolicy(), dir.path, {
      account: 'y7.pupil@school.local',
    });
    expect(again.rt.view().screen).toBe('none');
  });

  it('sees the agreement again when IT publishes a new version', async () => {
    await acceptAll(await openSession(defaultPolicy(), dir.path));
    const bumped = policyWith((p) => {
      p.agreements.find((a) => a.id === 'pupil-aua')!.version = '2';
    });
    const s = await openSession(bumped, dir.path);
    expect(s.rt.view()).toMatchObject({
      screen: 'agreement',
      agreement: { id: 'pupil-aua', version: '2' },
    });
  });

  it('sees the agreement again when its words change even if the version did not', async () => {
    await acceptAll(await openSession(defaultPolicy(), dir.path));
    const edited = policyWith((p) => {
      p.agreements.find((a) => a.id === 'pupil-aua')!.body += '\n\nOne more promise.';
    });
    expect((await openSession(edited, dir.path)).rt.view().screen).toBe('agreement');
  });

  it('is asked once more after "I don\'t agree", then logged off', async () => {
    const s = await openSession(defaultPolicy(), dir.path);
    await s.rt.intent({ type: 'declineAgreement', agreementId: 'pupil-aua' });
    expect(s.rt.view()).toMatchObject({ screen: 'agreement', confirmingDecline: true });
    expect(s.shell.logoffs).toBe(0);
    await s.rt.intent({ type: 'declineAgreement', agreementId: 'pupil-aua' });
    expect(s.rt.view()).toMatchObject({ screen: 'loggingOff', reason: 'declined' });
    expect(s.shell.logoffs).toBe(1);
    expect((await s.audit()).at(-1)).toMatchObject({
      event: 'agreement.declined',
      user: 'SCHOOL\\y7.pupil',
    });
  });

  it('can go back from the second question', async () => {
    const s = await openSession(defaultPolicy(), dir.path);
    await s.rt.intent({ type: 'declineAgreement', agreementId: 'pupil-aua' });
    await s.rt.intent({ type: 'cancelDecline' });
    expect(s.rt.view()).toMatchObject({ screen: 'agreement', confirmingDecline: false });
  });

  it('cannot accept a version they were not shown', async () => {
    const s = await openSession(defaultPolicy(), dir.path);
    await s.rt.intent({ type: 'acceptAgreement', agreementId: 'pupil-aua', version: '999' });
    expect(s.rt.view().screen).toBe('agreement');
  });

  it('is warned after 9 idle minutes, locked at 10 and logged off 20 minutes later (lab profile)', async () => {
    const s = await openSession(defaultPolicy(), dir.path);
    await acceptAll(s);
    await s.idleFor(539);
    expect(s.rt.view().screen).toBe('none');
    await s.idleFor(1, 539);
    expect(s.rt.view()).toMatchObject({ screen: 'warning', secondsLeft: 60, canHideScreen: true });
    await s.idleFor(60, 540);
    expect(s.rt.view()).toMatchObject({
      screen: 'locked',
      unlockBy: 'staff',
      canEndSession: true,
      reason: 'idle',
    });
    const lockedView = s.rt.view();
    expect(lockedView.screen === 'locked' && lockedView.logoffAt).toBe(T0 + 600_000 + 1_200_000);
    await s.idleFor(1199, 600);
    expect(s.shell.logoffs).toBe(0);
    await s.idleFor(1, 1799);
    expect(s.rt.view()).toMatchObject({ screen: 'loggingOff', reason: 'idle' });
    expect(s.shell.logoffs).toBe(1);
  });
});

describe('a teacher at a classroom PC', () => {
  it('signs the staff agreement with their typed full name, kept with the record', async () => {
    const s = await openSession(defaultPolicy(), dir.path, { ...staff, hostname: 'ROOM12-CR-01' });
    const v = s.rt.view();
    expect(v).toMatchObject({
      screen: 'agreement',
      acknowledgement: 'typedName',
      agreement: { id: 'staff-aua' },
    });
    if (v.screen !== 'agreement') return;
    await s.rt.intent({
      type: 'acceptAgreement',
      agreementId: v.agreement.id,
      version: v.agreement.version,
    });
    expect(s.rt.view()).toMatchObject({
      screen: 'agreement',
      error: { key: 'agreement.nameRequired' },
    });
    await s.rt.intent({
      type: 'acceptAgreement',
      agreementId: v.agreement.id,
      version: v.agreement.version,
      typedName: '  Anne   Jones ',
    });
    expect(s.rt.view().screen).toBe('pinEnrol');
    const rec = (await s.audit()).find((r) => r.event === 'agreement.accepted');
    expect(rec).toMatchObject({
      typedName: 'Anne Jones',
      agreementId: 'staff-aua',
      hash: agreementHash(defaultPolicy().agreements.find((a) => a.id === 'staff-aua')!),
    });
  });

  it('sets a PIN that meets the policy, and is told which rule a weak one breaks', async () => {
    const s = await openSession(defaultPolicy(), dir.path, { ...staff, hostname: 'ROOM12-CR-01' });
    await acceptAll(s, 'Anne Jones');
    const cases: [string, string, string][] = [
      ['ab1!', 'ab1!', 'pin.tooShort'],
      ['abcdefgh1!', 'abcdefgh1!', 'pin.tooLong'],
      ['123456!', '123456!', 'pin.needsLetter'],
      ['abcdef!', 'abcdef!', 'pin.needsDigit'],
      ['abc123', 'abc123', 'pin.needsSymbol'],
      ['abc12!', 'abc12?', 'pin.mismatch'],
    ];
    for (const [pin, confirm, key] of cases) {
      await s.rt.intent({ type: 'enrolPin', pin, confirm });
      expect(s.rt.view()).toMatchObject({ screen: 'pinEnrol', error: { key } });
    }
    await s.rt.intent({ type: 'enrolPin', pin: 'abc12!', confirm: 'abc12!' });
    expect(s.rt.view().screen).toBe('none');
  });

  it('is warned 30 s before a 3-minute lock; any input cancels the warning', async () => {
    const s = await enrolledTeacher();
    await s.idleFor(150);
    expect(s.rt.view()).toMatchObject({ screen: 'warning', secondsLeft: 30, canHideScreen: false });
    await s.rt.intent({ type: 'activity' });
    expect(s.rt.view().screen).toBe('none');
    await s.idleFor(150);
    expect(s.rt.view().screen).toBe('warning');
    await s.idleFor(30, 150);
    expect(s.rt.view()).toMatchObject({
      screen: 'locked',
      unlockBy: 'owner',
      canEndSession: false,
      methods: ['pin', 'override'],
    });
    expect(s.shell.osLocks).toBe(1); // the classroom profile also locks Windows
  });

  it('locks after 5 minutes in the staffroom', async () => {
    const s = await enrolledTeacher('STAFF-PC3');
    await s.idleFor(299);
    expect(s.rt.view().screen).toBe('warning');
    await s.idleFor(1, 299);
    expect(s.rt.view().screen).toBe('locked');
  });

  it('unlocks with their own PIN, after a growing wait for wrong ones', async () => {
    const s = await enrolledTeacher();
    await s.rt.lockNow();
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      const v = s.rt.view();
      if (v.screen === 'locked' && v.waitUntil) s.clock.set(v.waitUntil);
      const after = await s.rt.intent({ type: 'unlock', method: 'pin', secret: 'wrong1!' });
      waits.push(
        after.screen === 'locked' && after.waitUntil
          ? Math.round((after.waitUntil - s.clock.now()) / 1000)
          : 0,
      );
    }
    expect(waits).toEqual([0, 0, 5, 10, 20]);
    const v = s.rt.view();
    expect(v).toMatchObject({
      screen: 'locked',
      failedAttempts: 5,
      message: { key: 'unlock.wait', params: { seconds: 20 } },
    });
    // Even the right PIN waits its turn.
    await s.rt.intent({ type: 'unlock', method: 'pin', secret: 'ab12!x' });
    expect(s.rt.view().screen).toBe('locked');
    s.clock.advance(20_000);
    await s.rt.intent({ type: 'unlock', method: 'pin', secret: 'ab12!x' });
    expect(s.rt.view().screen).toBe('none');
    const events = (await s.audit()).map((r) => r.event);
    expect(events.filter((e) => e === 'unlock.failed')).toHaveLength(5);
    expect(events.at(-1)).toBe('session.unlocked');
  });

  it('keeps the wait after the app restarts', async () => {
    const s = await enrolledTeacher();
    await s.rt.lockNow();
    for (let i = 0; i < 4; i++) {
      const v = s.rt.view();
      if (v.screen === 'locked' && v.waitUntil) s.clock.set(v.waitUntil);
      await s.rt.intent({ type: 'unlock', method: 'pin', secret: 'wrong1!' });
    }
    const restarted = await openSession(defaultPolicy(), dir.path, {
      ...staff,
      hostname: 'ROOM12-CR-01',
      clock: new ManualClock(s.clock.now() + 1000),
    });
    await restarted.rt.lockNow();
    await restarted.rt.intent({ type: 'unlock', method: 'pin', secret: 'ab12!x' });
    expect(restarted.rt.view()).toMatchObject({
      screen: 'locked',
      failedAttempts: 4,
      message: { key: 'unlock.wait' },
    });
  });

  it('locks at once on suspend and on resume', async () => {
    const s = await enrolledTeacher();
    await s.rt.suspend();
    expect(s.rt.view()).toMatchObject({ screen: 'locked', reason: 'suspend' });
    await s.rt.intent({ type: 'unlock', method: 'pin', secret: 'ab12!x' });
    await s.rt.resume();
    expect(s.rt.view().screen).toBe('locked');
  });

  it("cannot be unlocked by a pupil's PIN or another user's name", async () => {
    const s = await enrolledTeacher();
    await s.rt.lockNow();
    await s.rt.intent({ type: 'unlock', method: 'pin', secret: 'x', username: 'y7.pupil' });
    expect(s.rt.view()).toMatchObject({ screen: 'locked', message: { key: 'unlock.wrong' } });
  });

  it('lets IT in with the override code, and records it', async () => {
    const s = await enrolledTeacher();
    await s.rt.lockNow();
    await s.rt.intent({
      type: 'unlock',
      method: 'override',
      secret: OVERRIDE_CODE,
      username: 'it.tech',
    });
    expect(s.rt.view().screen).toBe('none');
    expect((await s.audit()).find((r) => r.event === 'override.used')).toMatchObject({
      actor: 'it.tech',
      user: 'SCHOOL\\mrs.jones',
    });
  });

  it('sees a new agreement version at the next unlock, not in the middle of a lesson', async () => {
    const s = await enrolledTeacher();
    await s.rt.policyChanged(
      policyWith((p) => {
        p.serial += 1;
        p.agreements.find((a) => a.id === 'staff-aua')!.version = '2';
      }),
    );
    expect(s.rt.view().screen).toBe('none');
    await s.rt.lockNow();
    await s.rt.intent({ type: 'unlock', method: 'pin', secret: 'ab12!x' });
    expect(s.rt.view()).toMatchObject({
      screen: 'agreement',
      agreement: { id: 'staff-aua', version: '2' },
    });
  });

  it('takes new timeouts from a new policy at once', async () => {
    const s = await enrolledTeacher();
    await s.rt.policyChanged(
      policyWith((p) => {
        p.profiles.find((x) => x.id === 'classroom')!.timeouts.staff = {
          warnSeconds: 10,
          lockSeconds: 60,
        };
      }),
    );
    await s.idleFor(60);
    expect(s.rt.view().screen).toBe('locked');
  });

  it('shows the same lock again when displays are added or removed while locked', async () => {
    const s = await enrolledTeacher();
    await s.rt.lockNow();
    const before = s.shell.views.length;
    s.rt.displaysChanged();
    s.rt.displaysChanged();
    expect(s.shell.views.length).toBe(before + 2);
    expect(s.shell.views.slice(-2).every((v) => v.screen === 'locked')).toBe(true);
    expect(s.rt.view().screen).toBe('locked');
  });
});

describe('pupils\' locked sessions and "hide the screen"', () => {
  it('a member of staff ends a locked pupil session with their own PIN', async () => {
    const t = await enrolledTeacher();
    await t.rt.lockNow();
    const s = await openSession(defaultPolicy(), dir.path);
    await acceptAll(s);
    await s.rt.lockNow();
    await s.rt.intent({
      type: 'endSession',
      method: 'pin',
      secret: 'ab12!x',
      username: 'mrs.jones',
    });
    expect(s.rt.view()).toMatchObject({ screen: 'loggingOff', reason: 'endedByStaff' });
    expect(s.shell.logoffs).toBe(1);
  });

  it('the pupil cannot unlock their own session when the policy says ask a teacher', async () => {
    const s = await openSession(defaultPolicy(), dir.path);
    await acceptAll(s);
    await s.rt.lockNow();
    await s.rt.intent({ type: 'unlock', method: 'pin', secret: 'anything1!' });
    expect(s.rt.view()).toMatchObject({
      screen: 'locked',
      unlockBy: 'staff',
      message: { key: 'unlock.notAllowed' },
    });
  });

  it('hiding the screen records a concern and only staff can return to the session', async () => {
    await enrolledTeacher();
    const s = await openSession(defaultPolicy(), dir.path);
    await acceptAll(s);
    await s.rt.intent({ type: 'hideScreen' });
    expect(s.rt.view()).toMatchObject({ screen: 'locked', reason: 'concern', unlockBy: 'staff' });
    expect((await s.audit()).find((r) => r.event === 'concern.raised')).toMatchObject({
      user: 'SCHOOL\\y7.pupil',
      machine: 'test-machine',
    });
    await s.idleFor(3600);
    expect(s.shell.logoffs).toBe(0); // a concern is not cleared by the idle logoff
    await s.rt.intent({ type: 'unlock', method: 'pin', secret: 'ab12!x', username: 'mrs.jones' });
    expect(s.rt.view().screen).toBe('none');
  });
});

describe('when the school directory cannot be reached', () => {
  /** A teacher whose lock offers `methods`, with the directory at a port nothing listens on. */
  async function lockedWithDirectoryDown(methods: ('ldap' | 'pin' | 'override')[]) {
    const policy = policyWith((p) => {
      p.agreements = [];
      p.directory = DirectorySchema.parse({
        urls: ['ldap://127.0.0.1:1'],
        bind: { mode: 'upn', upnSuffix: 'school.local' },
        connectTimeoutSeconds: 1,
        timeoutSeconds: 1,
      });
      p.unlock.methods.staff = methods;
    });
    const s = await openSession(policy, dir.path, {
      ...staff,
      verifiers: [ldapVerifierFor(policy)!],
    });
    if (s.rt.view().screen === 'pinEnrol') {
      await s.rt.intent({ type: 'enrolPin', pin: 'ab12!x', confirm: 'ab12!x' });
    }
    await s.rt.lockNow();
    await s.rt.intent({ type: 'unlock', method: 'ldap', secret: 'a-real-password-1' });
    return s;
  }

  it("offers the next method in the policy's order, chosen for the user, and earns no wait", async () => {
    const s = await lockedWithDirectoryDown(['ldap', 'pin', 'override']);
    expect(s.rt.view()).toMatchObject({
      screen: 'locked',
      failedAttempts: 0,
      suggestedMethod: 'pin',
      message: { key: 'unlock.directoryDown', params: { method: 'ldap', next: 'pin' } },
    });
    await s.rt.intent({ type: 'unlock', method: 'pin', secret: 'ab12!x' });
    expect(s.rt.view().screen).toBe('none');
    // A fresh lock starts from the policy's first method again.
    await s.rt.lockNow();
    expect(s.rt.view()).not.toHaveProperty('suggestedMethod');
    // The suggestion lasts until the next answer, so a second "directory down" offers it anew.
    await s.rt.intent({ type: 'unlock', method: 'pin', secret: 'wrong-1!' });
    expect(s.rt.view()).not.toHaveProperty('suggestedMethod');
    await s.rt.intent({ type: 'unlock', method: 'ldap', secret: 'a-real-password-1' });
    expect(s.rt.view()).toMatchObject({ suggestedMethod: 'pin' });
    await s.rt.intent({ type: 'unlock', method: 'pin', secret: 'ab12!x' });
    await s.rt.lockNow();
    expect(s.rt.view()).not.toHaveProperty('suggestedMethod');
  });

  it('with only school passwords in the policy, offers the IT override, which always closes the list', async () => {
    const s = await lockedWithDirectoryDown(['ldap']);
    expect(s.rt.view()).toMatchObject({
      screen: 'locked',
      suggestedMethod: 'override',
      message: { key: 'unlock.directoryDown', params: { next: 'override' } },
    });
  });
});

describe('visitors', () => {
  it('open only after a member of staff authorises, and end when the time is up', async () => {
    await enrolledTeacher();
    const s = await openSession(defaultPolicy(), dir.path, visitor);
    expect(s.rt.view()).toMatchObject({ screen: 'agreement', agreement: { id: 'visitor-aua' } });
    await acceptAll(s);
    expect(s.rt.view()).toMatchObject({
      screen: 'locked',
      reason: 'visitorAuthorisation',
      unlockBy: 'staff',
      canEndSession: false,
    });
    await s.rt.intent({ type: 'unlock', method: 'pin', secret: 'ab12!x', username: 'mrs.jones' });
    expect(s.rt.view().screen).toBe('none');
    for (let i = 0; i < 60; i++) {
      s.clock.advance(60_000);
      await s.rt.idle(0);
    }
    expect(s.rt.view()).toMatchObject({ screen: 'loggingOff', reason: 'visitorTimeUp' });
  });

  it("where no member of staff need start it, the visit is still limited to the policy's time", async () => {
    const policy = policyWith((p) => {
      p.visitors.requireStaffAuthorisation = false;
    });
    const s = await openSession(policy, dir.path, visitor);
    await acceptAll(s);
    expect(s.rt.view().screen).toBe('none');
    for (let i = 0; i < 59; i++) {
      s.clock.advance(60_000);
      await s.rt.intent({ type: 'activity' });
      await s.rt.idle(0);
    }
    expect(s.rt.view().screen).toBe('none');
    s.clock.advance(60_000);
    await s.rt.idle(0);
    expect(s.rt.view()).toMatchObject({ screen: 'loggingOff', reason: 'visitorTimeUp' });
  });

  it('a waiting visitor cannot be "ended" by a forged request: only started or left waiting', async () => {
    await enrolledTeacher();
    const s = await openSession(defaultPolicy(), dir.path, visitor);
    await acceptAll(s);
    await s.rt.intent({
      type: 'endSession',
      method: 'pin',
      secret: 'ab12!x',
      username: 'mrs.jones',
    });
    expect(s.rt.view()).toMatchObject({ screen: 'locked', reason: 'visitorAuthorisation' });
    expect(s.shell.logoffs).toBe(0);
  });
});

describe('bad input loses nothing', () => {
  it('a hundred wrong PINs leave the teacher waiting, never unlocked, and every try recorded', async () => {
    const s = await enrolledTeacher();
    await s.rt.lockNow();
    for (let i = 0; i < 100; i++) {
      const v = s.rt.view();
      if (v.screen === 'locked' && v.waitUntil) s.clock.set(v.waitUntil);
      await s.rt.intent({ type: 'unlock', method: 'pin', secret: `nope${i}!` });
    }
    const v = s.rt.view();
    expect(v).toMatchObject({ screen: 'locked', failedAttempts: 100 });
    expect(v.screen === 'locked' && v.waitUntil! - s.clock.now()).toBe(900_000);
    expect((await s.audit()).filter((r) => r.event === 'unlock.failed')).toHaveLength(100);
  });

  it('an acceptance that cannot be saved is not acknowledged', async () => {
    const { writeFile } = await import('node:fs/promises');
    const s = await openSession(defaultPolicy(), dir.path);
    // The disk changes under the running session: a file where the acceptances folder should be.
    await writeFile(`${dir.path}/acceptances`, 'not a folder');
    await s.rt.intent({ type: 'acceptAgreement', agreementId: 'pupil-aua', version: '1' });
    expect(s.rt.view()).toMatchObject({
      screen: 'agreement',
      agreement: { id: 'pupil-aua' },
      error: { key: 'agreement.saveFailed' },
    });
    const events = (await s.audit()).map((r) => r.event);
    expect(events).toContain('agreement.saveFailed');
    expect(events).not.toContain('agreement.accepted');
  });

  it('a damaged throttle file means the longest wait, not none', async () => {
    const s = await enrolledTeacher();
    const { mkdir, writeFile, readdir } = await import('node:fs/promises');
    await s.rt.lockNow();
    await s.rt.intent({ type: 'unlock', method: 'pin', secret: 'wrong1!' });
    const files = await readdir(`${dir.path}/throttle`);
    await mkdir(`${dir.path}/throttle`, { recursive: true });
    await writeFile(`${dir.path}/throttle/${files[0]}`, '{"failures": "lots"');
    await s.rt.intent({ type: 'unlock', method: 'pin', secret: 'ab12!x' });
    expect(s.rt.view()).toMatchObject({
      screen: 'locked',
      message: { key: 'unlock.wait', params: { seconds: 900 } },
    });
  });

  it('a recording shell sees every view change only once', async () => {
    const shell = new RecordingShell();
    const s = await openSession(defaultPolicy(), dir.path, { shell });
    await s.rt.idle(0);
    await s.rt.idle(0);
    const screens = shell.views.map((v) => v.screen);
    expect(screens).toEqual(['agreement']);
  });
});

describe('unlock PINs at rest', () => {
  it('are stored owner-only, as a salted scrypt hash and never the PIN itself', async () => {
    const s = await enrolledTeacher();
    const { readdir, readFile, stat } = await import('node:fs/promises');
    const [file] = await readdir(`${dir.path}/pins`);
    const path = `${dir.path}/pins/${file}`;
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const text = await readFile(path, 'utf8');
    expect(text).not.toContain('ab12!x');
    expect(JSON.parse(text).hash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(s.rt.view().screen).toBe('none');
  });

  it('that another session cannot read are reported as unavailable, not as a wrong PIN', async () => {
    const { PinVerifier } = await import('../../src/core/unlock/pin-verifier');
    const { PinStore } = await import('../../src/core/unlock/pin-store');
    const denied = Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
    const store = new PinStore(dir.path);
    store.get = async () => {
      throw denied;
    };
    const r = await new PinVerifier(store).verify('mrs.jones', 'ab12!x');
    expect(r).toMatchObject({ ok: false, kind: 'unavailable' });
    expect(r.ok ? '' : r.detail).toMatch(/school password or the IT override/);
  });
});

describe('the end of the school day', () => {
  it('logs off a session still open at 18:00 London time', async () => {
    const clock = new ManualClock(Date.parse('2026-11-23T17:58:00Z'));
    const s = await openSession(defaultPolicy(), dir.path, { clock });
    await acceptAll(s);
    for (let i = 0; i < 119; i++) {
      clock.advance(1000);
      await s.rt.intent({ type: 'activity' });
      await s.rt.idle(0);
    }
    expect(s.shell.logoffs).toBe(0);
    clock.advance(1000);
    await s.rt.idle(0);
    expect(s.rt.view()).toMatchObject({ screen: 'loggingOff', reason: 'endOfDay' });
  });

  const SIX_PM = Date.parse('2026-11-23T18:00:00Z'); // London is on GMT in November

  /** Time passes with someone at the keyboard: no idle lock gets in the way. */
  async function busyFor(s: TestSession, seconds: number) {
    for (let i = 0; i < seconds; i++) {
      s.clock.advance(1000);
      await s.rt.intent({ type: 'activity' });
      await s.rt.idle(0);
    }
  }

  it('warns warnMinutes before, once, and the warning stays until it is read', async () => {
    const clock = new ManualClock(Date.parse('2026-11-23T17:49:00Z'));
    const s = await openSession(defaultPolicy(), dir.path, { clock });
    await acceptAll(s);
    await busyFor(s, 59);
    expect(s.rt.view().screen).toBe('none');
    await busyFor(s, 1);
    expect(s.rt.view()).toMatchObject({ screen: 'endOfDay', logoffAt: SIX_PM, secondsLeft: 600 });
    // Typing on does not wave it away: it needs reading.
    await busyFor(s, 5);
    expect(s.rt.view()).toMatchObject({ screen: 'endOfDay', secondsLeft: 595 });
    await s.rt.intent({ type: 'dismissNotice', notice: 'endOfDay' });
    expect(s.rt.view().screen).toBe('none');
    await busyFor(s, 60);
    expect(s.rt.view().screen).toBe('none');
    const warned = (await s.audit()).filter((r) => r.event === 'session.endOfDayWarned');
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatchObject({
      user: 'SCHOOL\\y7.pupil',
      logoffAt: '2026-11-23T18:00:00.000Z',
    });
  });

  it('closing the internet notice does not close the end-of-day one, nor the other way round', async () => {
    const clock = new ManualClock(Date.parse('2026-11-23T17:55:00Z'));
    const s = await openSession(defaultPolicy(), dir.path, { clock });
    await acceptAll(s);
    await busyFor(s, 1);
    expect(s.rt.view().screen).toBe('endOfDay');
    await s.rt.intent({ type: 'dismissNotice', notice: 'internet' });
    expect(s.rt.view().screen).toBe('endOfDay');
  });

  it('an unattended teacher still locks while the warning shows; the lock says when the day ends', async () => {
    const clock = new ManualClock(Date.parse('2026-11-23T17:45:00Z'));
    const s = await openSession(defaultPolicy(), dir.path, {
      ...staff,
      hostname: 'ROOM12-CR-01',
      clock,
    });
    await acceptAll(s, 'Anne Jones');
    await s.rt.intent({ type: 'enrolPin', pin: 'ab12!x', confirm: 'ab12!x' });
    await busyFor(s, 5 * 60);
    expect(s.rt.view().screen).toBe('endOfDay');
    await s.idleFor(s.rt.snapshot().facts.timeouts.lockSeconds);
    expect(s.rt.view()).toMatchObject({
      screen: 'locked',
      logoffAt: SIX_PM,
      logoffReason: 'endOfDay',
    });
    await s.rt.intent({ type: 'unlock', method: 'pin', secret: 'ab12!x' });
    // Back at the desk: the warning is still there to be read.
    expect(s.rt.view()).toMatchObject({ screen: 'endOfDay', logoffAt: SIX_PM });
  });

  it('warns again when IT moves the end of the day later, and logs off at the new time', async () => {
    const clock = new ManualClock(Date.parse('2026-11-23T17:55:00Z'));
    const s = await openSession(defaultPolicy(), dir.path, { clock });
    await acceptAll(s);
    await busyFor(s, 1);
    await s.rt.intent({ type: 'dismissNotice', notice: 'endOfDay' });
    await s.rt.policyChanged(
      policyWith((p) => {
        p.serial += 1;
        p.endOfDay!.at = '18:30';
      }),
    );
    await busyFor(s, 6 * 60);
    expect(s.shell.logoffs).toBe(0);
    expect(s.rt.view().screen).toBe('none');
    clock.advance(18 * 60_000); // 18:19:01
    await busyFor(s, 58);
    expect(s.rt.view().screen).toBe('none');
    await busyFor(s, 1); // 18:20:00
    expect(s.rt.view()).toMatchObject({ screen: 'endOfDay', logoffAt: SIX_PM + 30 * 60_000 });
    clock.advance(10 * 60_000);
    await busyFor(s, 1);
    expect(s.rt.view()).toMatchObject({ screen: 'loggingOff', reason: 'endOfDay' });
  });

  it('shows no warning, and never logs off, when the policy has no end of day', async () => {
    const clock = new ManualClock(Date.parse('2026-11-23T17:49:00Z'));
    const s = await openSession(
      policyWith((p) => {
        delete p.endOfDay;
      }),
      dir.path,
      { clock },
    );
    await acceptAll(s);
    await busyFor(s, 60);
    clock.advance(60 * 60_000);
    await busyFor(s, 1);
    expect(s.rt.view().screen).toBe('none');
    expect(s.shell.logoffs).toBe(0);
  });

  it('lets an evening session opened after 18:00 run until the next evening', async () => {
    const clock = new ManualClock(Date.parse('2026-11-23T19:00:00Z'));
    const s = await openSession(defaultPolicy(), dir.path, { clock });
    expect(s.rt.snapshot().facts.endOfDayAt).toBe(Date.parse('2026-11-24T18:00:00Z'));
  });
});
