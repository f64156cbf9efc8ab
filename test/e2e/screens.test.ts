import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { View } from '../../src/shared/view';
import { FixtureSource, fixtures } from './fixtures';
import {
  axeViolations,
  launchChromium,
  openScreens,
  screenshot,
  serveRenderer,
  shownScreen,
  type OpenOptions,
  type StaticServer,
} from './harness';

/**
 * Every screen, drawn from Views the runtime reaches only after long set-up, in Debian's
 * Chromium through the real IPC handlers. The flows with the real runtime are in
 * flows.test.ts.
 */
let server: StaticServer;
let browser: Browser;

beforeAll(async () => {
  server = await serveRenderer();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function show(
  view: View,
  opts: OpenOptions = {},
  reply?: ConstructorParameters<typeof FixtureSource>[1],
) {
  const source = new FixtureSource(view, reply);
  const sp = await openScreens(browser, server, source, opts);
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
    const { sp, page } = await show(fixtures.agreementShort);
    await expect.poll(() => page.getByText('You have reached the end.').isVisible()).toBe(true);
    expect(await page.getByText('Agreement 1 of 2').isVisible()).toBe(true);
    const text = page.getByTestId('agreement-text');
    expect(await text.locator('b, a, img').count()).toBe(0);
    expect(await text.innerText()).toContain('a link');
    expect(await text.innerText()).not.toContain('<b>');
    // The box still has to be ticked.
    const agree = page.getByRole('button', { name: 'I agree' });
    expect(await agree.isDisabled()).toBe(true);
    await page.getByLabel('I have read this and I will keep to it').check();
    expect(await agree.isEnabled()).toBe(true);
    expect(sp.problems).toEqual([]);
    await sp.close();
  });

  it('"Read it to me" speaks the title and the agreement, and stops when the screen goes', async () => {
    // Headless Chromium has no voices: record what would be spoken instead.
    const initScript = `
      window.__spoken = []; window.__cancelled = 0;
      Object.defineProperty(window, 'speechSynthesis', { value: {
        speak: (u) => { window.__spoken.push({ text: u.text, lang: u.lang }); },
        cancel: () => { window.__cancelled++; },
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
    // Focus starts in the unlock box.
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement).type)).toBe(
      'password',
    );
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
    expect(await unlock.isDisabled()).toBe(true);
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
    expect(await shownMessage(page)).toContain('Use the IT override code instead');
    // The way forward is already chosen, and what was typed for the old method is gone.
    expect(await page.getByLabel('IT override code').first().isChecked()).toBe(true);
    expect(await page.locator('input[type=password]').inputValue()).toBe('');
    expect(sp.problems).toEqual([]);
    await sp.close();
  });

  it('a locked pupil is told to ask their teacher, and when the session will end', async () => {
    const { sp, page } = await show(fixtures.lockedPupil);
    const text = await page.locator('main').innerText();
    expect(text).toContain('Ask your teacher to unlock this computer.');
    expect(text).toContain('this session will end at 09:20');
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

  it('network sanction: reason, date, whom to see and the logoff countdown', async () => {
    const { source, sp, page } = await show(fixtures.blockedNetwork);
    const main = page.locator('main');
    expect(await main.innerText()).toContain('Sharing another pupil’s password.');
    expect(await main.innerText()).toContain('4 December 2026');
    expect(await main.innerText()).toContain('Mr Patel in the IT office');
    expect(await main.innerText()).toContain('signed out in 60 seconds');
    source.show({ ...fixtures.blockedNetwork, secondsLeft: 59 });
    await sp.settled();
    await expect.poll(() => main.innerText()).toContain('signed out in 59 seconds');
    expect(await page.getByRole('button').count()).toBe(0);
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
