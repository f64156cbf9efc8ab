/** The preview's embedded hub: a terminal's acceptance shows in the dashboard's report. */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedHub, type EmbeddedHub } from '../../src/hub/embedded-hub';
import { addSchool } from '../../src/hub/hub-admin';
import { openPgliteStore } from '../../src/hub/store/pglite-store';
import type { HubLink } from '../../src/service/hub-link/hub-link';
import { runHub, StaffClient, startLink, tempDir } from '../support/hub-harness';

describe('startEmbeddedHub', () => {
  const tmp = tempDir('classlock-embedded-');
  let hub: EmbeddedHub | undefined;
  let link: HubLink | undefined;
  afterAll(async () => {
    await link?.stop();
    await hub?.close();
    tmp.remove();
  });

  it('enrols the preview terminal, and its acceptance is in the report the admin signs in to see', async () => {
    hub = await startEmbeddedHub();
    expect(hub.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    link = await startLink({
      dataDir: join(tmp.dir, 'preview'),
      hubUrl: hub.url,
      school: hub.school,
      enrolmentSecret: hub.enrolmentSecret,
      machineId: 'preview-pc',
    });
    await link.record({
      kind: 'acceptance',
      person: 'visitor',
      agreementId: 'aua',
      version: '1',
      textHash: 'abc',
    });
    await link.flush();
    expect(link.status().enrolled).toBe(true);
    const staff = new StaffClient(hub.url);
    expect((await staff.signIn(hub.admin.username, hub.admin.password)).status).toBe(200);
    const report = await staff.json<{ accepted: { person: string }[] }>(
      'GET',
      `/api/v1/staff/schools/${hub.school}/acceptances?agreement=aua&version=1`,
    );
    expect(report.accepted.map((a) => a.person)).toEqual(['visitor']);
  });
});

describe('the hub link on its own', () => {
  const tmp = tempDir('classlock-autosend-');
  afterAll(() => tmp.remove());

  it('sends by itself, and keeps retrying (with backoff) until a hub that was down comes back', async () => {
    const store = await openPgliteStore(undefined);
    const secret = await addSchool(store, { id: 'north', name: 'North' });
    let running = await runHub(store);
    const port = running.port;
    const link = await startLink({
      dataDir: join(tmp.dir, 'pc'),
      hubUrl: running.url,
      school: 'north',
      enrolmentSecret: secret,
      machineId: 'auto-pc',
      autoSend: true,
      maxBackoffMs: 800,
    });
    const wait = async (what: string, f: () => boolean) => {
      for (let i = 0; i < 150 && !f(); i++) await new Promise((r) => setTimeout(r, 100));
      if (!f()) throw new Error(`timed out waiting for ${what}`);
    };
    try {
      await link.record({ kind: 'overrideUsed' });
      await wait('the first send', () => link.outboxStatus().pending === 0);
      expect(link.status().enrolled).toBe(true);
      // The hub goes away; events wait; the link notices and keeps trying on its own.
      await running.close();
      await link.record({ kind: 'concernRaised', person: 'pupil' });
      await wait('the link to notice', () => /cannot be reached/.test(link.status().problem ?? ''));
      expect(link.outboxStatus().pending).toBe(1);
      // A hub process is back on the same address (same store): no call to flush() is needed.
      running = await runHub(store, {}, port);
      await wait('the retry', () => link.outboxStatus().pending === 0);
      expect(link.status().problem).toBeUndefined();
      expect((await store.query("SELECT 1 FROM concerns WHERE person = 'pupil'")).length).toBe(1);
    } finally {
      await link.stop();
      await running.close();
      await store.close();
    }
  });
});
