import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/core/audit/audit-log';
import { systemClock } from '../../src/core/clock';
import { StateEnforcer } from '../support/state-enforcer';
import { PolicyService } from '../../src/core/fetch/policy-service';
import { signPolicy } from '../../src/core/policy/bundle';
import { generateSigningKeyPair } from '../../src/core/policy/keys';
import type { Policy, Sanction } from '../../src/core/policy/schema';
import { policyWith, tempDir } from '../support/policy';
import { openSession, T0, type TestSession } from '../support/session';
import {
  launchChromium,
  openScreens,
  screenshot,
  serveRenderer,
  shownScreen,
  type ScreenPage,
  type StaticServer,
} from './harness';

/**
 * IT publishes; the terminal obeys within one poll. A real HTTP policy server on loopback,
 * the real PolicyService (signature, serial, schema), the real session runtime and the
 * real screens in Chromium. Only the packet filter is a stand-in here (the nftables system
 * test drives the real one): it keeps the state a real enforcer would leave.
 */
const POLL_SECONDS = 1;

const keys = generateSigningKeyPair();
let published = '';
let etag = '';
let http: Server;
let policyUrl = '';
let renderer: StaticServer;
let browser: Browser;
let dir: { path: string; remove: () => Promise<void> };
const closers: (() => Promise<void> | void)[] = [];

function publish(change: (p: Policy) => void, serial: number): void {
  const policy = policyWith((p) => {
    p.serial = serial;
    p.issuedAt = new Date(T0 - 3_600_000).toISOString();
    change(p);
  });
  published = signPolicy(policy, keys.privatePem, 'trust-2026');
  etag = `"s${serial}"`;
}

const sanction = (s: Partial<Sanction>): Sanction => ({
  id: 'int-1',
  user: 'y7.pupil',
  scope: 'internet',
  kind: 'sanction',
  reason: 'Shared another pupil’s password',
  issuedBy: 'Mr Patel',
  issuedAt: '2026-11-20',
  until: '2026-12-04',
  ...s,
});

beforeAll(async () => {
  http = createServer((req, res) => {
    if (req.headers['if-none-match'] === etag) return void res.writeHead(304, { etag }).end();
    res.writeHead(200, { 'content-type': 'application/json', etag }).end(published);
  });
  http.unref();
  await new Promise<void>((ok) => http.listen(0, '127.0.0.1', ok));
  policyUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}/policy.json`;
  renderer = await serveRenderer();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await renderer?.close();
  http.closeAllConnections();
  await new Promise<void>((ok) => http.close(() => ok()));
});
beforeEach(async () => {
  dir = await tempDir('classlock-propagation-');
});
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
  await dir.remove();
});

/** A terminal as main.ts composes it: the policy service feeding the session. */
async function terminal(): Promise<{
  s: TestSession;
  sp: ScreenPage;
  page: Page;
  enforcer: StateEnforcer;
  service: PolicyService;
}> {
  // The service exists before the session it feeds; the callback finds it here.
  const live: { session?: TestSession } = {};
  const service = new PolicyService({
    sources: [policyUrl],
    trustedKeys: { 'trust-2026': keys.publicPem },
    cachePath: join(dir.path, 'policy-cache.json'),
    pollSeconds: POLL_SECONDS,
    audit: new AuditLog(join(dir.path, 'audit.jsonl'), 'test-machine'),
    clock: systemClock,
    onPolicy: async (policy) => {
      await live.session?.rt.policyChanged(policy);
    },
  });
  await service.checkNow();
  const first = service.policy();
  if (!first) throw new Error('the terminal did not take the published policy');
  const enforcer = new StateEnforcer();
  const session = await openSession(first, dir.path, { enforcer });
  live.session = session;
  const sp = await openScreens(browser, renderer, session.rt);
  closers.push(
    () => sp.close(),
    () => service.stop(),
  );
  await service.start();
  return { s: session, sp, page: sp.page, enforcer, service };
}

async function screenWithin(page: Page, screen: string, ms: number): Promise<void> {
  await expect.poll(() => shownScreen(page), { timeout: ms, interval: 100 }).toBe(screen);
}

describe('IT publishes, the terminal obeys within one poll', () => {
  it('a pupil with a network sanction logs in: blocked screen with reason and date, then logged off', async () => {
    publish((p) => {
      p.sanctions = [sanction({ scope: 'network', id: 'net-1' })];
      p.sanctionSettings.blockedLogoffSeconds = 30;
    }, 41);
    const { s, page } = await terminal();
    await screenWithin(page, 'blocked', 5000);
    // The reason is the pupil's to read, behind "Why?" (issue 11).
    await page.getByText('Why?').click();
    await page
      .getByText('Shared another pupil’s password')
      .waitFor({ state: 'visible', timeout: 5000 });
    await page.getByText(/4 December 2026/).waitFor({ state: 'visible', timeout: 5000 });
    await screenshot(page, 'blocked-network');
    await s.idleFor(30);
    await screenWithin(page, 'loggingOff', 5000);
    expect(s.shell.logoffs).toBe(1);
  });

  it('an internet sanction published mid-session: notice and enforcement within one poll, then lifted within one poll', async () => {
    publish(() => undefined, 50);
    const { s, page, enforcer } = await terminal();
    await screenWithin(page, 'agreement', 5000);
    await s.rt.intent({ type: 'acceptAgreement', agreementId: 'pupil-aua', version: '1' });
    await screenWithin(page, 'none', 5000);

    publish((p) => {
      p.sanctions = [sanction({})];
      p.sanctionSettings.allowList = ['intranet.example.sch.uk'];
    }, 51);
    await screenWithin(page, 'blocked', POLL_SECONDS * 1000 + 2000);
    expect(enforcer.restricted.get('SCHOOL\\y7.pupil')).toContain('intranet.example.sch.uk');
    await screenshot(page, 'blocked-internet');
    await page.getByRole('button').first().click();
    await screenWithin(page, 'none', 5000);

    publish((p) => {
      p.sanctions = [];
    }, 52);
    await expect
      .poll(() => enforcer.restricted.size, { timeout: POLL_SECONDS * 1000 + 2000, interval: 100 })
      .toBe(0);
    // The rule goes first, then the record of it is written: wait for the record too.
    await expect
      .poll(async () => (await s.audit()).map((r) => r.event), {
        timeout: 5000,
        interval: 100,
      })
      .toEqual(
        expect.arrayContaining([
          'policy.applied',
          'sanction.internetWithdrawn',
          'sanction.internetRestored',
        ]),
      );
  });

  it('a new agreement version published while the pupil is on the agreement screen replaces it at once', async () => {
    publish(() => undefined, 60);
    const { page } = await terminal();
    await screenWithin(page, 'agreement', 5000);
    publish((p) => {
      const a = p.agreements.find((x) => x.id === 'pupil-aua')!;
      a.version = '2';
      a.title = 'My new computer promise';
    }, 61);
    await page
      .getByRole('heading', { name: 'My new computer promise' })
      .waitFor({ state: 'visible', timeout: POLL_SECONDS * 1000 + 2000 });
  });

  it('a forged policy changes nothing on the terminal', async () => {
    publish(() => undefined, 70);
    const { page, service } = await terminal();
    await screenWithin(page, 'agreement', 5000);
    const forger = generateSigningKeyPair();
    published = signPolicy(
      policyWith((p) => {
        p.serial = 71;
        p.sanctions = [sanction({ scope: 'network' })];
      }),
      forger.privatePem,
      'trust-2026',
    );
    etag = '"forged"';
    await service.checkNow();
    expect(service.status()).toMatch(/signature/);
    expect(await shownScreen(page)).toBe('agreement');
  });
});
