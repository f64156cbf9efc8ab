import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PolicySchema } from '../../src/core/policy/schema';
import { isSignatureName } from '../../src/shared/typed-name';
import { trayTexts } from '../../src/shared/tray-texts';
import { defaultPolicy, policyWith, tempDir } from '../support/policy';
import { openSession, type TestSession } from '../support/session';

/**
 * The decisions behind the screens of issue 11, through the real SessionRuntime and the
 * shipped default policy: what each View carries, and when.
 */
let dir: { path: string; remove: () => Promise<void> };
beforeEach(async () => {
  dir = await tempDir();
});
afterEach(async () => dir.remove());

const staff = { account: 'SCHOOL\\mrs.jones', groups: ['SCHOOL\\Teaching Staff'] };
const noAgreements = () =>
  policyWith((p) => {
    p.agreements = [];
  });

async function acceptAll(s: TestSession, typedName?: string) {
  for (let v = s.rt.view(); v.screen === 'agreement'; v = s.rt.view()) {
    await s.rt.intent({
      type: 'acceptAgreement',
      agreementId: v.agreement.id,
      version: v.agreement.version,
      ...(typedName ? { typedName } : {}),
    });
  }
}

describe('signing the staff agreement', () => {
  it('takes a single name, and refuses initials or numbers in the core too', async () => {
    expect(['Sukarno', 'Jo', 'Anne Jones', "O'Brien", 'Siân'].map(isSignatureName)).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(['A B', '12 34', '', '  ', 'J.'].map(isSignatureName)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
    const s = await openSession(defaultPolicy(), dir.path, staff);
    const v = s.rt.view();
    if (v.screen !== 'agreement') throw new Error(`expected the agreement, got ${v.screen}`);
    await s.rt.intent({
      type: 'acceptAgreement',
      agreementId: v.agreement.id,
      version: v.agreement.version,
      typedName: 'A B',
    });
    expect(s.rt.view()).toMatchObject({
      screen: 'agreement',
      error: { key: 'agreement.nameRequired' },
    });
    await s.rt.intent({
      type: 'acceptAgreement',
      agreementId: v.agreement.id,
      version: v.agreement.version,
      typedName: '  Sukarno ',
    });
    expect(s.rt.view().screen).toBe('pinEnrol');
    expect((await s.audit()).find((r) => r.event === 'agreement.accepted')).toMatchObject({
      typedName: 'Sukarno',
    });
  });
});

describe('the agreement for the youngest (Key Stage 1)', () => {
  it('is given by role rule to a Year 1 pupil: six promises, each with a picture', async () => {
    const s = await openSession(defaultPolicy(), dir.path, {
      account: 'SCHOOL\\y1.ali',
      groups: ['SCHOOL\\Year 1'],
    });
    const v = s.rt.view();
    if (v.screen !== 'agreement') throw new Error(`expected the agreement, got ${v.screen}`);
    expect(v.agreement.id).toBe('pupil-ks1');
    expect(v.count).toBe(1);
    expect(v.agreement.promises).toHaveLength(6);
    expect(v.agreement.promises!.map((p) => p.picture)).toEqual([
      'me',
      'secret',
      'kind',
      'tell',
      'ask',
      'logoff',
    ]);
    // An older pupil gets the written agreement, not the pictures.
    const older = await openSession(defaultPolicy(), dir.path, { account: 'SCHOOL\\y7.sam' });
    const o = older.rt.view();
    expect(o.screen === 'agreement' && o.agreement.id).toBe('pupil-aua');
    expect(o.screen === 'agreement' && o.agreement.promises).toBeUndefined();
  });

  it('is asked again when a promise changes, even at the same version', async () => {
    const ks1 = { account: 'SCHOOL\\y2.mo', groups: ['KS1'] };
    await acceptAll(await openSession(defaultPolicy(), dir.path, ks1));
    expect((await openSession(defaultPolicy(), dir.path, ks1)).rt.view().screen).toBe('none');
    const changed = policyWith((p) => {
      p.agreements.find((a) => a.id === 'pupil-ks1')!.promises![2]!.text = 'I am kind to others.';
    });
    expect((await openSession(changed, dir.path, ks1)).rt.view().screen).toBe('agreement');
  });

  it('is refused in words when a policy asks for too much', () => {
    const said = (change: (ks1: { promises?: { text: string; picture: string }[] }) => void) => {
      const p = structuredClone(defaultPolicy());
      change(p.agreements.find((a) => a.id === 'pupil-ks1')!);
      const r = PolicySchema.safeParse(p);
      return r.success
        ? ''
        : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n');
    };
    expect(
      said((a) => a.promises!.push({ text: 'I sit up straight.', picture: 'kind' })),
    ).toContain('at most six promises');
    expect(said((a) => (a.promises![0]!.picture = 'chair'))).toMatch(
      /promises\.0\.picture: is not a picture Classlock can draw \(use one of: me, secret/,
    );
    expect(said((a) => a.promises!.pop())).toContain('has 6 promises; the agreement has 5');
    expect(said((a) => (a.promises![0]!.text = 'x'.repeat(81)))).toContain(
      'keep a promise short: at most 80 characters',
    );

    const orphan = structuredClone(defaultPolicy());
    orphan.roleMapping.rules = orphan.roleMapping.rules.filter((rule) => !rule.audience);
    const o = PolicySchema.safeParse(orphan);
    expect(o.error?.issues.map((i) => i.message)).toContain(
      'no role rule gives the audience "ks1", so nobody would see this agreement',
    );
  });
});

describe('a new version of an agreement', () => {
  it('says what changed to those who accepted the old one, and not to a first reader', async () => {
    await acceptAll(await openSession(defaultPolicy(), dir.path));
    const v2 = policyWith((p) => {
      const a = p.agreements.find((x) => x.id === 'pupil-aua')!;
      a.version = '2';
      a.changes = 'Promise 8 now names the school’s own video site.';
      a.locales.cy!.changes = 'Mae addewid 8 nawr yn enwi gwefan fideo’r ysgol.';
    });
    const again = (await openSession(v2, dir.path)).rt.view();
    expect(again.screen === 'agreement' && again.agreement.changes).toBe(
      'Promise 8 now names the school’s own video site.',
    );
    const welsh = (await openSession(v2, dir.path, { locale: 'cy' })).rt.view();
    expect(welsh.screen === 'agreement' && welsh.agreement.changes).toBe(
      'Mae addewid 8 nawr yn enwi gwefan fideo’r ysgol.',
    );
    const first = (await openSession(v2, dir.path, { account: 'SCHOOL\\new.pupil' })).rt.view();
    expect(first.screen).toBe('agreement');
    expect(first.screen === 'agreement' && first.agreement.changes).toBeUndefined();
  });
});

describe('the user’s language', () => {
  it('chooses the agreement, the rules and the notices: Welsh for cy and cy-GB', async () => {
    for (const locale of ['cy', 'cy-GB']) {
      const s = await openSession(defaultPolicy(), dir.path, { locale });
      const v = s.rt.view();
      if (v.screen !== 'agreement') throw new Error(`expected the agreement, got ${v.screen}`);
      expect(v.locale).toBe(locale);
      expect(v.agreement.title).toBe('Fy addewid cyfrifiadur');
      expect(v.agreement.body).toContain('Byddaf yn mewngofnodi fel fi fy hun yn unig.');
      expect(v.notices?.[0]?.title).toBe('Sut mae’r ysgol yn gwirio defnydd cyfrifiaduron');
      expect(s.rt.snapshot().facts.rules[0]).toMatch(/^Mewngofnodwch fel chi eich hun/);
    }
    const english = (await openSession(defaultPolicy(), dir.path, { locale: 'en-GB' })).rt.view();
    expect(english.screen === 'agreement' && english.agreement.title).toBe('My computer promise');
    expect(trayTexts('cy-GB').lockNow).toBe('Cloi nawr');
    expect(trayTexts('fr').lockNow).toBe('Lock now');
  });
});

describe('the monitoring notice', () => {
  it('comes with the agreement at sign-in, and opens from the desktop and closes again', async () => {
    const s = await openSession(defaultPolicy(), dir.path);
    const v = s.rt.view();
    expect(v.screen === 'agreement' && v.notices?.map((n) => n.id)).toEqual(['monitoring']);
    await acceptAll(s);
    const desk = s.rt.view();
    expect(desk.screen === 'none' && desk.notices).toEqual([
      { id: 'monitoring', title: 'How the school checks computer use' },
    ]);
    await s.rt.intent({ type: 'showNotice', id: 'no-such-notice' });
    expect(s.rt.view().screen).toBe('none');
    await s.rt.intent({ type: 'showNotice', id: 'monitoring' });
    const shown = s.rt.view();
    expect(shown.screen === 'notice' && shown.notice.body).toContain('What is recorded');
    await s.rt.intent({ type: 'dismissNotice', notice: 'policy' });
    expect(s.rt.view().screen).toBe('none');
    // Neither a notice nor "go back" opens anything over, or out of, a lock.
    await s.rt.lockNow();
    await s.rt.intent({ type: 'showNotice', id: 'monitoring' });
    await s.rt.intent({ type: 'dismissNotice', notice: 'network' });
    expect(s.rt.view().screen).toBe('locked');
  });
});

describe('the safety button', () => {
  it('is in every View of a pupil at the desktop, with the shortcut the shell registered', async () => {
    const s = await openSession(noAgreements(), dir.path, { hideScreenShortcut: 'Ctrl+Alt+H' });
    expect(s.rt.view()).toMatchObject({ screen: 'none', hideScreen: { shortcut: 'Ctrl+Alt+H' } });
    await s.idleFor(540);
    expect(s.rt.view()).toMatchObject({
      screen: 'warning',
      hideScreen: { shortcut: 'Ctrl+Alt+H' },
    });
    const teacher = await openSession(noAgreements(), dir.path, staff);
    expect(teacher.rt.view().hideScreen).toBeUndefined();
  });

  it('is not taken away by a pupil reaching for it: input seen by the OS keeps the warning up', async () => {
    const s = await openSession(noAgreements(), dir.path);
    await s.idleFor(540);
    expect(s.rt.view().screen).toBe('warning');
    // The mouse moves towards the button: the OS idle counter drops to zero.
    await s.idleFor(3, -1);
    expect(s.rt.view().screen).toBe('warning');
    await s.rt.intent({ type: 'hideScreen' });
    expect(s.rt.view()).toMatchObject({ screen: 'locked', reason: 'concern' });
    expect((await s.audit()).map((r) => r.event)).toContain('concern.raised');
  });

  it('a pupil warning nobody answers still locks on time; an answer on it ends it', async () => {
    const s = await openSession(noAgreements(), dir.path);
    await s.idleFor(540);
    await s.idleFor(59, -1); // the OS sees input, but nobody answers the warning
    expect(s.rt.view().screen).toBe('warning');
    await s.idleFor(1, -1);
    expect(s.rt.view()).toMatchObject({ screen: 'locked', reason: 'idle' });

    const t = await openSession(noAgreements(), `${dir.path}/other`, {
      account: 'SCHOOL\\y7.other',
    });
    await t.idleFor(540);
    await t.rt.intent({ type: 'activity' });
    expect(t.rt.view().screen).toBe('none');
  });

  it('the hidden screen names who looks after worries, then who has been told', async () => {
    const policy = policyWith((p) => {
      p.agreements = [];
      p.organisation.safeguardingContact = 'Mrs Ahmed, our safeguarding lead';
    });
    const s = await openSession(policy, dir.path);
    await s.rt.hideScreen();
    expect(s.rt.view()).toMatchObject({
      screen: 'locked',
      reason: 'concern',
      safeguardingContact: 'Mrs Ahmed, our safeguarding lead',
      organisation: { name: 'Example Primary School', itContact: 'the IT office' },
    });
    expect(s.rt.view().screen === 'locked' && 'toldWho' in s.rt.view()).toBe(false);
    // The hub's word that someone was told reaches the same screen.
    await s.rt.concernNotified('Mr Khan');
    expect(s.rt.view()).toMatchObject({ screen: 'locked', toldWho: 'Mr Khan' });
    // Only a hidden screen names anyone: an ordinary lock ignores the word.
    const idle = await openSession(policy, `${dir.path}/idle`, { account: 'SCHOOL\\y7.idle' });
    await idle.rt.lockNow();
    await idle.rt.concernNotified('Mr Khan');
    expect(idle.rt.view()).toMatchObject({ screen: 'locked', reason: 'lockNow' });
    expect(idle.rt.view().screen === 'locked' && 'toldWho' in idle.rt.view()).toBe(false);
  });
});

describe('the lock', () => {
  it('says how many tries are left before the first wait', async () => {
    const s = await openSession(defaultPolicy(), dir.path, staff);
    await acceptAll(s, 'Anne Jones');
    await s.rt.intent({ type: 'enrolPin', pin: 'ab12!x', confirm: 'ab12!x' });
    await s.rt.lockNow();
    const messages = [];
    for (let i = 0; i < 3; i++) {
      const v = await s.rt.intent({ type: 'unlock', method: 'pin', secret: 'wrong1!' });
      messages.push(v.screen === 'locked' ? v.message : undefined);
    }
    expect(messages).toEqual([
      { key: 'unlock.wrong', params: { triesLeft: 2 } },
      { key: 'unlock.wrong', params: { triesLeft: 1 } },
      { key: 'unlock.wait', params: { seconds: 5 } },
    ]);
  });
});

describe('a network sanction', () => {
  const sanction = {
    id: 'net-9',
    user: 'SCHOOL\\y7.pupil',
    scope: 'network' as const,
    kind: 'sanction' as const,
    reason: 'Logging in as another pupil.',
    issuedBy: 'Mr Patel',
    issuedAt: '2026-11-20',
  };

  it('arriving mid-session lets the pupil go back and save, shows the last minute, then signs out', async () => {
    const s = await openSession(noAgreements(), dir.path);
    const policy = policyWith((p) => {
      p.agreements = [];
      p.sanctions.push(sanction);
    });
    await s.rt.policyChanged(policy);
    expect(s.rt.view()).toMatchObject({ screen: 'blocked', canGoBack: true, secondsLeft: 300 });
    await s.rt.intent({ type: 'dismissNotice', notice: 'network' });
    expect(s.rt.view().screen).toBe('none');
    // Seen again for the last minute, and the logoff is not put off by it.
    await s.idleFor(239, -1);
    expect(s.rt.view().screen).toBe('none');
    await s.idleFor(1, -1);
    expect(s.rt.view()).toMatchObject({ screen: 'blocked', secondsLeft: 60, canGoBack: true });
    await s.rt.intent({ type: 'dismissNotice', notice: 'network' });
    await s.idleFor(59, -1);
    expect(s.shell.logoffs).toBe(0);
    await s.idleFor(1, -1);
    expect(s.rt.view()).toMatchObject({ screen: 'loggingOff', reason: 'sanction' });
    expect(s.shell.logoffs).toBe(1);
    expect((await s.audit()).filter((r) => r.event === 'sanction.blocked')).toHaveLength(1);
  });

  it('at sign-in offers no way back (there is no work to save)', async () => {
    const policy = policyWith((p) => {
      p.agreements = [];
      p.sanctions.push(sanction);
    });
    const s = await openSession(policy, dir.path);
    const v = s.rt.view();
    expect(v).toMatchObject({ screen: 'blocked', secondsLeft: 60 });
    expect(v.screen === 'blocked' && v.canGoBack).toBeUndefined();
    await s.rt.intent({ type: 'dismissNotice', notice: 'network' });
    expect(s.rt.view().screen).toBe('blocked');
  });

  it('lifted while the pupil is back at their work, it is gone without a logoff', async () => {
    const s = await openSession(noAgreements(), dir.path);
    await s.rt.policyChanged(
      policyWith((p) => {
        p.agreements = [];
        p.sanctions.push(sanction);
      }),
    );
    await s.rt.intent({ type: 'dismissNotice', notice: 'network' });
    await s.rt.policyChanged(noAgreements());
    await s.idleFor(400, -1);
    expect(s.shell.logoffs).toBe(0);
    expect(s.rt.view().screen).toBe('none');
  });
});

describe('a network sanction over a locked session (attacks)', () => {
  const sanctioned = () =>
    policyWith((p) => {
      p.agreements = [];
      p.sanctions.push({
        id: 'net-8',
        user: 'SCHOOL\\y7.pupil',
        scope: 'network',
        kind: 'sanction',
        reason: 'Logging in as another pupil.',
        issuedBy: 'Mr Patel',
        issuedAt: '2026-11-20',
      });
    });

  it('"Go back and save my work" leads back to the lock, never past it', async () => {
    const s = await openSession(noAgreements(), dir.path);
    await s.rt.lockNow();
    await s.rt.policyChanged(sanctioned());
    expect(s.rt.view()).toMatchObject({ screen: 'blocked', canGoBack: true });
    await s.rt.intent({ type: 'dismissNotice', notice: 'network' });
    expect(s.rt.view()).toMatchObject({ screen: 'locked', reason: 'lockNow' });
  });

  it('lifted while it covers a lock, the lock comes back, not the desktop', async () => {
    const s = await openSession(noAgreements(), dir.path);
    await s.rt.hideScreen();
    await s.rt.policyChanged(sanctioned());
    expect(s.rt.view().screen).toBe('blocked');
    await s.rt.policyChanged(noAgreements());
    expect(s.rt.view()).toMatchObject({ screen: 'locked', reason: 'concern' });
  });

  it('arriving on the agreement screen gives no way back to a desktop never opened', async () => {
    const s = await openSession(defaultPolicy(), dir.path);
    expect(s.rt.view().screen).toBe('agreement');
    await s.rt.policyChanged(
      policyWith((p) => {
        p.sanctions.push({
          id: 'net-7',
          user: 'SCHOOL\\y7.pupil',
          scope: 'network',
          kind: 'sanction',
          reason: 'x',
          issuedBy: 'Mr Patel',
          issuedAt: '2026-11-20',
        });
      }),
    );
    const v = s.rt.view();
    expect(v.screen).toBe('blocked');
    expect(v.screen === 'blocked' && v.canGoBack).toBeUndefined();
    await s.rt.intent({ type: 'dismissNotice', notice: 'network' });
    expect(s.rt.view().screen).toBe('blocked');
  });
});
