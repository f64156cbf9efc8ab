import { describe, expect, it } from 'vitest';
import { Socket } from 'node:net';
import koffi from 'koffi';
import type { PeerIdentity } from '../../src/service/os/session-source';
import {
  CLASSLOCKD_PIPE,
  LOCAL_SYSTEM_SID,
  NamedPipeServer,
  PIPE_CLIENT_RIGHTS,
  PIPE_SDDL,
  PipePeers,
  connectToService,
  pipeClientIdentity,
} from '../../src/service/os/windows-pipe';
import {
  WIN32_DECLARATIONS,
  defineWin32Types,
  loadWin32,
} from '../../src/service/os/windows-win32';
import { FakeWin32 } from './serviceos-fake-win32';

const PUPIL = 'S-1-5-21-1004336348-1177238915-682003330-1001';
const TEACHER = 'S-1-5-21-1004336348-1177238915-682003330-1002';

function machine() {
  const w = new FakeWin32();
  w.processes.set(4, { sid: LOCAL_SYSTEM_SID, session: 0 });
  w.processes.set(4242, { sid: PUPIL, session: 2 });
  w.processes.set(5151, { sid: TEACHER, session: 3 });
  return w;
}

function server(w: FakeWin32) {
  const peers: PeerIdentity[] = [];
  const problems: string[] = [];
  const handed: unknown[] = [];
  const s = new NamedPipeServer(w, (_sock, peer) => peers.push(peer), {
    onProblem: (m) => problems.push(m),
    toSocket: (_w, h) => {
      handed.push(h);
      return new Socket();
    },
  });
  return { s, peers, problems, handed };
}

describe('the named pipe: who connected, by the OS', () => {
  it("identifies a client by its process's token, closing every handle it opened", () => {
    const w = machine();
    const pipe = w.CreateNamedPipeW(CLASSLOCKD_PIPE, 3, 8, 255, 0, 0, 0, null);
    (pipe as { clientPid?: number }).clientPid = 4242;
    w.calls.length = 0;
    expect(pipeClientIdentity(w, pipe)).toEqual({ pid: 4242, sid: PUPIL });
    expect(w.calls).toEqual([
      'GetNamedPipeClientProcessId',
      'OpenProcess(0x1000)',
      'OpenProcessToken(0x8)',
      'GetTokenInformation(1, null)',
      `GetTokenInformation(1, ${16 + PUPIL.length})`,
      'ConvertSidToStringSidW',
      'LocalFree',
      'CloseHandle(token)',
      'CloseHandle(process)',
    ]);
    expect(w.leaks()).toEqual([]);
  });

  it('lets signed-in users connect but never create an instance of the pipe', () => {
    const ace = /\(A;;0x([0-9a-f]+);;;AU\)/.exec(PIPE_SDDL);
    const mask = Number.parseInt(ace![1]!, 16);
    expect(mask).toBe(PIPE_CLIENT_RIGHTS);
    expect(mask & 0x3).toBe(0x3); // read and write data
    expect(mask & 0x4).toBe(0); // FILE_CREATE_PIPE_INSTANCE
    expect(mask & 0x10000000).toBe(0); // no GENERIC_ALL, which would include it
    expect(PIPE_SDDL.startsWith('D:P(A;;GA;;;SY)(A;;GA;;;BA)')).toBe(true);
  });

  it('creates the first instance with its own rules and refuses remote clients', async () => {
    const w = machine();
    const { s } = server(w);
    s.start();
    await w.clientConnects(4242);
    expect(
      w.pipesCreated.map((p) => [p.name, p.openMode.toString(16), p.pipeMode, p.sddl]),
    ).toEqual([
      [CLASSLOCKD_PIPE, '80003', 8, PIPE_SDDL], // duplex + FILE_FLAG_FIRST_PIPE_INSTANCE
      [CLASSLOCKD_PIPE, '3', 8, PIPE_SDDL], // the next instance, put up before the hand-over
    ]);
    await s.close();
  });

  it('hands each client over with the identity the OS gave, in order', async () => {
    const w = machine();
    const { s, peers, handed } = server(w);
    s.start();
    await w.clientConnects(4242);
    await w.clientConnects(5151);
    expect(peers).toEqual([
      { pid: 4242, sid: PUPIL },
      { pid: 5151, sid: TEACHER },
    ]);
    expect(handed).toHaveLength(2);
    await s.close();
    expect(w.leaks()).toEqual([]);
    // The two handed-over handles now belong to their sockets; the waiting one was closed.
    expect(w.openPipes()).toBe(2);
  });

  it('refuses to start when someone else already holds the pipe name (squatting)', () => {
    const w = machine();
    w.squatted.set(CLASSLOCKD_PIPE, 4242);
    const { s } = server(w);
    expect(() => s.start()).toThrow(/another program already holds \\\\\.\\pipe\\classlockd/);
    expect(w.leaks()).toEqual([]);
  });

  it('drops a client it cannot identify and keeps serving the next', async () => {
    const w = machine();
    const { s, peers, problems } = server(w);
    s.start();
    await w.clientConnects(7777); // exited before it could be looked at
    await w.clientConnects(5151);
    expect(problems).toEqual(['refused a connection: cannot open process 7777 (error 87)']);
    expect(peers).toEqual([{ pid: 5151, sid: TEACHER }]);
    expect(w.calls).toContain('DisconnectNamedPipe');
    await s.close();
    expect(w.leaks()).toEqual([]);
  });
});

describe('the identity of each handed-over connection', () => {
  it('is answered per socket, and a socket from anywhere else has none', async () => {
    const w = machine();
    const peers = new PipePeers();
    const sockets: Socket[] = [];
    const s = new NamedPipeServer(
      w,
      (sock, peer) => {
        peers.remember(sock, peer);
        sockets.push(sock);
      },
      { toSocket: () => new Socket() },
    );
    s.start();
    await w.clientConnects(5151);
    await w.clientConnects(4242);
    expect(sockets.map((k) => peers.identify(k).sid)).toEqual([TEACHER, PUPIL]);
    expect(() => peers.identify(new Socket())).toThrow("did not come through the service's pipe");
    await s.close();
  });
});

describe("the client's end of the pipe", () => {
  it('opens with only the granted rights, identification only, and talks to LocalSystem', () => {
    const w = machine();
    const { s } = server(w);
    s.start();
    const sock = connectToService(w, { toSocket: () => new Socket() });
    expect(sock).toBeInstanceOf(Socket);
    expect(w.calls).toContain(`CreateFileW(0x${PIPE_CLIENT_RIGHTS.toString(16)}, 0x110000)`);
    void s.close();
  });

  it('refuses a pipe served by anyone but LocalSystem (a pupil posing as the service)', () => {
    const w = machine();
    w.squatted.set(CLASSLOCKD_PIPE, 4242);
    expect(() => connectToService(w, { toSocket: () => new Socket() })).toThrow(
      `is served by process 4242 running as ${PUPIL}, not by the Classlock service`,
    );
    expect(w.leaks()).toEqual([]);
  });
});

describe('the Win32 declarations', () => {
  it('all parse in koffi, with the types they name (checked here, bound only on Windows)', () => {
    defineWin32Types();
    for (const [name, [, decl]] of Object.entries(WIN32_DECLARATIONS)) {
      expect(() => koffi.proto(decl), name).not.toThrow();
    }
    // The structs Windows fills have the x64 layout the calls rely on.
    expect(koffi.sizeof('SECURITY_ATTRIBUTES')).toBe(24);
    expect(koffi.sizeof('WTS_SESSION_INFOW')).toBe(24);
    expect(koffi.sizeof('BOOL')).toBe(4);
  });

  it('say so plainly when asked for off Windows', () => {
    expect(() => loadWin32()).toThrow(`the Win32 calls exist only on Windows (this is linux)`);
  });
});
