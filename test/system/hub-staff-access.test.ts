/**
 * The dashboard API's access rules, as staff would meet them: sign-in against a real slapd
 * with groups mapped to hub roles per school, a local admin for first start, cookies, CSRF,
 * API tokens, the audit, and the privacy duties (CSV that cannot run formulas, subject
 * access, erasure, retention).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addSchool, issueToken, setLocalAdmin } from '../../src/hub/hub-admin';
import type { StaffDirectory } from '../../src/hub/staff/staff-auth';
import { openPgliteStore } from '../../src/hub/store/pglite-store';
import type { Store } from '../../src/hub/store/store';
import { ingestBatch } from '../../src/hub/terminal/ingest';
import { runHub, StaffClient, type RunningHub } from '../support/hub-harness';
import { slapdUnavailableReason, startSlapd, type Slapd } from './support/slapd';

const skip = slapdUnavailableReason();
const title = (t: string) => (skip ? `${t} (skipped: ${skip})` : t);
const PW = 'Correct-Horse-7';

describe('dashboard access rules', () => {
  let ldap: Slapd;
  let store: Store;
  let running: RunningHub;
  const terminals = { north: randomUUID(), south: randomUUID() };
  const ids = { northConcern: randomUUID(), southConcern: randomUUID() };

  const ev = (school: 'north' | 'south', events: Record<string, unknown>[]) =>
    ingestBatch(store, { id: terminals[school], school }, events);

  beforeAll(async () => {
    if (skip) return;
    ldap = await startSlapd({ tls: false });
    const dsl = await ldap.addUser('dsl.north', PW);
    const tech = await ldap.addUser('tech', PW);
    const viewer = await ldap.addUser('viewer', PW);
    await ldap.addUser('nobody', PW);
    await ldap.addGroup('North DSL', [dsl]);
    await ldap.addGroup('North IT', [tech]);
    await ldap.addGroup('North Staff', [viewer]);
    const directory: StaffDirectory = {
      directory: {
        urls: [ldap.url],
        startTls: false,
        bind: { mode: 'dnTemplate', dnTemplate: `uid={user},${ldap.peopleDn}` },
        connectTimeoutSeconds: 5,
        timeoutSeconds: 5,
      },
      roleMap: [
        { group: 'North DSL', school: 'north', role: 'safeguarding' },
        { group: 'North IT', school: 'north', role: 'it' },
        { group: 'North Staff', school: 'north', role: 'readonly' },
      ],
    };
    store = await openPgliteStore(undefined);
    running = await runHub(store, { directory });
    await addSchool(store, { id: 'north', name: 'North' });
    await addSchool(store, { id: 'south', name: 'South' });
    await setLocalAdmin(store, 'first-admin', 'a-long-first-password');
    for (const s of ['north', 'south'] as const)
      await store.query(
        "INSERT INTO terminals (id, school, machine_id, hostname, public_key) VALUES ($1,$2,$3,$4,'x')",
        [terminals[s], s, `${s}-pc`, `${s.toUpperCase()}-LAB-01`],
      );
    const now = new Date().toISOString();
    await ev('north', [
      { id: ids.northConcern, at: now, kind: 'concernRaised', person: 'pupil.a' },
      {
        id: randomUUID(),
        at: now,
        kind: 'acceptance',
        person: 'pupil.a',
        agreementId: 'aua',
        version: '3',
        textHash: 'h',
        typedName: '=HYPERLINK("http://x","click")',
      },
      { id: randomUUID(), at: now, kind: 'lock', person: 'pupil.b', reason: 'idle' },
      {
        id: randomUUID(),
        at: now,
        kind: 'pinEnrolled',
        person: 'ms.t',
        role: 'staff',
        hash: 'scrypt$1024$8$1$c2FsdA==$aGFzaA==',
      },
      {
        id: randomUUID(),
        at: new Date(Date.now() - 40 * 86_400_000).toISOString(),
        kind: 'heartbeat',
        serial: 3,
        enforcement: 'ok',
      },
    ]);
    await ev('south', [
      { id: ids.southConcern, at: now, kind: 'concernRaised', person: 'pupil.s' },
    ]);
  });

  afterAll(async () => {
    await running?.close();
    await store?.close();
    await ldap?.stop();
  });

  const as = async (user: string, password = PW) => {
    const c = new StaffClient(running.url);
    const r = await c.signIn(user, password);
    return { c, r };
  };

  it.skipIf(!!skip)(
    title('signs staff in by directory group, with a cookie scripts cannot read'),
    async () => {
      const { c, r } = await as('dsl.north');
      expect(r.status).toBe(200);
      expect((await r.json()) as object).toMatchObject({
        grants: [{ school: 'north', role: 'safeguarding' }],
      });
      expect(c.setCookie).toMatch(/^classlock_hub_session=/);
      const raw = (await (await as('dsl.north')).r.headers.get('set-cookie')) ?? '';
      expect(raw).toMatch(/HttpOnly/);
      expect(raw).toMatch(/SameSite=Strict/);
      const me = await c.json<{ schools: { id: string }[] }>('GET', '/api/v1/staff/me');
      expect(me.schools.map((s) => s.id)).toEqual(['north']);
    },
  );

  it.skipIf(!!skip)(
    title('refuses a wrong password, and a directory user with no mapped group'),
    async () => {
      expect((await as('dsl.north', 'wrong-password')).r.status).toBe(401);
      expect((await as('nobody')).r.status).toBe(401);
      expect((await as('first-admin', 'not-it')).r.status).toBe(401);
    },
  );

  it.skipIf(!!skip)(
    title('a read-only user cannot reset a PIN; IT can, and both are audited'),
    async () => {
      const { c: viewer } = await as('viewer');
      expect((await viewer.call('GET', '/api/v1/staff/schools/north/terminals')).status).toBe(200);
      expect((await viewer.call('DELETE', '/api/v1/staff/schools/north/pins/ms.t')).status).toBe(
        403,
      );
      expect((await viewer.call('GET', '/api/v1/staff/schools/north/concerns')).status).toBe(403);
      const { c: tech } = await as('tech');
      expect((await tech.call('DELETE', '/api/v1/staff/schools/north/pins/ms.t')).status).toBe(200);
      const audit = await store.query<{ actor: string; action: string }>(
        'SELECT actor, action FROM audit ORDER BY id',
      );
      expect(audit).toEqual(
        expect.arrayContaining([
          { actor: 'viewer', action: 'pin.reset.refused' },
          { actor: 'tech', action: 'pin.reset' },
          { actor: 'nobody', action: 'staff.signInRefused' },
        ]),
      );
    },
  );

  it.skipIf(!!skip)(title('a safeguarding user sees concerns only for their school'), async () => {
    const { c } = await as('dsl.north');
    const north = await c.json<{ concerns: { id: string }[] }>(
      'GET',
      '/api/v1/staff/schools/north/concerns',
    );
    expect(north.concerns.map((x) => x.id)).toEqual([ids.northConcern]);
    expect((await c.call('GET', '/api/v1/staff/schools/south/concerns')).status).toBe(403);
    expect(
      (await c.call('POST', `/api/v1/staff/schools/north/concerns/${ids.southConcern}/handled`, {}))
        .status,
    ).toBe(404);
    expect(
      (
        await c.call('POST', `/api/v1/staff/schools/north/concerns/${ids.northConcern}/handled`, {
          note: 'seen',
        })
      ).status,
    ).toBe(200);
    const after = await c.json<{ concerns: { handledBy: string }[] }>(
      'GET',
      '/api/v1/staff/schools/north/concerns',
    );
    expect(after.concerns[0]?.handledBy).toBe('dsl.north');
  });

  it.skipIf(!!skip)(
    title('refuses a change without the CSRF token, and any call without sign-in'),
    async () => {
      const { c } = await as('dsl.north');
      const r = await c.call(
        'POST',
        `/api/v1/staff/schools/north/concerns/${ids.northConcern}/handled`,
        {},
        { csrf: false },
      );
      expect(r.status).toBe(403);
      expect(
        (await new StaffClient(running.url).call('GET', '/api/v1/staff/schools/north/terminals'))
          .status,
      ).toBe(401);
    },
  );

  it.skipIf(!!skip)(
    title('API tokens: scoped to their school and role; a token cannot mint tokens'),
    async () => {
      const readonly = new StaffClient(
        running.url,
        await issueToken(store, 'north', 'readonly', 'wall screen'),
      );
      expect((await readonly.call('GET', '/api/v1/staff/schools/north/terminals')).status).toBe(
        200,
      );
      expect((await readonly.call('GET', '/api/v1/staff/schools/south/terminals')).status).toBe(
        403,
      );
      expect(
        (
          await readonly.call(
            'POST',
            `/api/v1/staff/schools/north/terminals/${terminals.north}/revoke`,
          )
        ).status,
      ).toBe(403);
      const it = new StaffClient(running.url, await issueToken(store, 'north', 'it', 'script'));
      expect(
        (await it.call('POST', '/api/v1/staff/schools/north/tokens', { label: 'more' })).status,
      ).toBe(403);
      expect(
        (
          await new StaffClient(running.url, 'clh_made-up').call(
            'GET',
            '/api/v1/staff/schools/north/terminals',
          )
        ).status,
      ).toBe(401);
      const { c: admin } = await as('first-admin', 'a-long-first-password');
      const minted = await admin.json<{ token: string }>(
        'POST',
        '/api/v1/staff/schools/north/tokens',
        { label: 'cli', role: 'it' },
      );
      expect(minted.token).toMatch(/^clh_/);
      expect(JSON.stringify(await store.query('SELECT * FROM api_tokens'))).not.toContain(
        minted.token,
      );
    },
  );

  it.skipIf(!!skip)(
    title('the acceptance CSV lists who has and has not accepted, and never runs a typed formula'),
    async () => {
      const { c } = await as('viewer');
      const r = await c.call(
        'GET',
        '/api/v1/staff/schools/north/acceptances?agreement=aua&version=3&format=csv',
      );
      expect(r.headers.get('content-type')).toMatch(/text\/csv/);
      const lines = (await r.text()).trim().split('\r\n');
      expect(lines[0]).toBe('person,status,accepted_at,typed_name,terminal');
      expect(lines.find((l) => l.startsWith('pupil.a,accepted,'))).toContain(
        `"'=HYPERLINK(""http://x"",""click"")"`,
      );
      expect(lines).toContain('pupil.b,not yet,,,');
    },
  );

  it.skipIf(!!skip)(
    title("IT exports a person's records and erases them; other people's stay"),
    async () => {
      const { c } = await as('tech');
      const exp = await c.json<{ events: { kind: string }[]; acceptances: unknown[] }>(
        'GET',
        '/api/v1/staff/schools/north/people/pupil.a/export',
      );
      expect(exp.events.map((e) => e.kind).sort()).toEqual(['acceptance', 'concernRaised']);
      expect(exp.acceptances.length).toBe(1);
      const { c: dsl } = await as('dsl.north');
      expect((await dsl.call('DELETE', '/api/v1/staff/schools/north/people/pupil.a')).status).toBe(
        403,
      );
      expect((await c.call('DELETE', '/api/v1/staff/schools/north/people/pupil.a')).status).toBe(
        200,
      );
      const after = await c.json<{ events: unknown[]; acceptances: unknown[] }>(
        'GET',
        '/api/v1/staff/schools/north/people/pupil.a/export',
      );
      expect(after.events).toEqual([]);
      expect(after.acceptances).toEqual([]);
      expect((await store.query("SELECT 1 FROM events WHERE person = 'pupil.b'")).length).toBe(1);
    },
  );

  it.skipIf(!!skip)(
    title('the retention purge removes old heartbeats and keeps acceptances'),
    async () => {
      await ev('north', [
        {
          id: randomUUID(),
          at: new Date(Date.now() - 400 * 86_400_000).toISOString(),
          kind: 'acceptance',
          person: 'old.pupil',
          agreementId: 'aua',
          version: '1',
          textHash: 'h',
        },
      ]);
      const removed = await running.hub.purge();
      expect(removed).toBe(1);
      expect((await store.query("SELECT 1 FROM events WHERE kind = 'heartbeat'")).length).toBe(0);
      expect((await store.query("SELECT 1 FROM events WHERE person = 'old.pupil'")).length).toBe(1);
    },
  );
});
