import type { BrowserContextOptions, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { View } from '../../src/shared/view';
import { FixtureSource, fixtures } from './fixtures';
import { axeViolations, openScreens, screenshot, rendererAndBrowser, shownScreen } from './harness';

/**
 * WCAG 1.4.4 and 1.4.10 on the screens a pupil or a teacher must get through: at a
 * laptop's 1366×768, at 200 % of it (what Windows display scaling gives, since the kiosk
 * blocks Ctrl +/−: 683×384 CSS px drawn at twice the density) and at 320 CSS px. Every
 * control must come into view and take a click, the page must never need scrolling
 * sideways, and axe must find nothing.
 */
const screens = rendererAndBrowser();

const SIZES = {
  laptop: { width: 1366, height: 768, scale: 1 },
  zoom200: { width: 683, height: 384, scale: 2 },
  narrow320: { width: 320, height: 568, scale: 1 },
} as const;
type Size = keyof typeof SIZES;

const SCREENS = {
  agreement: fixtures.agreementPupil,
  'agreement-staff': fixtures.agreementStaff,
  'agreement-ks1': fixtures.agreementKs1,
  lock: fixtures.lockedPupil,
  'lock-staff': fixtures.lockedStaff,
  warning: fixtures.warningPupil,
  blocked: fixtures.blockedNetworkMidSession,
  'end-of-day': fixtures.endOfDay,
} satisfies Record<string, View>;

async function showAt(view: View, size: Size) {
  const source = new FixtureSource(view);
  const { width, height, scale } = SIZES[size];
  // The harness makes the browser context; this one gives it the size, the pixel density
  // (so the screenshot shows what a user sees) and a touch screen.
  const sized = new Proxy(screens.browser, {
    get(target, key) {
      if (key === 'newContext') {
        return (o: BrowserContextOptions = {}) =>
          target.newContext({
            ...o,
            viewport: { width, height },
            deviceScaleFactor: scale,
            hasTouch: true,
          });
      }
      const value: unknown = Reflect.get(target, key);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  const sp = await openScreens(sized, screens.server, source);
  await sp.page.locator(`main[data-screen="${view.screen}"] h1`).first().waitFor();
  return { source, sp, page: sp.page };
}

/** How far the page or its scrolling screen would scroll sideways (0 = not at all). */
function sidewaysOverflow(page: Page): Promise<number> {
  return page.evaluate(() => {
    const main = document.querySelector('main')!;
    const doc = document.scrollingElement!;
    return Math.max(doc.scrollWidth - doc.clientWidth, main.scrollWidth - main.clientWidth);
  });
}

/** Every control a person can use: buttons, fields, tick boxes, disclosures, links. */
const CONTROLS = 'main button, main input, main summary, main a[href]';

describe.each(Object.keys(SIZES) as Size[])('at %s', (size) => {
  it.each(Object.keys(SCREENS) as (keyof typeof SCREENS)[])(
    '%s: every control comes into view and takes a click and a tap; nothing scrolls sideways; axe finds nothing',
    async (name) => {
      const { sp, page } = await showAt(SCREENS[name], size);
      expect(await shownScreen(page)).toBe(SCREENS[name].screen);
      expect(await sidewaysOverflow(page)).toBe(0);

      const controls = page.locator(CONTROLS);
      const count = await controls.count();
      expect(count).toBeGreaterThan(0);
      const unreachable: string[] = [];
      for (let i = 0; i < count; i++) {
        const control = controls.nth(i);
        const fits = await control.evaluate((el) => {
          el.scrollIntoView({ block: 'nearest', inline: 'nearest' });
          const r = el.getBoundingClientRect();
          return (
            r.width > 0 &&
            r.top >= 0 &&
            r.left >= 0 &&
            r.bottom <= window.innerHeight + 0.5 &&
            r.right <= window.innerWidth + 0.5
          );
        });
        // A trial click and a trial tap: Playwright checks the control is visible, still
        // and the one that would receive the press (nothing covers it), without pressing.
        const clickable = await control
          .click({ trial: true, timeout: 2000 })
          .then(() => control.tap({ trial: true, timeout: 2000 }))
          .then(() => true)
          .catch(() => false);
        if (!fits || !clickable) {
          unreachable.push(
            `${await control.evaluate((el) => el.outerHTML.slice(0, 80))} (in view: ${fits}, clickable: ${clickable})`,
          );
        }
      }
      expect(unreachable).toEqual([]);

      await page.evaluate(() => document.querySelector('main')!.scrollTo(0, 0));
      expect(await axeViolations(page)).toEqual([]);
      if (size !== 'laptop') await screenshot(page, `${name}-${size}`);
      expect(sp.problems).toEqual([]);
      await sp.close();
    },
  );
});

describe('small and zoomed screens', () => {
  it('the agreement scrolls with the mouse wheel at 200 %, and reaching its end counts as read', async () => {
    const { sp, page } = await showAt(fixtures.agreementPupil, 'zoom200');
    const scrolled = () => page.evaluate(() => document.querySelector('main')!.scrollTop);
    expect(await scrolled()).toBe(0);
    await page.mouse.move(340, 200);
    await page.mouse.wheel(0, 400);
    await expect.poll(scrolled).toBeGreaterThan(0);
    expect(await page.getByText('You have reached the end.').count()).toBe(0);
    for (let i = 0; i < 30; i++) await page.mouse.wheel(0, 400);
    await expect.poll(() => page.getByText('You have reached the end.').isVisible()).toBe(true);
    await sp.close();
  });

  it('at 320 px a keyboard user reaches every control of the lock with Tab, in order', async () => {
    const { sp, page } = await showAt(fixtures.lockedStaff, 'narrow320');
    const controls = await page
      .locator('main input, main button, main summary')
      .evaluateAll((els) => els.filter((e) => (e as HTMLElement).offsetParent !== null).length);
    const reached = new Set<string>();
    for (let i = 0; i < controls + 2; i++) {
      await page.keyboard.press('Tab');
      reached.add(
        await page.evaluate(() => {
          const a = document.activeElement as HTMLElement;
          const r = a.getBoundingClientRect();
          const inView = r.top >= 0 && r.bottom <= window.innerHeight + 0.5;
          return `${a.tagName}:${a.getAttribute('name') ?? ''}:${a.textContent ?? ''}:${(a as HTMLInputElement).value ?? ''}:${inView}`;
        }),
      );
    }
    // Radios are one stop in the Tab order (arrow keys move between them).
    expect([...reached].filter((r) => r.endsWith(':false'))).toEqual([]);
    expect([...reached].some((r) => r.startsWith('BUTTON::Unlock'))).toBe(true);
    expect([...reached].some((r) => r.startsWith('SUMMARY'))).toBe(true);
    await sp.close();
  });
});
