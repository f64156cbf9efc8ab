import type { Page } from 'playwright-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock';
import type { SessionRuntimeOptions } from '../../src/core/session/runtime';
import { defaultPolicy, policyWith, tempDir } from '../support/policy';
import { openSession, type TestSession } from '../support/session';
import {
  axeViolations,
  openScreens,
  screenshot,
  rendererAndBrowser,
  shownScreen,
  tabAround,
  type ScreenPage,
} from './harness';

/**
 * The flows of issues 2, 4 and 5 as a person goes through them: the built renderer in
 * Debian's Chromium, the real IPC handlers, and the real SessionRuntime (ManualClock, a
 * temp data folder, the shipped default policy) behind them.
 */
const screens = rendererAndBrowser();
let dir: { path: string; remove: () => Promise<void> };
const pages: ScreenPage[] = [];

beforeEach(async () => {
  dir = await tempDir('classlock-e2e-');
});
afterEach(async () => {
  for (const p of pages.splice(0)) await p.close();
  await dir.remove();
});

const teacher = {
  account: 'SCHOOL\\mrs.jones',
  groups: ['SCHOOL\\Teaching Staff'],
  hostname: 'ROOM12-LAB-01',
};
const visitor = { account: 'guest07', groups: [] };
const PIN = 'Tea4two!';

async function session(over: Partial<SessionRuntimeOptions> = {}, policy = defaultPolicy()) {
  const s = await openSession(policy, dir.path, over);
  const sp = await openScreens(screens.browser, screens.server, s.rt);
  pages.push(sp);
  return { s, sp, page: sp.page };
}

/** Waits until the page draws `screen` (and the runtime agrees). */
async function expectScreen(page: Page, s: TestSession, screen: string) {
  await expect.poll(() => shownScreen(page), { timeout: 5000 }).toBe(screen);
  expect(s.rt.view().screen).toBe(screen);
}

/** A teacher who has signed and set a PIN, straight through the runtime. */
async function enrolledTeacher() {
  const s = await openSession(defaultPolicy(), dir.path, teacher);
  for (let v = s.rt.view(); v.screen === 'agreement'; v = s.rt.view()) {
    await s.rt.intent({
      type: 'acceptAgreement',
      agreementId: v.agreement.id,
      version: v.agreement.version,
      typedName: 'Anne Jones',
    });
  }
  await s.rt.intent({ type: 'enrolPin', pin: PIN, confirm: PIN });
  expect(s.rt.view().screen).toBe('none');
  return s;
}

async function checkScreen(sp: ScreenPage, shot?: string) {
  expect(await axeViolations(sp.page)).toEqual([]);
  if (shot) await screenshot(sp.page, shot);
  expect(sp.problems).toEqual([]);
}

describe('a pupil (issue 2)', () => {
  it('agrees after reading to the end; a warning stays while the mouse moves, and goes at a click', async () => {
    const { s, sp, page } = await session();
    await expectScreen(page, s, 'agreement');
    await checkScreen(sp, 'agreement');
    const agree = page.getByRole('button', { name: 'I agree' });
    expect(
      await page.getByText('Scroll down to read it all, then say “I agree”.').isVisible(),
    ).toBe(true);

    // Keyboard alone: focus starts on the text, End scrolls it to the bottom, Tab past the
    // monitoring notice to the box; "I agree" pressed before ticking says so, and moves
    // focus to the summary, whose line leads back to the box.
    const focused = () => page.evaluate(() => document.activeElement?.outerHTML.slice(0, 60));
    expect(
      await page.getByTestId('agreement-text').evaluate((e) => e === document.activeElement),
    ).toBe(true);
    await page.keyboard.press('End');
    await expect.poll(() => page.getByText('You have reached the end.').isVisible()).toBe(true);
    await page.keyboard.press('Tab');
    expect(await focused()).toMatch(/^<summary>How the school checks computer use/);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await agree.evaluate((b) => b === document.activeElement)).toBe(true);
    await page.keyboard.press('Enter');
    const summary = page.getByTestId('error-summary');
    await expect.poll(() => summary.evaluate((e) => e === document.activeElement)).toBe(true);
    expect(await summary.locator('li').allInnerTexts()).toEqual([
      'Tick the box to say you will keep to it.',
    ]);
    await checkScreen(sp, 'agreement-pressed-early');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab');
    expect(await agree.evaluate((b) => b === document.activeElement)).toBe(true);
    await page.keyboard.press('Enter');
    await expectScreen(page, s, 'none');

    // Lab PC, pupil: lock at 600 s idle with a 60 s warning.
    await s.idleFor(540);
    await sp.settled();
    await expectScreen(page, s, 'warning');
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Locking in 60 seconds');
    await s.idleFor(3, 540);
    await sp.settled();
    await expect
      .poll(() => page.getByRole('heading', { level: 1 }).innerText())
      .toBe('Locking in 57 seconds');
    await checkScreen(sp, 'warning');
    // Moving the mouse (towards "Hide the screen", say) does not take the warning away,
    // even as the OS sees the input; a click or a key is an answer.
    await page.mouse.move(200, 200);
    await page.mouse.move(420, 380, { steps: 5 });
    await s.idleFor(1, -1);
    await page.waitForTimeout(600);
    expect(s.rt.view().screen).toBe('warning');
    await page.mouse.click(200, 200);
    await expectScreen(page, s, 'none');
    // The cancelled warning starts the count again: no lock one second later.
    await s.idleFor(1, 0);
    expect(s.rt.view().screen).toBe('none');
  });

  it('is asked once more after "I don\'t agree", and "Sign me out" logs off', async () => {
    const { s, sp, page } = await session();
    await expectScreen(page, s, 'agreement');
    await page.getByRole('button', { name: 'I don’t agree' }).click();
    await expect
      .poll(() => page.getByRole('heading', { name: 'Are you sure?' }).isVisible())
      .toBe(true);
    // Focus moves to the safe choice.
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Go back');
    await checkScreen(sp, 'agreement-confirm-decline');
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.getByRole('button', { name: 'I don’t agree' }).isVisible())
      .toBe(true);
    expect(s.shell.logoffs).toBe(0);

    await page.getByRole('button', { name: 'I don’t agree' }).click();
    await page.getByRole('button', { name: 'Sign me out' }).click();
    await expectScreen(page, s, 'loggingOff');
    expect(await page.locator('main').innerText()).toContain('You did not agree');
    expect(s.shell.logoffs).toBe(1);
    expect((await s.audit()).map((r) => r.event)).toContain('agreement.declined');
    await checkScreen(sp, 'loggingOff');
  });
});

describe('a teacher (issue 2)', () => {
  it('signs with a typed name, sets a PIN, is locked when idle, waits after wrong PINs and unlocks', async () => {
    const { s, sp, page } = await session(teacher);
    await expectScreen(page, s, 'agreement');
    const accept = page.getByRole('button', { name: 'I agree' });
    await page.getByTestId('agreement-text').evaluate((e) => e.scrollTo(0, e.scrollHeight));
    const name = page.getByLabel('Type your name to sign');
    await name.fill('A.');
    await accept.click();
    await expect
      .poll(() => page.locator('.inline-error').textContent())
      .toBe('Error: Type your name to sign the agreement.');
    expect(s.rt.view().screen).toBe('agreement');
    await name.fill('Anne Jones');
    await page.getByTestId('agreement-text').evaluate((e) => e.scrollTo(0, 0));
    await checkScreen(sp, 'agreement-staff');
    await accept.click();

    await expectScreen(page, s, 'pinEnrol');
    const rules = await page.locator('ul.rules').innerText();
    expect(rules).toContain('6 to 8 characters');
    expect(rules).toContain('at least one symbol');
    await page.getByLabel('New PIN').fill('abc');
    await page.getByLabel('Type the same PIN again').fill('abc');
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.getByRole('alert').innerText())
      .toBe('Your PIN is too short. Use at least 6 characters.');
    await checkScreen(sp, 'pinEnrol');
    await page.getByLabel('New PIN').fill(PIN);
    await page.getByLabel('Type the same PIN again').fill(PIN);
    await page.getByRole('button', { name: 'Save my PIN' }).click();
    await expectScreen(page, s, 'none');
    const accepted = (await s.audit()).find((r) => r.event === 'agreement.accepted');
    expect(accepted).toMatchObject({ typedName: 'Anne Jones' });

    // Lab PC, staff: lock at 180 s.
    await s.idleFor(180);
    await sp.settled();
    await expectScreen(page, s, 'locked');
    const lock = page.locator('main');
    expect(await lock.innerText()).toContain('Signed in: mrs.jones');
    expect(await lock.innerText()).toContain('Locked since 09:');
    await checkScreen(sp, 'locked');

    const pinBox = page.getByLabel('Your PIN');
    const unlock = page.getByRole('button', { name: 'Unlock', exact: true });
    const message = page.locator('.unlock-box .alert');
    const wrong = async (n: number) => {
      await pinBox.fill(`wrong${n}!`);
      await pinBox.press('Enter');
      await expect
        .poll(() => s.rt.view().screen === 'locked' && s.rt.view())
        .toMatchObject({ failedAttempts: n });
      await sp.settled();
    };
    // Before the first wait, the lock says how many tries are left.
    await wrong(1);
    await expect
      .poll(() => message.innerText())
      .toBe('That was not right. You have 2 more tries before you must wait.');
    await wrong(2);
    await expect
      .poll(() => message.innerText())
      .toBe('That was not right. You have 1 more try before you must wait.');
    // The third wrong PIN earns a wait, and each one after doubles it.
    await wrong(3);
    await expect.poll(() => message.innerText()).toContain('Please wait 5 seconds');
    await checkScreen(sp, 'locked-wait');
    // The core counts down, once a second; the screen draws what it is given.
    await s.idleFor(2, 180);
    await sp.settled();
    await expect.poll(() => message.innerText()).toContain('Please wait 3 seconds');
    let idle = 182;
    for (const [n, wait] of [
      [4, 10],
      [5, 20],
    ] as const) {
      await s.idleFor(wait / 2, idle);
      idle += wait / 2;
      await sp.settled();
      await pinBox.fill('x');
      await expect.poll(() => message.innerText()).not.toContain('Please wait');
      await wrong(n);
      await expect.poll(() => message.innerText()).toContain(`Please wait ${wait} seconds`);
    }
    await s.idleFor(20, idle);
    await sp.settled();
    await pinBox.fill(PIN);
    await expect.poll(() => message.innerText()).not.toContain('Please wait');
    await unlock.click();
    await expectScreen(page, s, 'none');
    expect((await s.audit()).filter((r) => r.event === 'unlock.failed')).toHaveLength(5);
  });

  it('while locked, nothing behind the lock takes the keyboard or the mouse', async () => {
    const s = await enrolledTeacher();
    const sp = await openScreens(screens.browser, screens.server, s.rt);
    pages.push(sp);
    const { page } = sp;
    await s.rt.lockNow();
    await sp.settled();
    await expectScreen(page, s, 'locked');
    const inside = await tabAround(page, 30, 'main[data-screen="locked"]');
    expect(inside).toEqual(Array(30).fill(true));

    const hits = [];
    for (const [x, y] of [
      [2, 2],
      [640, 20],
      [1278, 798],
      [40, 700],
      [1200, 400],
      [640, 400],
    ] as const) {
      hits.push(
        await page.evaluate(
          (at) => !!document.elementFromPoint(at.x, at.y)?.closest('main[data-screen="locked"]'),
          { x, y },
        ),
      );
      await page.mouse.click(x, y);
    }
    expect(hits).toEqual(Array(6).fill(true));
    // Clicks on the backdrop leave the session locked and focus within the lock.
    expect(s.rt.view().screen).toBe('locked');
    expect((await tabAround(page, 3, 'main[data-screen="locked"]')).every(Boolean)).toBe(true);
    expect(sp.problems).toEqual([]);
  });
});

describe('sanctions (issue 4)', () => {
  it('a pupil with a network sanction sees why, until when and whom to see, then is logged off', async () => {
    const policy = policyWith((p) => {
      p.sanctions.push({
        id: 'net-1',
        user: 'y7.pupil',
        scope: 'network',
        kind: 'sanction',
        until: '2026-12-04',
        reason: 'Logging in as another pupil.',
        issuedBy: 'Mr Patel',
        issuedAt: '2026-11-20',
      });
    });
    const { s, sp, page } = await session({}, policy);
    await expectScreen(page, s, 'blocked');
    await page.getByText('Why?').click();
    const text = await page.locator('main').innerText();
    expect(text).toContain('Your network access has been turned off');
    expect(text).toContain('Logging in as another pupil.');
    expect(text).toContain('4 December 2026');
    expect(text).toMatch(/signed out in \d+ seconds/);
    await checkScreen(sp, 'blocked');
    await s.idleFor(policy.sanctionSettings.blockedLogoffSeconds);
    await sp.settled();
    await expectScreen(page, s, 'loggingOff');
    expect(s.shell.logoffs).toBe(1);
  });

  it('a network sanction mid-session gives time to go back and save work, then signs out', async () => {
    const { s, sp, page } = await session(
      {},
      policyWith((p) => {
        p.agreements = [];
      }),
    );
    await expectScreen(page, s, 'none');
    await s.rt.policyChanged(
      policyWith((p) => {
        p.agreements = [];
        p.sanctions.push({
          id: 'net-2',
          user: 'y7.pupil',
          scope: 'network',
          kind: 'sanction',
          reason: 'Logging in as another pupil.',
          issuedBy: 'Mr Patel',
          issuedAt: '2026-11-20',
        });
      }),
    );
    await sp.settled();
    await expectScreen(page, s, 'blocked');
    expect(await page.locator('main').innerText()).toContain(
      'You will be signed out in about 5 minutes. Save your work now.',
    );
    await checkScreen(sp, 'blocked-go-back');
    await page.getByRole('button', { name: 'Go back and save my work' }).click();
    await expectScreen(page, s, 'none');
    await s.idleFor(300, -1);
    await sp.settled();
    await expectScreen(page, s, 'loggingOff');
    expect(s.shell.logoffs).toBe(1);
  });

  it('an internet sanction is told once: "I understand" returns to the desktop', async () => {
    const policy = policyWith((p) => {
      p.sanctions.push({
        id: 'web-1',
        user: 'SCHOOL\\y7.pupil',
        scope: 'internet',
        kind: 'sanction',
        reason: 'Games sites in lessons.',
        issuedBy: 'Mr Patel',
        issuedAt: '2026-11-20',
      });
      p.agreements = [];
    });
    const { s, sp, page } = await session({}, policy);
    await expectScreen(page, s, 'blocked');
    expect(await page.getByText('Until a member of staff lifts it').isVisible()).toBe(true);
    await checkScreen(sp);
    await page.getByRole('button', { name: 'I understand' }).click();
    await expectScreen(page, s, 'none');
  });
});

describe('a Welsh-speaking pupil (issue 11)', () => {
  it('reads the agreement in Welsh, in a Welsh interface, and agrees', async () => {
    const { s, sp, page } = await session({ locale: 'cy' });
    await expectScreen(page, s, 'agreement');
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe(
      'Fy addewid cyfrifiadur',
    );
    expect(await page.getByTestId('agreement-text').innerText()).toContain(
      'Byddaf yn mewngofnodi fel fi fy hun yn unig.',
    );
    await page.getByTestId('agreement-text').evaluate((e) => e.scrollTo(0, e.scrollHeight));
    await page.getByLabel('Rwyf wedi darllen hwn a byddaf yn cadw ato').check();
    await checkScreen(sp, 'agreement-welsh');
    await page.getByRole('button', { name: 'Rwy’n cytuno' }).click();
    await expectScreen(page, s, 'none');
  });
});

describe('pupils and visitors (issue 5)', () => {
  it('"Hide the screen and tell a teacher" covers it until a member of staff returns with their PIN', async () => {
    await enrolledTeacher();
    const policy = policyWith((p) => {
      p.agreements = [];
    });
    const { s, sp, page } = await session({}, policy);
    await s.idleFor(540);
    await sp.settled();
    await expectScreen(page, s, 'warning');
    // Keyboard users reach it too: the press lands on the button itself.
    await page.getByRole('button', { name: 'Hide the screen and tell a teacher' }).click();
    await expectScreen(page, s, 'locked');
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('The screen is hidden');
    await checkScreen(sp, 'locked-concern');

    // A pupil's own attempt does not return to the session.
    await page.getByLabel('Staff username').fill('y7.pupil');
    await page.getByLabel('Staff PIN').fill('guess12!');
    await page.getByRole('button', { name: 'Return to the session' }).click();
    await expect.poll(() => page.locator('.unlock-box .alert').innerText()).not.toBe('');
    expect(s.rt.view().screen).toBe('locked');

    // No PIN for that name here: the lock says so and moves on to the override code.
    expect(await page.locator('.unlock-box .alert').innerText()).toContain(
      'no PIN for that account',
    );
    expect(await page.getByLabel('IT override code').isChecked()).toBe(true);

    await page.getByLabel('PIN', { exact: true }).check();
    await page.getByLabel('Staff username').fill('mrs.jones');
    await page.getByLabel('Staff PIN').fill(PIN);
    await page.getByRole('button', { name: 'Return to the session' }).click();
    await expectScreen(page, s, 'none');
    expect((await s.audit()).map((r) => r.event)).toContain('concern.raised');
  });

  it('a visitor agrees, then waits until a member of staff starts the session', async () => {
    await enrolledTeacher();
    const { s, sp, page } = await session(visitor);
    await expectScreen(page, s, 'agreement');
    expect(await page.locator('.kicker').innerText()).toMatch(/visitor agreement/i);
    await page.getByTestId('agreement-text').evaluate((e) => e.scrollTo(0, e.scrollHeight));
    await page.getByLabel('I have read this and I will keep to it').check();
    await page.getByRole('button', { name: 'I agree' }).click();
    await expectScreen(page, s, 'locked');
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe(
      'Waiting for a member of staff',
    );
    await checkScreen(sp, 'locked-visitor');
    await page.getByLabel('Staff username').fill('mrs.jones');
    await page.getByLabel('Staff PIN').fill(PIN);
    await page.getByRole('button', { name: 'Start the visitor session' }).click();
    await expectScreen(page, s, 'none');
    expect((await s.audit()).find((r) => r.event === 'visitor.authorised')).toMatchObject({
      actor: 'mrs.jones',
      method: 'pin',
    });

    // The policy limits the visit (60 minutes by default), however busy the visitor is.
    s.clock.advance(60 * 60_000 - 1000);
    await s.rt.intent({ type: 'activity' });
    await s.rt.idle(0);
    expect(s.rt.view().screen).toBe('none');
    s.clock.advance(1000);
    await s.rt.intent({ type: 'activity' });
    await s.rt.idle(0);
    await sp.settled();
    await expectScreen(page, s, 'loggingOff');
    expect(await page.locator('main').innerText()).toContain(
      'The time for this visitor session is over.',
    );
    expect(s.shell.logoffs).toBe(1);
  });

  it('a pupil who walks away is locked, told to ask their teacher, and signed out later to free the PC', async () => {
    const policy = policyWith((p) => {
      p.agreements = [];
      p.unlock.pupilSelfResume = false;
    });
    const { s, sp, page } = await session({}, policy);
    const { lockSeconds, logoffAfterLockSeconds } = s.rt.snapshot().facts.timeouts;
    await s.idleFor(lockSeconds);
    await sp.settled();
    await expectScreen(page, s, 'locked');
    const main = page.locator('main');
    expect(await main.innerText()).toContain('Ask your teacher to unlock this computer.');
    const lockedAt = Date.parse(
      s.rt.view().screen === 'locked' ? (s.rt.view() as { since: string }).since : '',
    );
    const endsAt = new Date(lockedAt + logoffAfterLockSeconds! * 1000);
    const hhmm = endsAt.toISOString().slice(11, 16); // the test machine keeps UTC; London is on GMT
    expect(await main.innerText()).toContain(
      `this session will end at ${hhmm} to free the computer`,
    );
    await s.idleFor(logoffAfterLockSeconds! - 1, lockSeconds);
    expect(s.rt.view().screen).toBe('locked');
    await s.idleFor(1, lockSeconds + logoffAfterLockSeconds! - 1);
    await sp.settled();
    await expectScreen(page, s, 'loggingOff');
    expect(await main.innerText()).toContain('Nobody used this computer for a long time');
    expect(s.shell.logoffs).toBe(1);
  });

  it('the end of the school day is announced ten minutes ahead, then the session signs out', async () => {
    const clock = new ManualClock(Date.parse('2026-11-23T17:49:58Z'));
    const policy = policyWith((p) => {
      p.agreements = [];
    });
    const { s, sp, page } = await session({ clock }, policy);
    await expectScreen(page, s, 'none');
    await s.idleFor(2);
    await sp.settled();
    await expectScreen(page, s, 'endOfDay');
    const lead = await page.locator('main').innerText();
    expect(lead).toContain('sign you out at 18:00, in about 10 minutes');
    await checkScreen(sp, 'end-of-day');
    // Focus waits on the one button: Enter goes back to save work.
    await page.keyboard.press('Enter');
    await expectScreen(page, s, 'none');
    clock.advance(10 * 60_000);
    await s.rt.intent({ type: 'activity' });
    await s.rt.idle(0);
    await sp.settled();
    await expectScreen(page, s, 'loggingOff');
    expect(await page.locator('main').innerText()).toContain('The school day has ended');
    expect(s.shell.logoffs).toBe(1);
  });
});
