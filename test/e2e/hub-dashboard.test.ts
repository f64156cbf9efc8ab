/**
 * The hub dashboard in Debian's Chromium: sign-in, the pages a DSL and IT use, a concern
 * marked handled, the acceptance CSV, and axe on every page.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addSchool, setLocalAdmin } from '../../src/hub/hub-admin';
import { openPgliteStore } from '../../src/hub/store/pglite-store';
import type { Store } from '../../src/hub/store/store';
import { ingestBatch } from '../../src/hub/terminal/ingest';
import { runHub, tempDir, type RunningHub } from '../support/hub-harness';
import { axeViolations, launchChromium } from './harness';

const noChromium = existsSync('/usr/bin/chromium') ? undefined : 'Chromium is not installed';
const title = (t: string) => (noChromium ? `${t} (skipped: ${noChromium})` : t);
const ADMIN_PW = 'first-start-password';

describe('hub dashboard', () => {
  const out = tempDir('classlock-dash-');
  let store: Store;
  let running: RunningHub;
  let browser: Browser;
  let page: Page;
  const concernId = randomUUID();

  beforeAll(async () => {
    if (noChromium) return;
    const b = spawnSync(
      'npx',
      ['vite', 'build', '-c', 'vite.hub.config.ts', '--logLevel', 'warn', '--outDir', out.dir],
      {
        encoding: 'utf8',
      },
    );
    if (b.status !== 0) throw new Error(`the dashboard did not build: ${b.stderr}`);
    store = await openPgliteStore(undefined);
    running = await runHub(store, { dashboardDir: out.dir });
    await addSchool(store, { id: 'north', name: 'North Primary' });
    await setLocalAdmin(store, 'admin', ADMIN_PW);
    const t = randomUUID();
    await store.query(
      "INSERT INTO terminals (id, school, machine_id, hostname, public_key, last_seen) VALUES ($1,'north','m1','LAB-01','x', now())",
      [t],
    );
    const at = new Date().toISOString();
    await ingestBatch(store, { id: t, school: 'north' }, [
      { id: concernId, at, kind: 'concernRaised', person: 'pupil.a' },
      {
        id: randomUUID(),
        at,
        kind: 'acceptance',
        person: 'pupil.a',
        agreementId: 'aua',
        version: '3',
        textHash: 'h',
        typedName: 'Pupil A',
      },
      { id: randomUUID(), at, kind: 'lock', person: 'pupil.b', reason: 'idle' },
      { id: randomUUID(), at, kind: 'overrideUsed', person: 'pupil.b' },
    ]);
    browser = await launchChromium();
    page = await (await browser.newContext()).newPage();
    page.on(
      'dialog',
      (d) => void d.accept(d.type() === 'prompt' ? 'Spoke to them at break' : undefined),
    );
  });

  afterAll(async () => {
    await browser?.close();
    await running?.close();
    await store?.close();
    out.remove();
  });

  it.skipIf(!!noChromium)(
    title('refuses a wrong password in words, then signs the local admin in'),
    async () => {
      await page.goto(running.url);
      await page.getByLabel('User name').fill('admin');
      await page.getByLabel('Password').fill('wrong');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/not accepted/);
      expect(await axeViolations(page)).toEqual([]);
      await page.getByLabel('Password').fill(ADMIN_PW);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Terminals' }).waitFor();
      expect(await page.getByRole('cell', { name: 'LAB-01', exact: true }).count()).toBe(1);
      expect(await axeViolations(page)).toEqual([]);
    },
  );

  it.skipIf(!!noChromium)(
    title('shows the open concern and records who marked it handled'),
    async () => {
      await page.getByRole('link', { name: 'Concerns' }).click();
      await page.getByRole('heading', { name: 'Concerns' }).waitFor();
      await page.getByText('1 open').waitFor();
      expect(await axeViolations(page)).toEqual([]);
      await page.getByRole('button', { name: 'Mark handled' }).click();
      await page.getByText(/by admin: Spoke to them at break/).waitFor();
      const [row] = await store.query<{ handled_by: string }>(
        'SELECT handled_by FROM concerns WHERE event_id = $1',
        [concernId],
      );
      expect(row?.handled_by).toBe('admin');
      const audit = await store.query(
        "SELECT 1 FROM audit WHERE actor = 'admin' AND action = 'concern.handled'",
      );
      expect(audit.length).toBe(1);
    },
  );

  it.skipIf(!!noChromium)(
    title('the agreement report names who has and has not accepted, with a CSV'),
    async () => {
      await page.getByRole('link', { name: 'Agreements' }).click();
      await page.getByRole('button', { name: 'Show aua version 3' }).click();
      await page.getByText('1 accepted, 1 not yet').waitFor();
      expect(await page.getByText('pupil.b').count()).toBeGreaterThan(0);
      expect(await axeViolations(page)).toEqual([]);
      const href = await page.getByRole('link', { name: 'Download as CSV' }).getAttribute('href');
      const csv = await page.evaluate(async (h) => (await fetch(h as string)).text(), href);
      expect(csv).toContain('pupil.a,accepted,');
    },
  );

  it.skipIf(!!noChromium)(
    title("a person's page, override uses and sanctions pass axe"),
    async () => {
      await page.getByRole('link', { name: 'Override uses' }).click();
      await page.getByRole('cell', { name: 'pupil.b' }).waitFor();
      expect(await axeViolations(page)).toEqual([]);
      await page.getByRole('link', { name: 'Sanctions' }).click();
      await page.getByText('No sanction is in force').waitFor();
      expect(await axeViolations(page)).toEqual([]);
      await page.getByRole('link', { name: 'A person' }).click();
      await page.getByLabel('User name').fill('pupil.b');
      await page.getByRole('button', { name: 'Look up' }).click();
      await page.getByRole('cell', { name: 'overrideUsed' }).waitFor();
      expect(await axeViolations(page)).toEqual([]);
    },
  );

  it.skipIf(!!noChromium)(
    title('IT issues an API token (shown once) and reads the audit'),
    async () => {
      await page.getByRole('link', { name: 'Tokens and audit' }).click();
      await page.getByLabel('Who or what will use the token').fill('report script');
      await page.getByRole('button', { name: 'Issue a token' }).click();
      const token = (await page.locator('code').textContent()) ?? '';
      expect(token).toMatch(/^clh_/);
      const r = await fetch(`${running.url}/api/v1/staff/schools/north/terminals`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(r.status).toBe(200);
      await page.getByRole('cell', { name: 'concern.handled' }).first().waitFor();
      expect(await axeViolations(page)).toEqual([]);
    },
  );

  it.skipIf(!!noChromium)(
    title('serves nothing outside the dashboard folder, and every page with a strict CSP'),
    async () => {
      const { request } = await import('node:http');
      const get = (path: string) =>
        new Promise<{ status: number; body: string }>((resolve, reject) => {
          const req = request(`${running.url}${path}`, (res) => {
            let body = '';
            res.on('data', (c: Buffer) => (body += c.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          });
          req.on('error', reject);
          req.end();
        });
      for (const path of [
        '/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
        '/..%2f..%2f..%2fetc%2fpasswd',
        '/assets/%2e%2e%2f%2e%2e%2fpackage.json',
      ]) {
        const r = await get(path);
        expect(r.status).toBe(404);
        expect(r.body).not.toContain('root:');
      }
      const home = await fetch(running.url);
      expect(home.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(home.headers.get('x-frame-options')).toBe('DENY');
    },
  );

  it.skipIf(!!noChromium)(title('signing out ends the session on the hub'), async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    const status = await page.evaluate(async () => (await fetch('/api/v1/staff/me')).status);
    expect(status).toBe(401);
  });
});
