/** classlock-admin's hub reports against a real hub on loopback (embedded store). */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addSchool, issueToken } from '../../src/hub/hub-admin';
import { openPgliteStore } from '../../src/hub/store/pglite-store';
import type { Store } from '../../src/hub/store/store';
import { ingestBatch } from '../../src/hub/terminal/ingest';
import { runHub, type RunningHub } from '../support/hub-harness';
import { runCli } from '../unit/cli-helpers';

describe('classlock-admin report acceptances / terminals', () => {
  let store: Store;
  let running: RunningHub;
  let token = '';
  let trustToken = '';

  beforeAll(async () => {
    store = await openPgliteStore(undefined);
    running = await runHub(store);
    await addSchool(store, { id: 'north', name: 'North' });
    await addSchool(store, { id: 'south', name: 'South' });
    token = await issueToken(store, 'north', 'readonly', 'cli test');
    trustToken = await issueToken(store, null, 'it', 'trust IT');
    const t = randomUUID();
    await store.query(
      "INSERT INTO terminals (id, school, machine_id, hostname, public_key, last_seen) VALUES ($1,'north','m1','LAB-07','x', now())",
      [t],
    );
    const at = new Date().toISOString();
    await ingestBatch(store, { id: t, school: 'north' }, [
      {
        id: randomUUID(),
        at,
        kind: 'acceptance',
        person: 'amy',
        agreementId: 'aua',
        version: '3',
        textHash: 'h',
      },
      { id: randomUUID(), at, kind: 'lock', person: 'ben', reason: 'idle' },
      { id: randomUUID(), at, kind: 'policyStale', serial: 41 },
    ]);
  });
  afterAll(async () => {
    await running.close();
    await store.close();
  });

  it('lists agreement versions, then who has and has not accepted one', async () => {
    const list = await runCli(['report', 'acceptances', '--hub', running.url, '--token', token]);
    expect(list.code).toBe(0);
    expect(list.out).toMatch(/aua\s+3\s+1/);
    const one = await runCli([
      'report',
      'acceptances',
      '--hub',
      running.url,
      '--token',
      token,
      '--agreement',
      'aua',
      '--version',
      '3',
    ]);
    expect(one.out).toContain('1 accepted, 1 not yet');
    expect(one.out).toContain('Not yet: ben');
    const csv = await runCli([
      'report',
      'acceptances',
      '--hub',
      running.url,
      '--token',
      token,
      '--agreement',
      'aua',
      '--version',
      '3',
      '--csv',
    ]);
    expect(csv.out.split('\r\n')).toContain('ben,not yet,,,');
  });

  it('lists terminals with what needs looking at', async () => {
    const r = await runCli(['terminals', '--hub', running.url, '--token', token]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/LAB-07\s+\S+\s+41\s+policy stale/);
  });

  it('says what is wrong in words: no token, a bad token, a trust token without --school, no hub', async () => {
    const noToken = await runCli(['terminals', '--hub', running.url]);
    expect(noToken.code).toBe(2);
    expect(noToken.err).toMatch(/API token/);
    const bad = await runCli(['terminals', '--hub', running.url, '--token', 'clh_wrong']);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/not known here or has been revoked/);
    const trust = await runCli(['terminals', '--hub', running.url, '--token', trustToken]);
    expect(trust.code).toBe(2);
    expect(trust.err).toMatch(/--school.*north, south/);
    const down = await runCli(['terminals', '--hub', 'http://127.0.0.1:9', '--token', token]);
    expect(down.code).toBe(1);
    expect(down.err).toMatch(/cannot be reached/);
  });
});
