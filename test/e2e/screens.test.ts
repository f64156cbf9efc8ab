import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { View } from '../../src/shared/view';
import { FixtureSource, fixtures } from './fixtures';
import {
  axeViolations,
  openScreens,
  screenshot,
  rendererAndBrowser,
  shownScreen,
  type OpenOptions,
} from './harness';

/**
 * Every screen, drawn from Views the runtime reaches only after long set-up, in Debian's
 * Chromium through the real IPC handlers. The flows with the real runtime are in
 * flows.test.ts.
 */
const screens = rendererAndBrowser();

async function show(
  view: View,
  opts: OpenOptions = {},
  reply?: ConstructorParameters<typeof FixtureSource>[1],
) {
  const source = new FixtureSource(view, reply);
  const sp = await openScreens(screens.browser, screens.server, source, opts);
  if (view.screen !== 'none' && !opts.withoutBridge) {
    await sp.page.locator(`main[data-screen="${view.screen}"] h1`).first().waitFor();
  }
  return { source, sp, page: sp.page };
}

/** The message under the unlock box, as a sighted user reads it. */
const shownMessage = (page: Page) => page.locator('.unlock-box .alert').innerText();

describe('screens in Chromium', () => {
  // The rest of the screenshots come from the real runtime (flows.test.ts).
  const shots: Partial<Record<keyof typeof fixtures, string>> = {
    blockedOptOut: 'blocked-parental-opt-out',
    lockedPupil: 'locked-pupil',
  };
  it.each(Object.keys(fixtures) as (keyof typeof fixtures)[])(
    '%s passes axe (WCAG 2.2 A/AA), keeps to the CSP and logs no error',
    async (name) => {
      const view: View = fixtures[name];
      const { sp, page } = await show(view);
      expect(await shownScreen(page)).toBe(view.screen);
      expect(await axeViolations(page)).toEqual([]);
      const shot = shots[name];
      if (shot) await screenshot(page, shot);
      expect(sp.problems).toEqual([]);
      await sp.close();
    },
  );

  it('the axe check does find a fault when there is one', async () => {
    const { sp, page } = await show(fixtures.pinEnrol);
    await page.evaluate(() => {
      const input = document.createElement('input');
      input.type = 'text';
      document.querySelector('form')!.append(input);
    });
    expect((await axeViolations(page)).join('\n')).toMatch(/^label:/m);
    await sp.close();
  });

  it('short agreement text counts as read; raw HTML, links and remote pictures are not shown', async () => {
    const { source, sp, page } = await show(fixtures.agreementShort);
    await expect.poll(() => page.getByText('You have reached the end.').isVisible()).toBe(true);
    expect(await page.getByText('Agreement 1 of 2').isVisible()).toBe(true);
    const text = page.getByTestId('agreement-text');
    expect(await text.locator('b, a, img').count()).toBe(0);
    expect(await text.innerText()).toContain('a link');
    expect(await text.innerText()).not.toContain('<b>');
    // The box still has to be ticked: "I agree" is never greyed out, it says so instead.
    const agree = page.getByRole('button', { name: 'I agree' });
    expect(await agree.isEnabled()).toBe(true);
    await agree.click();
    const summary = page.getByTestId('error-summary');
    await expect
      .poll(() => summary.innerText())
      .toContain('Tick the box to say you will keep to it.');
    expect(await summary.innerText()).not.toContain('Read the agreement to the end');
    await page.getByLabel('I have read this and I will keep to it').check();
    await agree.click();
    await expect.poll(() => source.intents.length).toBe(1);
    expect(source.intents[0]).toEqual({
      type: 'acceptAgreement',
      agreementId: 'visitor-aua',
      version: '3',
    });
    expect(sp.problems).toEqual([]);
    await sp.close();
  });

  it('"I agree" pressed early says what is missing at the top and beside each control, and moves focus there', async () => {
    const { source, sp, page } = await show(fixtures.agreementStaff);
    await page.getByRole('button', { name: 'I agree' }).click();
    const summary = page.getByTestId('error-summary');
    await expect.poll(() => summary.isVisible()).toBe(true);
    expect(await summary.evaluate((e) => e === document.activeElement)).toBe(true);
    expect(await summary.locator('li').allInnerTexts()).toEqual([
      'Read the agreement to the end: scroll down to the end.',
      'Type your name to sign the agreement.',
    ]);
    // Beside the controls too, and each summary line takes you to its control.
    expect(await page.locator('.inline-error').allTextContents()).toEqual([
      'Error: Read the agreement to the end: scroll down to the end.',
      'Error: Type your name to sign the agreement.',
    ]);
    await summary.getByText('Type your name to sign the agreement.').click();
    const name = page.getByLabel('Type your name to sign');
    expect(await name.evaluate((e) => e === document.activeElement)).toBe(true);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'agreement-error-summary');
    // A single name is a signature; reading to the end clears the other line.
    await name.fill('Sukarno');
    await page.getByTestId('agreement-text').evaluate((e) => e.scrollTo(0, e.scrollHeight));
    await expect.poll(() => page.getByText('You have reached the end.').isVisible()).toBe(true);
    expect(await summary.count()).toBe(0);
    await page.getByRole('button', { name: 'I agree' }).click();
    await expect.poll(() => source.intents.length).toBe(1);
    expect(source.intents[0]).toMatchObject({ type: 'acceptAgreement', typedName: 'Sukarno' });
    expect(sp.problems).toEqual([]);
    await sp.close();
  });

  it('shows what changed since the version accepted, and the monitoring notice on request', async () => {
    const { sp, page } = await show(fixtures.agreementStaff);
    const changes = page.getByRole('region', { name: 'What has changed since you last agreed' });
    expect(await changes.innerText()).toContain('Point 9 now covers personal tablets');
    expect(await changes.locator('img').count()).toBe(0);
    expect(await changes.innerText()).toContain('a tracker');
    const notice = page.locator('details.notice');
    expect(await notice.locator('summary').innerText()).toBe('How the school checks computer use');
    expect(await page.getByText('What is recorded:').isVisible()).toBe(false);
    await notice.locator('summary').click();
    expect(await page.getByText('What is recorded:').isVisible()).toBe(true);
    expect(sp.problems).toEqual([]);
    await sp.close();
  });

  it('a Key Stage 1 agreement shows each promise beside a picture Classlock draws itself', async () => {
    const { sp, page } = await show(fixtures.agreementKs1);
    const promises = page.locator('ol.promises li');
    expect(await promises.count()).toBe(6);
    expect(
      await page
        .locator('ol.promises svg[data-picture]')
        .evaluateAll((svgs) =>
          svgs.map(
            (s) =>
              `${s.getAttribute('data-picture')}:${s.getAttribute('aria-hidden')}:${s.childElementCount > 0}`,
          ),
        ),
    ).toEqual(['me', 'secret', 'kind', 'tell', 'ask', 'logoff'].map((p) => `${p}:true:true`));
    expect(await page.getByLabel('I will keep my promises').isVisible()).toBe(true);
    await screenshot(page, 'agreement-ks1');
    expect(sp.problems).toEqual([]);
    await sp.close();
  });

  it('"Read it to me" is not offered where the computer has no voice, and a pupil is told why', async () => {
    const initScript = `
      Object.defineProperty(window, 'speechSynthesis', { value: {
        speak: () => {}, cancel: () => {}, getVoices: () => [],
        addEventListener: () => {}, removeEventListener: () => {},
      }});`;
    const { sp, page } = await show(fixtures.agreementPupil, { initScript });
    expect(await page.getByRole('button', { name: 'Read it to me' }).count()).toBe(0);
    expect(
      await page
        .getByText('This computer cannot read aloud. Ask a teacher to read it with you.')
        .isVisible(),
    ).toBe(true);
    await sp.close();
  });

  it('hearing the agreement read to the end counts as reading it', async () => {
    // The voice "finishes" at once: what matters is that its end is what counts.
    const initScript = `
      Object.defineProperty(window, 'speechSynthesis', { value: {
        speak: (u) => setTimeout(() => u.onend && u.onend(new Event('end')), 50),
        cancel: () => {}, getVoices: () => [{ name: 'test', lang: 'en-GB' }],
        addEventListener: () => {}, removeEventListener: () => {},
      }});`;
    const { source, sp, page } = await show(fixtures.agreementPupil, { initScript });
    await page.getByLabel('I have read this and I will keep to it').check();
    await page.getByRole('button', { name: 'Read it to me' }).click();
    await expect.poll(() => page.getByText('You have listened to the end.').isVisible()).toBe(true);
    await page.getByRole('button', { name: 'I agree' }).click();
    await expect.poll(() => source.intents.length).toBe(1);
    expect(source.intents[0]).toMatchObject({ type: 'acceptAgreement', agreementId: 'pupil-aua' });
    await sp.close();
  });

  it('"Read it to me" speaks the title and the agreement, and stops when the screen goes', async () => {
    // Headless Chromium has no voices: record what would be spoken instead.
    const initScript = `
      window.__spoken = []; window.__cancelled = 0;
      Object.defineProperty(window, 'speechSynthesis', { value: {
        speak: (u) => { window.__spoken.push({ text: u.text, lang: u.lang }); },
        cancel: () => { window.__cancelled++; },
        getVoices: () => [{ name: 'test', lang: 'en-GB' }],
        addEventListener: () => {}, removeEventListener: () => {},
      }});`;
    const { source, sp, page } = await show(fixtures.agreementPupil, { initScript });
    await page.getByRole('button', { name: 'Read it to me' }).click();
    const spoken = await page.evaluate(
      () => (window as unknown as { __spoken: { text: string; lang: string }[] }).__spoken,
    );
    expect(spoken).toHaveLength(1);
    expect(spoken[0]!.text).toMatch(/^My computer promise\. How I use school computers/);
    expect(spoken[0]!.text).toContain('That is the end of my promise.');
    expect(spoken[0]!.lang).toBe('en-GB');
    expect(await page.getByRole('button', { name: 'Stop reading' }).isVisible()).toBe(true);
    const before = await page.evaluate(
      () => (window as unknown as { __cancelled: number }).__cancelled,
    );
    source.show(fixtures.none);
    await sp.settled();
    await expect.poll(() => shownScreen(page)).toBe('none');
    expect(
      await page.evaluate(() => (window as unknown as { __cancelled: number }).__cancelled),
    ).toBeGreaterThan(before);
    await sp.close();
  });

  it('lock: choosing the override asks for a username, and the wait from the View holds the button', async () => {
    const { source, sp, page } = await show(fixtures.lockedStaff);
    // Focus starts on the choice of method, the Windows way: never in a field.
    expect(
      await page.evaluate(() => {
        const a = document.activeElement as HTMLInputElement;
        return `${a.type}:${a.value}`;
      }),
    ).toBe('radio:pin');
    expect(await page.getByLabel('Username').count()).toBe(0);
    await page.getByLabel('IT override code').first().check();
    await page.getByLabel('Username').fill('it.tech');
    await page.locator('input[type=password]').fill('change-this-code-now');
    await page.keyboard.press('Enter');
    await expect.poll(() => source.intents.length).toBe(1);
    expect(source.intents[0]).toEqual({
      type: 'unlock',
      method: 'override',
      secret: 'change-this-code-now',
      username: 'it.tech',
    });

    const wait = (seconds: number): View => ({
      ...fixtures.lockedStaff,
      failedAttempts: 4,
      waitUntil: Date.parse('2026-11-23T09:00:05Z'),
      message: { key: 'unlock.wait', params: { seconds } },
    });
    source.show(wait(5));
    await sp.settled();
    const unlock = page.getByRole('button', { name: 'Unlock', exact: true });
    await page.locator('input[type=password]').fill('another-try');
    await expect.poll(() => shownMessage(page)).toContain('Please wait 5 seconds');
    // Pressed during the wait, it sends nothing; the message says how long is left.
    await unlock.click();
    await page.waitForTimeout(100);
    expect(source.intents).toHaveLength(1);
    source.show(wait(1));
    await sp.settled();
    await expect.poll(() => shownMessage(page)).toContain('Please wait 1 second,');
    source.show({
      ...fixtures.lockedStaff,
      failedAttempts: 4,
      message: { key: 'unlock.directoryDown', params: { method: 'ldap', next: 'override' } },
      suggestedMethod: 'override',
    });
    await sp.settled();
    await expect.poll(() => shownMessage(page)).toContain('The school directory cannot be reached');
    expect(await shownMessage(page)).toContain(
      'Use the IT override code instead. It is already chosen for you.',
    );
    // The way forward is already chosen, and what was typed for the old method is gone.
    expect(await page.getByLabel('IT override code').first().isChecked()).toBe(true);
    expect(await page.locator('input[type=password]').inputValue()).toBe('');
    // Choose something else, and the message no longer claims it is chosen.
    await page.getByLabel('PIN', { exact: true }).check();
    expect(await shownMessage(page)).toContain('Use the IT override code instead.');
    expect(await shownMessage(page)).not.toContain('already chosen');
    expect(sp.problems).toEqual([]);
    await sp.close();
  });

  it('a locked pupil is told to ask their teacher, and when the session will end', async () => {
    const { sp, page } = await show(fixtures.lockedPupil);
    const text = await page.locator('main').innerText();
    expect(text).toContain('EXAMPLE PRIMARY SCHOOL');
    expect(text).toContain('Ask your teacher to unlock this computer.');
    expect(text).toContain('this session will end at 09:20');
    // A supply teacher without a PIN here learns what to do before trying.
    expect((await page.getByTestId('no-pin').innerText()).replace(/\n+/g, '\n')).toBe(
      'No PIN on this computer?\nAsk the IT office to unlock it with the IT override code.\nOr leave it: this session ends by itself at 09:20.',
    );
    // Focus is on the choice of method, not in a staff field in front of the child.
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement).type)).toBe(
      'radio',
    );
    expect(await page.getByLabel('Staff username').isVisible()).toBe(true);
    expect(await page.getByLabel('Staff school password').count()).toBe(0);
    await page.getByLabel('School password').check();
    expect(await page.getByLabel('Staff school password').isVisible()).toBe(true);
    await sp.close();
  });

  it('a message key the catalogue lacks is shown as the key, never as a blank', async () => {
    const { sp, page } = await show({
      ...fixtures.lockedStaff,
      message: { key: 'unlock.brandNewCase', params: {} },
    });
    expect(await shownMessage(page)).toBe('unlock.brandNewCase');
    await sp.close();
  });

  it('an extra display shows whose lock it is but no unlock box', async () => {
    const { sp, page } = await show(fixtures.lockedStaff, { display: 'secondary' });
    expect(await page.getByRole('heading', { name: 'This computer is locked' }).isVisible()).toBe(
      true,
    );
    expect(await page.getByText('Signed in: Mr R Patel').isVisible()).toBe(true);
    expect(await page.getByText('Use the main screen to unlock.').isVisible()).toBe(true);
    expect(await page.locator('input').count()).toBe(0);
    await sp.close();
  });

  it('network sanction at sign-in: whom to see, the date, the reason only when asked, the countdown', async () => {
    const { source, sp, page } = await show(fixtures.blockedNetwork);
    const main = page.locator('main');
    expect(await main.innerText()).toContain('4 December 2026');
    expect(await main.innerText()).toContain('Mr Patel in the IT office');
    expect(await main.innerText()).toContain('signed out in 60 seconds.');
    // Nothing to save at sign-in, so nothing says to.
    expect(await main.innerText()).not.toContain('Save your work');
    expect(await page.getByRole('button', { name: 'Go back and save my work' }).count()).toBe(0);
    // IT's reason is not shown to the room; the pupil opens "Why?" to read it.
    expect(await page.getByText('Sharing another pupil’s password.').isVisible()).toBe(false);
    await page.getByText('Why?').click();
    expect(await page.getByText('Sharing another pupil’s password.').isVisible()).toBe(true);
    source.show({ ...fixtures.blockedNetwork, secondsLeft: 59 });
    await sp.settled();
    await expect.poll(() => main.innerText()).toContain('signed out in 59 seconds');
    await sp.close();
  });

  it('network sanction mid-session: minutes, not seconds, and a way back to save work', async () => {
    const { source, sp, page } = await show(fixtures.blockedNetworkMidSession, {}, (i, now) =>
      i.type === 'dismissNotice' ? { screen: 'none', locale: 'en-GB', user: now.user } : now,
    );
    const main = page.locator('main');
    expect(await main.innerText()).toContain(
      'You will be signed out in about 5 minutes. Save your work now.',
    );
    source.show({ ...fixtures.blockedNetworkMidSession, secondsLeft: 91 });
    await sp.settled();
    await expect.poll(() => main.innerText()).toContain('in about 2 minutes');
    source.show({ ...fixtures.blockedNetworkMidSession, secondsLeft: 90 });
    await sp.settled();
    await expect.poll(() => main.innerText()).toContain('in 90 seconds');
    const back = page.getByRole('button', { name: 'Go back and save my work' });
    expect(await back.evaluate((b) => b === document.activeElement)).toBe(true);
    await screenshot(page, 'blocked-mid-session');
    await page.keyboard.press('Enter');
    await expect.poll(() => shownScreen(page)).toBe('none');
    expect(source.intents).toEqual([{ type: 'dismissNotice', notice: 'network' }]);
    await sp.close();
  });

  it('the warning: reaching for the safety button does not make it go; a click does', async () => {
    const { source, sp, page } = await show(fixtures.warningPupil);
    expect(await page.locator('main').innerText()).toContain(
      'You can also press Ctrl+Alt+H at any time.',
    );
    const hide = page.getByRole('button', { name: 'Hide the screen and tell a teacher' });
    const box = (await hide.boundingBox())!;
    await page.mouse.move(10, 10);
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 8 });
    await page.keyboard.press('Tab');
    await page.keyboard.press('Shift+Tab');
    await page.waitForTimeout(600);
    expect(source.intents).toEqual([]);
    await hide.click();
    await expect.poll(() => source.intents).toEqual([{ type: 'hideScreen' }]);
    // Elsewhere on the warning, a click is an answer: "I am still here".
    await page.mouse.click(5, 5);
    await expect.poll(() => source.intents.length).toBe(2);
    expect(source.intents[1]).toEqual({ type: 'activity' });
    await sp.close();
  });

  it('a notice opened from the tray reads in full and closes', async () => {
    const { source, sp, page } = await show(fixtures.notice, {}, (i, now) =>
      i.type === 'dismissNotice' ? { screen: 'none', locale: 'en-GB', user: now.user } : now,
    );
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe(
      'How the school checks computer use',
    );
    expect(await page.locator('main').innerText()).toContain('What is recorded:');
    await page.getByRole('button', { name: 'Close' }).click();
    await expect.poll(() => shownScreen(page)).toBe('none');
    expect(source.intents).toEqual([{ type: 'dismissNotice', notice: 'policy' }]);
    await sp.close();
  });

  it('speaks Welsh to a Welsh user: the lock, its tries-left message and the school’s contact', async () => {
    const { sp, page } = await show({
      ...fixtures.lockedStaff,
      locale: 'cy',
      message: { key: 'unlock.wrong', params: { triesLeft: 2 } },
    });
    const text = await page.locator('main').innerText();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('cy');
    expect(text).toContain('Mae’r cyfrifiadur hwn wedi cloi');
    expect(text).toContain('Mae gennych 2 cynnig arall cyn bod rhaid i chi aros.');
    expect(text).toContain('Wedi anghofio eich PIN?');
    expect(await page.getByRole('button', { name: 'Datgloi', exact: true }).isVisible()).toBe(true);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'locked-welsh');
    await sp.close();
  });

  it('the lock says how many tries are left, and where to go when the PIN is forgotten', async () => {
    const { sp, page } = await show({
      ...fixtures.lockedStaff,
      failedAttempts: 2,
      message: { key: 'unlock.wrong', params: { triesLeft: 1 } },
    });
    expect(await shownMessage(page)).toBe(
      'That was not right. You have 1 more try before you must wait.',
    );
    await page.getByText('Forgotten your PIN?').click();
    const forgot = await page.locator('details.forgot').innerText();
    expect(forgot).toContain('Ask the IT office to reset it.');
    expect(forgot).toContain('You can use your school password instead');
    expect(forgot).toContain('IT can unlock this computer with the IT override code');
    // "Unlock" pressed with the box empty says which box, beside it.
    await page.getByRole('button', { name: 'Unlock', exact: true }).click();
    expect(await page.locator('.inline-error').textContent()).toBe(
      'Error: Type it in the box “Your PIN” first.',
    );
    expect(await page.getByLabel('Your PIN').evaluate((e) => e === document.activeElement)).toBe(
      true,
    );
    await sp.close();
  });

  it('internet notice: "until a member of staff lifts it", then the pupil carries on', async () => {
    const { source, sp, page } = await show(fixtures.blockedInternet, {}, (i, now) =>
      i.type === 'dismissNotice' ? { screen: 'none', locale: 'en-GB', user: now.user } : now,
    );
    expect(await page.getByText('Until a member of staff lifts it').isVisible()).toBe(true);
    const carryOn = page.getByRole('button', { name: 'I understand' });
    expect(await carryOn.evaluate((b) => b === document.activeElement)).toBe(true);
    await page.keyboard.press('Enter');
    await expect.poll(() => shownScreen(page)).toBe('none');
    expect(source.intents).toEqual([{ type: 'dismissNotice', notice: 'internet' }]);
    await sp.close();
  });

  it('hidden screen: only a member of staff returns to the session, or ends it', async () => {
    const { source, sp, page } = await show(fixtures.lockedConcern);
    expect(await page.getByRole('heading', { name: 'The screen is hidden' }).isVisible()).toBe(
      true,
    );
    await page.getByLabel('Staff username').fill('r.patel');
    await page.locator('input[type=password]').fill('Tea4two!');
    await page.getByRole('button', { name: 'End this session' }).click();
    await expect.poll(() => source.intents.length).toBe(1);
    expect(source.intents[0]).toEqual({
      type: 'endSession',
      method: 'pin',
      secret: 'Tea4two!',
      username: 'r.patel',
    });
    // The secret is not kept on screen after it was sent.
    expect(await page.locator('input[type=password]').inputValue()).toBe('');
    await sp.close();
  });

  it('without window.classlock the window says so in plain words', async () => {
    const { sp, page } = await show(fixtures.lockedStaff, { withoutBridge: true });
    await page.locator('main[data-screen="problem"]').waitFor();
    expect(await page.locator('main').innerText()).toContain('Please tell IT.');
    expect(await axeViolations(page)).toEqual([]);
    await sp.close();
  });
});
