import { request } from 'node:http';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPolicyYamlFile } from '../../src/core/policy/policy-file';
import { startPreview, type PreviewServer } from '../../src/preview/preview-server';
import type { View } from '../../src/shared/view';
import { launchChromium, RENDERER_DIR, shownScreen } from './harness';

/**
 * The preview server as a hostile page, a rebinding DNS name and a clumsy URL would meet
 * it, and its controls page pressed button by button.
 */
const ROOT = resolve(import.meta.dirname, '../..');
let server: PreviewServer;
let browser: Browser;

beforeAll(async () => {
  const policy = await readPolicyYamlFile(join(ROOT, 'resources/default-policy.yaml'));
  server = await startPreview({ policy, role: 'pupil', rendererDir: RENDERER_DIR });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** A raw request, so Host and Origin can be whatever an attacker sends. */
function raw(
  method: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  const u = new URL(server.url);
  return new Promise((ok, fail) => {
    const req = request(
      { host: u.hostname, port: u.port, method, path, headers: { host: u.host, ...headers } },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => ok({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', fail);
    req.end();
  });
}

describe('the preview server refuses what is not its own pages', () => {
  it('refuses a foreign Host (DNS rebinding) on every path', async () => {
    for (const path of ['/', '/api/view', '/controls']) {
      const r = await raw('GET', path, { host: `attacker.example:${new URL(server.url).port}` });
      expect(r.status).toBe(403);
      expect(r.body).toMatch(/answers only at its own address/);
    }
  });

  it('refuses a post from a page on another site, even with the token', async () => {
    const r = await raw('POST', '/api/preview/lock', {
      origin: 'https://attacker.example',
      'x-classlock-token': server.token,
    });
    expect(r.status).toBe(403);
    const intent = await raw('POST', '/api/intent', { origin: 'http://127.0.0.1:1' });
    expect(intent.status).toBe(403);
  });

  it('refuses the control API without this run’s token, and the token is in the printed address', async () => {
    expect(new URL(server.controlsUrl).hash).toBe(`#token=${server.token}`);
    expect((await raw('POST', '/api/preview/lock')).status).toBe(403);
    const wrong = await raw('POST', '/api/preview/lock', { 'x-classlock-token': 'x'.repeat(24) });
    expect(wrong.status).toBe(403);
    expect(wrong.body).toMatch(/token printed with their address/);
  });

  it('answers 400 to a malformed address and keeps serving', async () => {
    expect((await raw('GET', '/%E0%A4%A')).status).toBe(400);
    expect((await raw('GET', '/api/%E0%A4%A')).status).toBe(400);
    expect((await raw('GET', '/')).status).toBe(200);
  });
});

describe('the controls page', () => {
  async function press(controls: Page, label: RegExp): Promise<string> {
    await controls.getByRole('button', { name: label }).click();
    const status = controls.getByRole('status');
    await status.filter({ hasText: /Now showing/ }).waitFor({ timeout: 5000 });
    const text = (await status.textContent()) ?? '';
    await controls.evaluate(() => (document.getElementById('out')!.textContent = ''));
    return text.replace('Now showing: ', '');
  }
  async function acceptAgreements(): Promise<void> {
    for (;;) {
      const v = (await (await fetch(`${server.url}api/view`)).json()) as View;
      if (v.screen !== 'agreement') return;
      const r = await fetch(`${server.url}api/intent`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          type: 'acceptAgreement',
          agreementId: v.agreement.id,
          version: v.agreement.version,
          typedName: 'Preview Pupil',
        }),
      });
      expect(r.ok).toBe(true);
    }
  }
  const shows = async (page: Page, screen: string) => {
    await page.waitForFunction(
      (s) =>
        (document.querySelector('main[data-screen]')?.getAttribute('data-screen') ?? 'none') === s,
      screen,
      { timeout: 3000 },
    );
    return shownScreen(page);
  };

  it('does at once what each button says, in the screens beside it', async () => {
    const screens = await browser.newPage();
    const controls = await browser.newPage();
    await screens.goto(server.url);
    await controls.goto(server.controlsUrl);
    expect(await controls.locator('#no-token').isHidden()).toBe(true);

    expect(await press(controls, /Start again/)).toBe('agreement');
    expect(await shows(screens, 'agreement')).toBe('agreement');
    // Reading takes time: the idle count since the start is then ahead of the session's
    // own, which restarts when the agreement is accepted. Go idle must still warn at once.
    await screens.waitForTimeout(2500);
    await acceptAgreements();

    // The warning shows now, not after minutes of real idle time.
    expect(await press(controls, /Go idle/)).toBe('warning');
    expect(await shows(screens, 'warning')).toBe('warning');

    expect(await press(controls, /Lock now/)).toBe('locked');
    expect(await shows(screens, 'locked')).toBe('locked');

    expect(await press(controls, /Start again/)).toBe('agreement');
    expect(await shows(screens, 'agreement')).toBe('agreement');
    await acceptAgreements();
    // The internet notice follows the answer by a moment (it is shown once per session).
    await press(controls, /Withdraw internet/);
    expect(await shows(screens, 'blocked')).toBe('blocked');

    expect(await press(controls, /Withdraw network/)).toBe('blocked');
    expect(await shows(screens, 'blocked')).toBe('blocked');
    await screens.close();
    await controls.close();
  });

  it('says how to get the token when opened without it', async () => {
    const page = await browser.newPage();
    await page.goto(server.controlsUrl.replace(/#.*/, ''));
    expect(await page.locator('#no-token').isVisible()).toBe(true);
    await page.getByRole('button', { name: /Lock now/ }).click();
    await page.getByRole('status').filter({ hasText: /token/ }).waitFor({ timeout: 5000 });
    await page.close();
  });
});
