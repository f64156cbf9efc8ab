import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcSessionSource } from '../../src/service/os/logind-proc-fallback';
import type { CommandRunner } from '../../src/core/enforcement/enforcer';

/** A folder laid out as /proc is, since this machine's own processes have no audit session. */
let root = '';
const UNSET = 4294967295;

async function proc(
  pid: number,
  o: { ppid: number; loginuid: number; sessionid: number; comm?: string; env?: string[] },
) {
  const d = join(root, 'proc', String(pid));
  await mkdir(d, { recursive: true });
  await writeFile(join(d, 'loginuid'), `${o.loginuid}`);
  await writeFile(join(d, 'sessionid'), `${o.sessionid}`);
  await writeFile(join(d, 'stat'), `${pid} (${o.comm ?? 'sh'}) S ${o.ppid} ${pid} ${pid} 0 -1\n`);
  await writeFile(join(d, 'environ'), (o.env ?? ['PATH=/usr/bin']).join('\0') + '\0');
}

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'classlock-proc-'));
  await mkdir(join(root, 'proc'));
  await writeFile(
    join(root, 'passwd'),
    'root:x:0:0:root:/root:/bin/bash\npupil1:x:3001:3001::/home/pupil1:/bin/bash\n',
  );
  await proc(1, { ppid: 0, loginuid: UNSET, sessionid: UNSET, comm: 'init' });
  await proc(800, { ppid: 1, loginuid: UNSET, sessionid: UNSET, comm: 'lightdm' });
  // pupil1's desktop, session 3: the session leader's parent is the display manager.
  await proc(1000, { ppid: 800, loginuid: 3001, sessionid: 3, comm: 'xfce4-session' });
  await proc(1001, {
    ppid: 1000,
    loginuid: 3001,
    sessionid: 3,
    comm: 'web (content) x',
    env: ['DISPLAY=:0', 'HOME=/home/pupil1'],
  });
  // an ssh login of uid 3005 (no passwd line), session 9: no display.
  await proc(2000, { ppid: 1, loginuid: 3005, sessionid: 9, comm: 'bash' });
  await mkdir(join(root, 'proc', 'self'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const source = (extra: ConstructorParameters<typeof ProcSessionSource>[0] = {}) =>
  new ProcSessionSource({
    procRoot: join(root, 'proc'),
    passwdFile: join(root, 'passwd'),
    ...extra,
  });

describe('sessions from /proc where there is no logind', () => {
  it('groups processes by audit session, finds the leader and names the account', async () => {
    expect(await source().list()).toEqual([
      { id: '3', uid: 3001, account: 'pupil1', graphical: true, leaderPid: 1000 },
      { id: '9', uid: 3005, account: '3005', graphical: false, leaderPid: 2000 },
    ]);
  });

  it("gives a process's session, and none to a system process", async () => {
    const s = source();
    expect(await s.sessionOfPid(1001)).toBe('3');
    expect(await s.sessionOfPid(800)).toBeUndefined();
    expect(await s.sessionOfPid(4242)).toBeUndefined();
  });

  it('says plainly that it cannot lock without logind', async () => {
    await expect(source().lock('3')).rejects.toThrow(
      'cannot lock session 3: this computer has no logind',
    );
    const noLoginctl: CommandRunner = {
      run: async () => ({ code: 127, stdout: '', stderr: 'could not run loginctl' }),
    };
    await expect(source({ runner: noLoginctl }).lock('3')).rejects.toThrow(/no logind/);
  });

  it('uses loginctl where it exists', async () => {
    const calls: string[][] = [];
    const runner: CommandRunner = {
      run: async (file, args) => {
        calls.push([file, ...args]);
        return { code: 0, stdout: '', stderr: '' };
      },
    };
    await source({ runner }).lock('3');
    await source({ runner }).terminate('3');
    expect(calls).toEqual([
      ['loginctl', 'lock-session', '3'],
      ['loginctl', 'terminate-session', '3'],
    ]);
  });

  it('signs a session out by ending its processes, and never a pid reused by another session', async () => {
    const sent: [number, string][] = [];
    const kill = (pid: number, sig: NodeJS.Signals) => {
      sent.push([pid, sig]);
      // 1000 ends on SIGTERM; 1001 ignores it. Meanwhile pid 1000 is reused by session 9.
      if (sig === 'SIGTERM' && pid === 1000)
        void proc(1000, { ppid: 1, loginuid: 3005, sessionid: 9 });
      if (sig === 'SIGKILL') void rm(join(root, 'proc', String(pid)), { recursive: true });
    };
    await source({ kill, graceMs: 300 }).terminate('3');
    expect(sent).toEqual([
      [1000, 'SIGTERM'],
      [1001, 'SIGTERM'],
      [1001, 'SIGKILL'],
    ]);
    expect((await source().list()).map((s) => s.id)).toEqual(['9']);
  });
});
