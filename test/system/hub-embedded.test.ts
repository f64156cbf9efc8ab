/** The preview's embedded hub: a terminal's acceptance shows in the dashboard's report. */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedHub, type EmbeddedHub } from '../../src/hub/embedded-hub';
import type { HubLink } from '../../src/service/hub-link/hub-link';
import { StaffClient, startLink, tempDir } from '../support/hub-harness';

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
