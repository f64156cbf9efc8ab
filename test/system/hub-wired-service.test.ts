/**
 * The machine service wired to the school's hub: what one PC learns, every PC of the
 * school knows. Two services on two data folders and one hub on loopback.
 */
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock';
import { addSchool, issueToken } from '../../src/hub/hub-admin';
import { openPgliteStore } from '../../src/hub/store/pglite-store';
import type { Store } from '../../src/hub/store/store';
import type { SessionRuntime } from '../../src/core/session/runtime';
import { defaultPolicy } from '../support/policy';
import { runHub, StaffClient, tempDir, type RunningHub } from '../support/hub-harness';
import { asAccount, startTestService, TableGroups, type TestService } from '../support/service';

const TEACHER = 'SCHOOL\\mrs.jones';
const PUPIL = 'y7.pupil';
const groups = new TableGroups({ [TEACHER]: ['SCHOOL\\Teaching Staff'] });

async function until<T>(what: string, f: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const end = Date.now() + 15_000;
  for (;;) {
    const v = await f();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function acceptAll(rt: SessionRuntime, typedName?: string): Promise<void> {
  for (let v = rt.view(), n = 0; v.screen === 'agreement' && n < 5; v = rt.view(), n++)
    await rt.intent({
      type: 'acceptAgreement',
      agreementId: v.agreement.id,
      version: v.agreement.version,
      ...(typedName ? { typedName } : {}),
    });
}

describe('a service without a hub', () => {
  it('says so in its status', async () => {
    const tmp = tempDir('classlock-nohub-');
    const svc = await startTestService({
      dir: tmp.dir,
      policy: defaultPolicy(),
      resolveIdentity: asAccount({ account: PUPIL, groups: [] }),
    });
    try {
      expect(svc.service.status().hub).toEqual({ url: null, enrolled: false, lastContact: null });
      expect(svc.service.hubLink).toBeUndefined();
    } finally {
      await svc.close();
      tmp.remove();
    }
  });
});

describe('a service whose hub cannot be reached', () => {
  it('still asks for the agreement from its own records, and its status says why', async () => {
    const tmp = tempDir('classlock-hubdown-');
    // A port that was just free and is closed again: nothing answers there.
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as { port: number }).port;
    await new Promise((r) => closed.close(r));
    const svc = await startTestService({
      dir: tmp.dir,
      policy: defaultPolicy(),
      resolveIdentity: asAccount({ account: PUPIL, groups: [] }),
      clock: new ManualClock(Date.now()),
      over: {
        hub: {
          url: `http://127.0.0.1:${port}`,
          school: 'north',
          enrolmentSecret: 'x'.repeat(24),
        },
      },
    });
    try {
      await svc.service.hubLink!.flush();
      svc.source.add({ id: 'd1', uid: 4100, account: PUPIL, graphical: true });
      await svc.service.sync();
      expect(svc.service.host.get('d1')!.runtime.view().screen).toBe('agreement');
      expect(svc.service.status().hub).toMatchObject({ enrolled: false });
      expect(svc.service.status().hub.problem).toMatch(/cannot be reached/);
    } finally {
      await svc.close();
      tmp.remove();
    }
  });
});

describe('two PCs of one school and its hub', () => {
  const tmp = tempDir('classlock-wired-');
  let store: Store;
  let hub: RunningHub;
  let hook: Server;
  const heard: Record<string, unknown>[] = [];
  let secret: string;
  const services: TestService[] = [];

  beforeAll(async () => {
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        heard.push(JSON.parse(body) as Record<string, unknown>);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    const port = (hook.address() as { port: number }).port;
    store = await openPgliteStore(undefined);
    secret = await addSchool(store, {
      id: 'north',
      name: 'North',
      webhookUrl: `http://127.0.0.1:${port}/concerns`,
    });
    hub = await runHub(store);
  }, 60_000);
  afterAll(async () => {
    for (const s of services) await s.close();
    await hub?.close();
    await store?.close();
    await new Promise((r) => hook?.close(r));
    tmp.remove();
  });

  /** A PC of the school: its own data folder, machine id and clock near the hub's. */
  async function pc(name: string, account: string): Promise<TestService> {
    mkdirSync(join(tmp.dir, name));
    const svc = await startTestService({
      dir: join(tmp.dir, name),
      policy: defaultPolicy(),
      resolveIdentity: asAccount({ account, groups: [] }),
      groups,
      clock: new ManualClock(Date.now()),
      over: {
        readOsMachineId: () => `machine-${name}`,
        hub: { url: hub.url, school: 'north', enrolmentSecret: secret },
        log: () => undefined,
      },
    });
    services.push(svc);
    await svc.service.hubLink!.flush();
    return svc;
  }

  async function signIn(svc: TestService, id: string, account: string): Promise<SessionRuntime> {
    svc.source.add({ id, uid: 4000 + services.indexOf(svc), account, graphical: true });
    await svc.service.sync();
    return svc.service.host.get(id)!.runtime;
  }

  it('enrols each PC, and its status says so', async () => {
    const a = await pc('pc-a', PUPIL);
    expect(a.service.status().hub).toMatchObject({ url: hub.url, enrolled: true });
    expect(a.service.status().hub.lastContact).not.toBeNull();
  });

  it('asks a pupil to accept once across the school: PC 2 does not ask again, even offline later', async () => {
    const [one, two] = [await pc('pupil-1', PUPIL), await pc('pupil-2', PUPIL)];
    const first = await signIn(one, 's1', PUPIL);
    expect(first.view().screen).toBe('agreement');
    await acceptAll(first);
    expect(first.view().screen).toBe('none');
    await one.service.hubLink!.flush();

    const second = await signIn(two, 's2', PUPIL);
    expect(second.view().screen).toBe('none');
    // The hub's answer was copied to PC 2's own records: with the hub gone it still does not ask.
    await two.service.hubLink!.stop();
    await two.service.host.policyChanged(defaultPolicy());
    expect(second.view().screen).toBe('none');

    const it = new StaffClient(hub.url, await issueToken(store, 'north', 'it', 'tests'));
    const report = await it.json<{ accepted: { person: string }[] }>(
      'GET',
      `/api/v1/staff/schools/north/acceptances?agreement=pupil-aua&version=${defaultPolicy().agreements.find((x) => x.id === 'pupil-aua')!.version}`,
    );
    expect(report.accepted.map((a) => a.person)).toEqual([PUPIL]);
  });

  it("takes a teacher's PIN set on PC 1 on PC 2, which asks for neither agreement nor PIN", async () => {
    const [one, two] = [await pc('staff-1', TEACHER), await pc('staff-2', TEACHER)];
    const first = await signIn(one, 't1', TEACHER);
    await acceptAll(first, 'Anne Jones');
    expect(first.view().screen).toBe('pinEnrol');
    await first.intent({ type: 'enrolPin', pin: 'ab12!x', confirm: 'ab12!x' });
    expect(first.view().screen).toBe('none');
    await one.service.hubLink!.flush();
    await two.service.hubLink!.flush();

    const second = await signIn(two, 't2', TEACHER);
    expect(second.view().screen).toBe('none');
    await second.lockNow();
    await second.intent({ type: 'unlock', method: 'pin', secret: 'wrong1!' });
    expect(second.view().screen).toBe('locked');
    await second.intent({ type: 'unlock', method: 'pin', secret: 'ab12!x' });
    expect(second.view().screen).toBe('none');
  });

  it('names on the hidden screen who the hub told about a concern', async () => {
    const svc = await pc('concern-pc', PUPIL);
    const rt = await signIn(svc, 'c1', PUPIL);
    await acceptAll(rt);
    await rt.hideScreen();
    const v = await until('the hidden screen to name who was told', () => {
      const view = rt.view();
      return view.screen === 'locked' && view.toldWho ? view : undefined;
    });
    expect(v.screen === 'locked' && v.toldWho).toBe('webhook');
    expect(heard.some((h) => h.person === PUPIL && h.type === 'concernRaised')).toBe(true);
  });

  it('forwards locks, unlocks, failed unlocks and heartbeats to the hub', async () => {
    for (const s of services) await s.service.hubLink?.flush();
    const rows = await store.query<{ kind: string }>('SELECT DISTINCT kind FROM events');
    const kinds = rows.map((r) => r.kind);
    for (const k of ['acceptance', 'lock', 'unlock', 'unlockFailed', 'heartbeat', 'pinEnrolled'])
      expect(kinds).toContain(k);
  });
});
