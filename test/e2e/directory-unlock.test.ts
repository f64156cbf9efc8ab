import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DirectorySchema, type Policy } from '../../src/core/policy/schema';
import type { SessionRuntimeOptions } from '../../src/core/session/runtime';
import { ldapVerifierFor } from '../../src/core/unlock/ldap-verifier';
import { policyWith, tempDir } from '../support/policy';
import { openSession, type TestSession } from '../support/session';
import { slapdUnavailableReason, startSlapd, type Slapd } from '../system/support/slapd';
import {
  axeViolations,
  launchChromium,
  openScreens,
  screenshot,
  serveRenderer,
  shownScreen,
  type ScreenPage,
  type StaticServer,
} from './harness';

/**
 * The lock screen with the school directory behind it: the built renderer in Debian's
 * Chromium, the real session runtime, and the real LDAP verifier talking to a real OpenLDAP
 * slapd on loopback over LDAPS with a CA the test makes. People are in the directory with
 * their groups (memberOf), exactly as the lock will ask about them.
 */
const PASSWORDS = {
  'mrs.jones': 'Staffroom-Kettle-42!',
  'y7.pupil': 'Blue-Giraffe-Jumps-7',
  'y8.other': 'Green-Otter-Swims-3',
};
const WRONG = 'not-my-password-1';
const PIN = 'Tea4two!';

const teacher = {
  account: 'SCHOOL\\mrs.jones',
  groups: ['SCHOOL\\Teaching Staff'],
  hostname: 'ROOM12-CR-01',
};

const missing = slapdUnavailableReason();

describe.skipIf(missing !== undefined)(
  `the lock with the school directory behind it${missing ? ` (skipped: ${missing})` : ''}`,
  () => {
    let ldap: Slapd;
    let server: StaticServer;
    let browser: Browser;
    let dir: { path: string; remove: () => Promise<void> };
    const pages: ScreenPage[] = [];
    const extraDirectories: Slapd[] = [];

    async function seedPeople(d: Slapd): Promise<void> {
      const jones = await d.addUser('mrs.jones', PASSWORDS['mrs.jones']);
      await d.addUser('y7.pupil', PASSWORDS['y7.pupil']);
      await d.addUser('y8.other', PASSWORDS['y8.other']);
      await d.addGroup('Teaching Staff', [jones]);
    }

    beforeAll(async () => {
      ldap = await startSlapd({ tls: true });
      await seedPeople(ldap);
      server = await serveRenderer();
      browser = await launchChromium();
    });
    afterAll(async () => {
      await browser?.close();
      await server?.close();
      await ldap?.stop();
    });
    beforeEach(async () => {
      dir = await tempDir('classlock-e2e-ldap-');
    });
    afterEach(async () => {
      for (const p of pages.splice(0)) await p.close();
      for (const d of extraDirectories.splice(0)) await d.stop();
      await dir.remove();
    });

    /** The shipped policy, no agreements in the way, pointed at `d` (LDAPS when it has it). */
    function policyFor(d: Slapd, change: (p: Policy) => void = () => undefined): Policy {
      return policyWith((p) => {
        p.agreements = [];
        p.directory = DirectorySchema.parse({
          urls: [d.ldapsUrl ?? d.url],
          bind: { mode: 'dnTemplate', dnTemplate: `uid={user},${d.peopleDn}` },
          connectTimeoutSeconds: 2,
          timeoutSeconds: 2,
        });
        change(p);
      });
    }

    async function lockedSession(
      policy: Policy,
      d: Slapd,
      over: Partial<SessionRuntimeOptions> = {},
    ): Promise<{ s: TestSession; sp: ScreenPage; page: Page }> {
      const verifier = ldapVerifierFor(policy, { caPem: d.caPem });
      const s = await openSession(policy, dir.path, {
        ...over,
        ...(verifier ? { verifiers: [verifier] } : {}),
      });
      if (s.rt.view().screen === 'pinEnrol') {
        await s.rt.intent({ type: 'enrolPin', pin: PIN, confirm: PIN });
      }
      expect(s.rt.view().screen).toBe('none');
      const sp = await openScreens(browser, server, s.rt);
      pages.push(sp);
      await s.rt.lockNow();
      await sp.settled();
      await expect.poll(() => shownScreen(sp.page), { timeout: 5000 }).toBe('locked');
      return { s, sp, page: sp.page };
    }

    const shownMessage = (page: Page) => page.locator('.unlock-box .alert').innerText();

    async function expectScreen(page: Page, s: TestSession, screen: string) {
      await expect.poll(() => shownScreen(page), { timeout: 10_000 }).toBe(screen);
      expect(s.rt.view().screen).toBe(screen);
    }

    /** Nothing Classlock wrote to disk holds a password that was typed. */
    async function expectNoPasswordsOnDisk(): Promise<void> {
      const audit = await readFile(join(dir.path, 'audit.jsonl'), 'utf8');
      for (const secret of [...Object.values(PASSWORDS), WRONG]) {
        expect(audit).not.toContain(secret);
      }
    }

    it('a teacher unlocks with their school password; a wrong one is refused and counted', async () => {
      const policy = policyFor(ldap, (p) => {
        p.unlock.methods.staff = ['ldap', 'override'];
      });
      const { s, sp, page } = await lockedSession(policy, ldap, teacher);
      expect(await page.getByLabel('School password', { exact: true }).isChecked()).toBe(true);
      expect(await axeViolations(page)).toEqual([]);

      await page.getByLabel('Your school password').fill(WRONG);
      await page.getByRole('button', { name: 'Unlock', exact: true }).click();
      await expect.poll(() => shownMessage(page), { timeout: 10_000 }).toContain('not right');
      expect(s.rt.view()).toMatchObject({ screen: 'locked', failedAttempts: 1 });

      await page.getByLabel('Your school password').fill(PASSWORDS['mrs.jones']);
      await page.keyboard.press('Enter');
      await expectScreen(page, s, 'none');
      const events = (await s.audit()).map((r) => [r.event, r.method]);
      expect(events).toEqual(
        expect.arrayContaining([
          ['unlock.failed', 'ldap'],
          ['session.unlocked', 'ldap'],
        ]),
      );
      await expectNoPasswordsOnDisk();
      expect(sp.problems).toEqual([]);
    });

    it('when the directory goes down, the lock says so and offers the PIN instead; the PIN unlocks', async () => {
      const down = await startSlapd({ tls: false });
      extraDirectories.push(down);
      await seedPeople(down);
      const policy = policyFor(down, (p) => {
        p.unlock.methods.staff = ['ldap', 'pin', 'override'];
      });
      const { s, sp, page } = await lockedSession(policy, down, teacher);
      await down.stop();

      await page.getByLabel('Your school password').fill(PASSWORDS['mrs.jones']);
      await page.keyboard.press('Enter');
      await expect
        .poll(() => shownMessage(page), { timeout: 10_000 })
        .toContain('The school directory cannot be reached');
      expect(await shownMessage(page)).toContain('Use a PIN instead');
      // Not an open door, and not the user's fault: still locked, no wait earned.
      expect(s.rt.view()).toMatchObject({ screen: 'locked', failedAttempts: 0 });
      expect(await page.getByLabel('PIN', { exact: true }).isChecked()).toBe(true);
      await screenshot(page, 'locked-directory-down');
      expect(await axeViolations(page)).toEqual([]);

      await page.getByLabel('Your PIN').fill(PIN);
      await page.keyboard.press('Enter');
      await expectScreen(page, s, 'none');
      expect((await s.audit()).find((r) => r.event === 'unlock.unavailable')).toMatchObject({
        method: 'ldap',
        offered: 'pin',
      });
      await expectNoPasswordsOnDisk();
      expect(sp.problems).toEqual([]);
    });

    it('a pupil resumes their own locked session with their school password, where the policy allows', async () => {
      const policy = policyFor(ldap, (p) => {
        p.unlock.pupilSelfResume = true;
        p.unlock.methods.pupil = ['ldap', 'override'];
      });
      const { s, page } = await lockedSession(policy, ldap);
      expect(await page.getByText('Ask your teacher').count()).toBe(0);
      // Another pupil's (correct) password is not this pupil's.
      await page.getByLabel('Your school password').fill(PASSWORDS['y8.other']);
      await page.keyboard.press('Enter');
      await expect.poll(() => shownMessage(page), { timeout: 10_000 }).toContain('not right');
      expect(s.rt.view().screen).toBe('locked');

      await page.getByLabel('Your school password').fill(PASSWORDS['y7.pupil']);
      await page.keyboard.press('Enter');
      await expectScreen(page, s, 'none');
      await expectNoPasswordsOnDisk();
    });

    it('otherwise the pupil is told to ask their teacher, and a teacher ends the session with their school password', async () => {
      const policy = policyFor(ldap, (p) => {
        p.unlock.pupilSelfResume = false;
        p.unlock.methods.staff = ['ldap', 'override'];
      });
      const { s, sp, page } = await lockedSession(policy, ldap);
      expect(await page.getByText('Ask your teacher to unlock this computer.').isVisible()).toBe(
        true,
      );

      // A pupil's own correct password does not make them staff.
      await page.getByLabel('Staff username').fill('y8.other');
      await page.getByLabel('Staff school password').fill(PASSWORDS['y8.other']);
      await page.getByRole('button', { name: 'End this session' }).click();
      await expect
        .poll(() => shownMessage(page), { timeout: 10_000 })
        .toContain('not allowed to unlock');
      expect(s.rt.view().screen).toBe('locked');

      // The teacher is staff by the directory's own group list (memberOf), not by the PC's.
      await page.getByLabel('Staff username').fill('mrs.jones');
      await page.getByLabel('Staff school password').fill(PASSWORDS['mrs.jones']);
      await page.getByRole('button', { name: 'End this session' }).click();
      await expectScreen(page, s, 'loggingOff');
      expect(await page.locator('main').innerText()).toContain(
        'A member of staff ended this session.',
      );
      expect(s.shell.logoffs).toBe(1);
      expect((await s.audit()).find((r) => r.event === 'session.endedByStaff')).toMatchObject({
        user: 'SCHOOL\\y7.pupil',
        actor: 'mrs.jones',
        method: 'ldap',
      });
      await expectNoPasswordsOnDisk();
      expect(sp.problems).toEqual([]);
    });
  },
);
