import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ServiceClient } from '../../src/main/service-client';
import { defaultPolicy, tempDir } from '../support/policy';
import { asAccount, connectClient, startTestService, type TestService } from '../support/service';
import { openScreens, rendererAndBrowser, shownScreen, type ScreenPage } from './harness';

/**
 * The screens in Chromium with the whole chain behind them, as on a terminal:
 * page → IPC handlers → the session's client → Unix socket → classlockd → SessionRuntime.
 */
const screens = rendererAndBrowser();
let dir: { path: string; remove: () => Promise<void> };
let svc: TestService | undefined;
const pages: ScreenPage[] = [];
const clients: ServiceClient[] = [];

beforeEach(async () => {
  dir = await tempDir('classlock-e2e-svc-');
});
afterEach(async () => {
  for (const p of pages.splice(0)) await p.close();
  for (const c of clients.splice(0)) c.close();
  await svc?.close();
  svc = undefined;
  await dir.remove();
});

describe('screens through the machine service', () => {
  it("a pupil reads and accepts the agreements on the page; the service's session records it", async () => {
    svc = await startTestService({
      dir: dir.path,
      policy: defaultPolicy(),
      resolveIdentity: asAccount({ account: 'y7.pupil', groups: ['Domain Users'] }),
    });
    const client = await connectClient(svc.socketPath);
    clients.push(client);
    const sp = await openScreens(screens.browser, screens.server, client);
    pages.push(sp);
    await expect.poll(() => shownScreen(sp.page), { timeout: 5000 }).toBe('agreement');
    for (let i = 0; i < 5 && (await shownScreen(sp.page)) === 'agreement'; i++) {
      const before = await sp.page.getByTestId('agreement-text').textContent();
      const agree = sp.page.getByRole('button', { name: 'I agree' });
      await sp.page.getByTestId('agreement-text').focus();
      await sp.page.keyboard.press('End');
      await expect
        .poll(() => sp.page.getByText('You have reached the end.').isVisible())
        .toBe(true);
      await sp.page.getByRole('checkbox').check();
      await agree.click();
      await expect
        .poll(
          async () =>
            (await shownScreen(sp.page)) !== 'agreement' ||
            // The screen may change between the two looks: never wait for text that went.
            (await sp.page
              .getByTestId('agreement-text')
              .textContent({ timeout: 500 })
              .catch(() => null)) !== before,
          { timeout: 5000 },
        )
        .toBe(true);
    }
    await expect.poll(() => shownScreen(sp.page), { timeout: 5000 }).toBe('none');
    // The decision is the service's: its session is in use, not just the page.
    expect(svc.service.host.list()[0]?.runtime.view().screen).toBe('none');
    expect(sp.problems).toEqual([]);
  });

  it('with no service running, the page is a full cover that says so and offers no way past it', async () => {
    const client = new ServiceClient({
      socketPath: `${dir.path}/none.sock`,
      clientVersion: 'test',
      account: 'y7.pupil',
      retryFirstMs: 100,
    });
    clients.push(client);
    await client.start();
    const sp = await openScreens(screens.browser, screens.server, client);
    pages.push(sp);
    await expect.poll(() => shownScreen(sp.page), { timeout: 5000 }).toBe('locked');
    await expect
      .poll(() => sp.page.locator('main').textContent(), { timeout: 5000 })
      .toMatch(/machine service is not running/);
    expect(await sp.page.getByRole('button', { name: /unlock/i }).count()).toBe(0);
  });
});
