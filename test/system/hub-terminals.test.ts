/**
 * Terminals and the hub, end to end over HTTP on loopback, on both stores: the embedded
 * PGlite and a real PostgreSQL started here. The hub link is the one the machine service
 * uses; the attacks are a pupil's or a stolen-request's view of the wire.
 */
import { createHash, generateKeyPairSync, randomBytes, randomUUID, sign } from 'node:crypto';
import { statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock';
import { hashSecret } from '../../src/core/unlock/scrypt-hash';
import { addSchool, issueToken } from '../../src/hub/hub-admin';
import { openPgStore } from '../../src/hub/store/pg-store';
import { openPgliteStore } from '../../src/hub/store/pglite-store';
import type { Store } from '../../src/hub/store/store';
import type { HubLink } from '../../src/service/hub-link/hub-link';
import { HUB_SIGNATURE_HEADERS as H, signedText } from '../../src/shared/hub-protocol';
import { runHub, StaffClient, startLink, tempDir, type RunningHub } from '../support/hub-harness';
import {
  postgresUnavailableReason,
  startPostgres,
  type TestPostgres,
} from '../support/hub-postgres';

const pgSkip = postgresUnavailableReason();

async function terminalIdOf(store: Store, machineId: string): Promise<string> {
  const [row] = await store.query<{ id: string }>(
    'SELECT id FROM terminals WHERE machine_id = $1',
    [machineId],
  );
  if (!row) throw new Error(`terminal ${machineId} is not enrolled`);
  return row.id;
}

interface Mail {
  to: string;
  text: string;
}

function smtp(): Promise<{ server: SMTPServer; url: string; mails: Mail[] }> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, cb) {
      let text = '';
      stream.on('data', (c: Buffer) => (text += c.toString()));
      stream.on('end', () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address).join(','), text });
        cb();
      });
    },
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const port = (server.server.address() as { port: number }).port;
      resolve({ server, url: `smtp://127.0.0.1:${port}`, mails });
    }),
  );
}

async function until<T>(
  what: string,
  f: () => Promise<T | undefined> | T | undefined,
  ms = 15_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A raw signed request, for the attacks the hub link would never make. */
async function rawSigned(
  url: string,
  terminal: string,
  key: Parameters<typeof sign>[2],
  path: string,
  body: unknown,
  over: { time?: string; nonce?: string; tamper?: (b: string) => string } = {},
) {
  const text = JSON.stringify(body);
  const time = over.time ?? new Date().toISOString();
  const nonce = over.nonce ?? randomBytes(18).toString('base64url');
  const sig = sign(
    null,
    Buffer.from(
      signedText('POST', path, time, nonce, createHash('sha256').update(text).digest('hex')),
    ),
    key,
  );
  const headers = {
    'content-type': 'application/json',
    [H.terminal]: terminal,
    [H.time]: time,
    [H.nonce]: nonce,
    [H.signature]: sig.toString('base64'),
  };
  const send = () =>
    fetch(`${url}${path}`, {
      method: 'POST',
      headers,
      body: over.tamper ? over.tamper(text) : text,
    });
  return { first: await send(), again: send };
}

const stores: [string, string | undefined][] = [
  ['PGlite (embedded)', undefined],
  ['PostgreSQL', pgSkip],
];

describe.each(stores)('hub with %s', (kind, skip) => {
  const title = (t: string) => (skip ? `${t} (skipped: ${skip})` : t);
  let pg: TestPostgres | undefined;
  let store: Store;
  let running: RunningHub;
  let mail: Awaited<ReturnType<typeof smtp>>;
  const tmp = tempDir('classlock-hub-');
  let northSecret = '';
  let southSecret = '';
  let itToken = '';
  const links: HubLink[] = [];

  const link = async (machineId: string, school = 'north', extra = {}) => {
    const l = await startLink({
      dataDir: join(tmp.dir, machineId),
      hubUrl: running.url,
      school,
      enrolmentSecret: school === 'north' ? northSecret : southSecret,
      machineId,
      ...extra,
    });
    links.push(l);
    return l;
  };

  beforeAll(async () => {
    if (skip) return;
    if (kind === 'PostgreSQL') {
      pg = startPostgres();
      store = openPgStore(pg.url);
    } else store = await openPgliteStore(undefined);
    mail = await smtp();
    running = await runHub(store, {
      notify: { smtpUrl: mail.url, from: 'hub@north.test', sweepEveryMs: 500 },
    });
    northSecret = await addSchool(store, {
      id: 'north',
      name: 'North Primary',
      notifyEmails: ['dsl@north.test'],
    });
    southSecret = await addSchool(store, {
      id: 'south',
      name: 'South High',
      notifyEmails: ['dsl@south.test'],
    });
    itToken = await issueToken(store, 'north', 'it', 'tests');
  });

  afterAll(async () => {
    for (const l of links) await l.stop();
    await running?.close();
    await store?.close();
    mail?.server.close();
    pg?.stop();
    tmp.remove();
  });

  it.skipIf(!!skip)(title('answers /healthz with the store it uses'), async () => {
    const r = await fetch(`${running.url}/healthz`);
    expect(r.status).toBe(200);
    expect(((await r.json()) as { store: string }).store).toBe(
      kind === 'PostgreSQL' ? 'postgres' : 'pglite',
    );
  });

  it.skipIf(!!skip)(
    title('enrols with the school secret, and the key file is root-only'),
    async () => {
      const l = await link('enrol-1');
      expect(l.status()).toMatchObject({ enrolled: false });
      await l.flush();
      expect(l.status()).toMatchObject({ enrolled: true, url: running.url });
      expect(l.status().lastContact).not.toBeNull();
      expect(statSync(join(tmp.dir, 'enrol-1', 'hub', 'machine-key.pem')).mode & 0o777).toBe(0o600);
      expect(statSync(join(tmp.dir, 'enrol-1', 'hub')).mode & 0o777).toBe(0o700);
    },
  );

  it.skipIf(!!skip)(
    title('refuses enrolment with a wrong secret, and says so in the status'),
    async () => {
      const l = await link('enrol-bad', 'north', {
        enrolmentSecret: 'not-the-school-secret-at-all',
      });
      await l.flush();
      expect(l.status().enrolled).toBe(false);
      expect(l.status().problem).toMatch(/enrolment secret is not right/);
      // Another school's secret does not enrol a PC into this school either.
      const m = await link('enrol-cross', 'north', { enrolmentSecret: southSecret });
      await m.flush();
      expect(m.status().enrolled).toBe(false);
    },
  );

  it.skipIf(!!skip)(
    title('an acceptance on one PC answers the question on another PC of the school'),
    async () => {
      const a = await link('lab-1');
      const b = await link('lab-2');
      const other = await link('south-1', 'south');
      await a.record({
        kind: 'acceptance',
        person: 'CORP\\Pupil.One',
        agreementId: 'aua',
        version: '3',
        textHash: 'h3',
        typedName: 'Pupil One',
      });
      // Before it reaches the hub, the PC that took it already knows.
      expect((await a.hasAccepted('corp\\pupil.one', 'aua', '3', 'h3')).answer).toBe('yes');
      await a.flush();
      await b.flush();
      await other.flush();
      expect(await b.hasAccepted('corp\\pupil.one', 'aua', '3', 'h3')).toMatchObject({
        answer: 'yes',
      });
      expect(await b.hasAccepted('corp\\pupil.one', 'aua', '4', 'h4')).toEqual({ answer: 'no' });
      expect(await b.hasAccepted('corp\\pupil.one', 'aua', '3', 'changed-text')).toEqual({
        answer: 'no',
      });
      // Another school of the trust does not see it.
      expect(await other.hasAccepted('corp\\pupil.one', 'aua', '3', 'h3')).toEqual({
        answer: 'no',
      });
    },
  );

  it.skipIf(!!skip)(
    title('a terminal offline for a day, restarted, loses nothing and doubles nothing'),
    async () => {
      // Yesterday morning: the hub is not reachable all day (and the PC never got to enrol).
      const clock = new ManualClock(Date.now() - 25 * 3600_000);
      const down = await runHub(store);
      const port = down.port;
      await down.close();
      const dir = join(tmp.dir, 'offline-pc');
      const opts = {
        dataDir: dir,
        hubUrl: `http://127.0.0.1:${port}`,
        school: 'north',
        enrolmentSecret: northSecret,
        machineId: 'offline-pc',
        clock,
      };
      let l = await startLink(opts);
      const ids: string[] = [];
      for (let i = 0; i < 240; i++) {
        clock.advance(6 * 60_000);
        ids.push(
          await l.record({
            kind: i % 2 ? 'lock' : 'unlock',
            person: `p${i % 7}`,
            ...(i % 2 ? { reason: 'idle' } : { method: 'password' }),
          } as never),
        );
      }
      ids.push(await l.record({ kind: 'concernRaised', person: 'p3' }));
      await l.flush();
      expect(l.status().problem).toMatch(/cannot be reached/);
      await l.stop();
      // The service restarts (the outbox is on disk), and the hub is back the next morning.
      l = await startLink(opts);
      expect(l.outboxStatus().pending).toBe(241);
      const hub2 = await runHub(store, {}, port);
      clock.set(Date.now());
      await l.flush();
      expect(l.outboxStatus().pending).toBe(0);
      const count = async () =>
        Number(
          (
            await store.query<{ n: number }>(
              'SELECT count(*)::int AS n FROM events WHERE id = ANY($1::uuid[])',
              [ids],
            )
          )[0]?.n,
        );
      expect(await count()).toBe(241);
      // The answer to the last batch was lost: the service sends it all again. Still one of each.
      await l.stop();
      await rm(join(dir, 'hub', 'outbox-state.json'));
      l = await startLink(opts);
      await l.flush();
      expect(await count()).toBe(241);
      await l.stop();
      await hub2.close();
    },
  );

  it.skipIf(!!skip)(
    title('refuses forged, replayed, tampered, late, unknown and revoked requests'),
    async () => {
      const l = await link('attack-pc');
      await l.flush();
      const terminalId = await terminalIdOf(store, 'attack-pc');
      const path = '/api/v1/t/events';
      const ev = () => ({
        events: [
          {
            id: randomUUID(),
            at: new Date().toISOString(),
            kind: 'overrideUsed',
            person: 'mallory',
          },
        ],
      });
      // Forged: a pupil's own key, claiming the terminal's id.
      const pupilKey = generateKeyPairSync('ed25519').privateKey;
      const forged = await rawSigned(running.url, terminalId, pupilKey, path, ev());
      expect(forged.first.status).toBe(401);
      // The real key (root-only on the PC) - to show the rest is refused for the right reason.
      const { createPrivateKey } = await import('node:crypto');
      const { readFileSync } = await import('node:fs');
      const realKey = createPrivateKey(
        readFileSync(join(tmp.dir, 'attack-pc', 'hub', 'machine-key.pem')),
      );
      const good = await rawSigned(running.url, terminalId, realKey, path, ev());
      expect(good.first.status).toBe(200);
      const replay = await good.again();
      expect(replay.status).toBe(401);
      expect(((await replay.json()) as { error: string }).error).toMatch(/replay/);
      const tampered = await rawSigned(running.url, terminalId, realKey, path, ev(), {
        tamper: (b) => b.replace('mallory', 'someone'),
      });
      expect(tampered.first.status).toBe(401);
      const late = await rawSigned(running.url, terminalId, realKey, path, ev(), {
        time: new Date(Date.now() - 10 * 60_000).toISOString(),
      });
      expect(late.first.status).toBe(401);
      const unknown = await rawSigned(running.url, randomUUID(), realKey, path, ev());
      expect(unknown.first.status).toBe(401);
      const unsigned = await fetch(`${running.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(ev()),
      });
      expect(unsigned.status).toBe(401);
      // Only the signed batch was stored.
      const stored = await store.query(
        "SELECT 1 FROM events WHERE kind = 'overrideUsed' AND person = 'mallory'",
      );
      expect(stored.length).toBe(1);

      // IT revokes the terminal: its next batch is refused, and it cannot enrol itself back.
      const it = new StaffClient(running.url, itToken);
      expect(
        (await it.call('POST', `/api/v1/staff/schools/north/terminals/${terminalId}/revoke`))
          .status,
      ).toBe(200);
      await l.record({ kind: 'overrideUsed', person: 'after-revoke' });
      await l.flush();
      expect(l.status().problem).toMatch(/revoked/);
      expect(l.outboxStatus().pending).toBe(1);
      expect((await rawSigned(running.url, terminalId, realKey, path, ev())).first.status).toBe(
        403,
      );
    },
  );

  it.skipIf(!!skip)(
    title('refuses a batch event that carries more than the protocol allows, keeping the rest'),
    async () => {
      const l = await link('strict-pc');
      await l.flush();
      const terminalId = await terminalIdOf(store, 'strict-pc');
      const { createPrivateKey } = await import('node:crypto');
      const { readFileSync } = await import('node:fs');
      const key = createPrivateKey(
        readFileSync(join(tmp.dir, 'strict-pc', 'hub', 'machine-key.pem')),
      );
      const okId = randomUUID();
      const badId = randomUUID();
      const r = await rawSigned(running.url, terminalId, key, '/api/v1/t/events', {
        events: [
          {
            id: okId,
            at: new Date().toISOString(),
            kind: 'unlockFailed',
            person: 'p',
            method: 'password',
          },
          // A password has no place in an event: the strict schema refuses the whole event.
          {
            id: badId,
            at: new Date().toISOString(),
            kind: 'unlockFailed',
            person: 'p',
            method: 'password',
            password: 'hunter2',
          },
        ],
      });
      const body = (await r.first.json()) as { accepted: string[]; rejected: { id: string }[] };
      expect(body.accepted).toEqual([okId]);
      expect(body.rejected.map((x) => x.id)).toEqual([badId]);
      const rows = await store.query<{ data: unknown }>(
        'SELECT data FROM events WHERE id = ANY($1::uuid[])',
        [[okId, badId]],
      );
      expect(rows.length).toBe(1);
      expect(JSON.stringify(rows)).not.toContain('hunter2');
    },
  );

  it.skipIf(!!skip)(
    title('a staff PIN enrolled on one PC reaches the others (root-only), and IT can reset it'),
    async () => {
      const a = await link('pin-a');
      const b = await link('pin-b');
      await a.flush();
      await b.flush();
      const seen: number[] = [];
      b.onPinsChanged((pins) => seen.push(pins.length));
      const hash = await hashSecret('482913', { N: 1024, r: 8, p: 1 });
      await a.enrolPin('Ms.Teacher', 'staff', hash);
      expect(a.pinHashes().map((p) => p.person)).toEqual(['ms.teacher']);
      await a.flush();
      await b.flush();
      expect(b.pinHashes()).toEqual([
        expect.objectContaining({ person: 'ms.teacher', role: 'staff', hash }),
      ]);
      expect(seen.at(-1)).toBe(1);
      expect(statSync(join(tmp.dir, 'pin-b', 'hub', 'pins.json')).mode & 0o777).toBe(0o600);
      // The hash is kept in the PIN table, not in the event log.
      expect(
        JSON.stringify(await store.query("SELECT data FROM events WHERE kind = 'pinEnrolled'")),
      ).not.toContain('scrypt$');
      const it = new StaffClient(running.url, itToken);
      expect((await it.call('DELETE', '/api/v1/staff/schools/north/pins/ms.teacher')).status).toBe(
        200,
      );
      await b.flush();
      expect(b.pinHashes()).toEqual([]);
    },
  );

  it.skipIf(!!skip)(
    title(
      'a concern is emailed to the school and the terminal learns who was told and who handled it',
    ),
    async () => {
      const l = await link('concern-pc');
      const id = await l.record({ kind: 'concernRaised', person: 'pupil.two' });
      await l.flush();
      const m = await until('the email', () =>
        mail.mails.find((x) => x.text.includes('pupil.two')),
      );
      expect(m.to).toBe('dsl@north.test');
      expect(m.text).not.toContain('south');
      const status = await until('told', async () => {
        const s = await l.concernStatus(id);
        return s?.told.length ? s : undefined;
      });
      expect(status.told).toEqual(['dsl@north.test']);
      // A south terminal cannot read north's concern.
      const s = await link('south-2', 'south');
      await s.flush();
      expect(await s.concernStatus(id)).toBeUndefined();
      const it = new StaffClient(running.url, itToken);
      expect(
        (
          await it.call('POST', `/api/v1/staff/schools/north/concerns/${id}/handled`, {
            note: 'spoke to them',
          })
        ).status,
      ).toBe(200);
      expect((await l.concernStatus(id))?.handledBy).toBe('token:tests');
    },
  );
  it.skipIf(!!skip)(
    title("a school's webhook hears of a concern too, with no more than the dashboard would show"),
    async () => {
      const { createServer } = await import('node:http');
      const heard: Record<string, unknown>[] = [];
      const hook = createServer((req, res) => {
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString()));
        req.on('end', () => {
          heard.push(JSON.parse(body) as Record<string, unknown>);
          res.writeHead(204).end();
        });
      });
      await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
      try {
        const port = (hook.address() as { port: number }).port;
        const westSecret = await addSchool(store, {
          id: 'west',
          name: 'West',
          webhookUrl: `http://127.0.0.1:${port}/concerns`,
        });
        const l = await startLink({
          dataDir: join(tmp.dir, 'west-pc'),
          hubUrl: running.url,
          school: 'west',
          enrolmentSecret: westSecret,
          machineId: 'west-pc',
          hostname: 'WEST-LIB-02',
        });
        links.push(l);
        const id = await l.record({ kind: 'concernRaised', person: 'pupil.w' });
        await l.flush();
        const got = await until('the webhook', () => heard.find((h) => h.id === id));
        expect(got).toMatchObject({
          type: 'concernRaised',
          school: 'west',
          terminal: 'WEST-LIB-02',
          person: 'pupil.w',
        });
        const s = await until('told', async () => {
          const st = await l.concernStatus(id);
          return st?.told.length ? st : undefined;
        });
        expect(s.told).toEqual(['webhook']);
      } finally {
        hook.close();
      }
    },
  );
});

describe('two hub processes on one PostgreSQL', () => {
  const title = (t: string) => (pgSkip ? `${t} (skipped: ${pgSkip})` : t);
  it.skipIf(!!pgSkip)(title('share enrolments, events and seen nonces'), async () => {
    const pg = startPostgres();
    const tmp = tempDir('classlock-hub2-');
    const s1 = openPgStore(pg.url);
    const s2 = openPgStore(pg.url);
    try {
      // Both migrate at once: each step is applied exactly once.
      const [h1, h2] = await Promise.all([runHub(s1), runHub(s2)]);
      const versions = await s1.query<{ version: number }>('SELECT version FROM schema_migrations');
      expect(versions.length).toBe(1);
      const secret = await addSchool(s1, { id: 'north', name: 'North' });
      const a = await startLink({
        dataDir: join(tmp.dir, 'a'),
        hubUrl: h1.url,
        school: 'north',
        enrolmentSecret: secret,
        machineId: 'a',
      });
      await a.record({
        kind: 'acceptance',
        person: 'p',
        agreementId: 'aua',
        version: '1',
        textHash: 'h',
      });
      await a.flush();
      // The same terminal, talking to the other process (as behind a load balancer).
      const b = await startLink({
        dataDir: join(tmp.dir, 'a'),
        hubUrl: h2.url,
        school: 'north',
        enrolmentSecret: secret,
        machineId: 'a',
      });
      await b.flush();
      expect(await b.hasAccepted('p', 'aua', '1', 'h')).toMatchObject({ answer: 'yes' });
      // A request seen by one process is a replay at the other.
      const id = await terminalIdOf(s1, 'a');
      const { createPrivateKey } = await import('node:crypto');
      const { readFileSync } = await import('node:fs');
      const key = createPrivateKey(readFileSync(join(tmp.dir, 'a', 'hub', 'machine-key.pem')));
      const body = {
        events: [{ id: randomUUID(), at: new Date().toISOString(), kind: 'overrideUsed' }],
      };
      const r = await rawSigned(h1.url, id, key, '/api/v1/t/events', body);
      expect(r.first.status).toBe(200);
      const again = await r.again();
      expect(again.status).toBe(401);
      await a.stop();
      await b.stop();
      await h1.close();
      await h2.close();
    } finally {
      await s1.close();
      await s2.close();
      pg.stop();
      tmp.remove();
    }
  });
});
