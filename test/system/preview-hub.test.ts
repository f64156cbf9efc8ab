/**
 * `npm start` without Electron: the preview terminal is enrolled at an embedded hub, and
 * what the person trying Classlock does there shows in the dashboard it prints.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import type { View } from '../../src/shared/view';
import { StaffClient } from '../support/hub-harness';

let child: ChildProcess | undefined;
afterAll(() => {
  child?.kill('SIGTERM');
});

interface Printed {
  preview: string;
  token: string;
  dashboard: string;
  username: string;
  password: string;
}

function start(): Promise<Printed> {
  child = spawn(process.execPath, ['--import', 'tsx', 'src/preview/start-without-electron.ts'], {
    env: { ...process.env, PORT: '0' },
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`nothing printed in time: ${out}`)), 40_000);
    child!.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const preview = /is at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)?.[1];
      const token = /#token=(\S+)/.exec(out)?.[1];
      const dashboard = /dashboard is at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)?.[1];
      const signIn = /Sign in to it as (\S+) with the password (\S+)/.exec(out);
      if (preview && token && dashboard && signIn) {
        clearTimeout(timer);
        resolve({ preview, token, dashboard, username: signIn[1]!, password: signIn[2]! });
      }
    });
    child!.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child!.on('exit', (code) => reject(new Error(`the preview exited (${code}): ${out}`)));
  });
}

describe('npm start without Electron', () => {
  it('prints the dashboard and its sign-in; an agreement accepted in the preview is in its report, and Start again asks again', async () => {
    const p = await start();
    expect(new URL(p.dashboard).hostname).toBe('127.0.0.1');
    const view = (await (await fetch(`${p.preview}api/view`)).json()) as View;
    expect(view.screen).toBe('agreement');
    if (view.screen !== 'agreement') return;
    const r = await fetch(`${p.preview}api/intent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'acceptAgreement',
        agreementId: view.agreement.id,
        version: view.agreement.version,
      }),
    });
    expect(r.ok).toBe(true);

    const staff = new StaffClient(p.dashboard.replace(/\/$/, ''));
    expect((await staff.signIn(p.username, p.password)).status).toBe(200);
    const path = `/api/v1/staff/schools/preview/acceptances?agreement=${view.agreement.id}&version=${view.agreement.version}`;
    let people: string[] = [];
    for (let i = 0; i < 100 && !people.length; i++) {
      const report = await staff.json<{ accepted: { person: string }[] }>('GET', path);
      people = report.accepted.map((a) => a.person);
      if (!people.length) await new Promise((res) => setTimeout(res, 200));
    }
    expect(people).toEqual([view.user.account.toLowerCase()]);

    // "Start again (first login)" still shows the agreement, though the hub has the acceptance.
    const again = await fetch(`${p.preview}api/preview/restart`, {
      method: 'POST',
      headers: { 'x-classlock-token': p.token },
    });
    expect(((await again.json()) as View).screen).toBe('agreement');
  }, 60_000);
});
