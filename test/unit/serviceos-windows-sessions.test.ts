import { describe, expect, it } from 'vitest';
import { WtsSessionSource } from '../../src/service/os/windows-session-source';
import { LOCAL_SYSTEM_SID } from '../../src/service/os/windows-pipe';
import { FakeWin32 } from './serviceos-fake-win32';

const PUPIL = 'S-1-5-21-1-2-3-1001';
const TEACHER = 'S-1-5-21-1-2-3-1002';

function machine() {
  const w = new FakeWin32();
  w.sessions = [
    { id: 0, station: 'Services', state: 4 },
    { id: 1, station: 'Console', state: 1 }, // the sign-in screen, nobody yet
    { id: 2, station: 'Console', state: 0, user: 'pupil1', domain: 'SCHOOL', sid: PUPIL },
    { id: 3, station: 'RDP-Tcp#4', state: 4, user: 'teacher1', domain: 'SCHOOL', sid: TEACHER },
    { id: 65536, station: 'RDP-Tcp', state: 6 }, // the listener
  ];
  w.processes.set(4, { sid: LOCAL_SYSTEM_SID, session: 0 });
  w.processes.set(4242, { sid: PUPIL, session: 2 });
  return w;
}

describe('Windows sessions through WTS', () => {
  it('lists the signed-in users with their SIDs, and frees what Windows allocated', async () => {
    const w = machine();
    const src = new WtsSessionSource(() => w);
    expect(await src.list()).toEqual([
      {
        id: '2',
        sid: PUPIL,
        account: 'SCHOOL\\pupil1',
        graphical: true,
        station: 'Console',
        state: 'active',
      },
      {
        id: '3',
        sid: TEACHER,
        account: 'SCHOOL\\teacher1',
        graphical: false,
        station: 'RDP-Tcp#4',
        state: 'disconnected',
      },
    ]);
    expect(w.leaks()).toEqual([]);
  });

  it("gives a client process's session", async () => {
    const src = new WtsSessionSource(() => machine());
    expect(await src.sessionOfPid(4242)).toBe('2');
    expect(await src.sessionOfPid(31337)).toBeUndefined();
  });

  it('locks by disconnecting the session and signs out by logging it off', async () => {
    const w = machine();
    const src = new WtsSessionSource(() => w);
    await src.lock('2');
    await src.terminate('3');
    expect(w.calls.filter((c) => c.startsWith('WTS') && !c.includes('Free'))).toEqual([
      'WTSDisconnectSession(2, false)',
      'WTSLogoffSession(3, false)',
    ]);
    expect((await src.list()).map((s) => s.id)).toEqual(['2']);
  });

  it('never touches the services session, and names a session that is not there', async () => {
    const w = machine();
    const src = new WtsSessionSource(() => w);
    await expect(src.lock('0')).rejects.toThrow('"0" is not a user session');
    await expect(src.terminate('2; shutdown')).rejects.toThrow('is not a user session');
    await expect(src.lock('9')).rejects.toThrow('cannot lock Windows session 9 (error 7022)');
    expect(w.disconnected).toEqual([]);
  });
});
