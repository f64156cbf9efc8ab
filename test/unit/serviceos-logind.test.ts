import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dbus from 'dbus-next';
import { LogindSessionSource } from '../../src/service/os/logind-session-source';

/**
 * The real client code against a real dbus-daemon on a private socket, with a small
 * stand-in for systemd-logind exported on it (this machine has neither systemd nor a
 * system bus). Only the logind side is pretend; every message crosses a real bus.
 */
const DBUS_DAEMON = '/usr/bin/dbus-daemon';
const haveDaemon = existsSync(DBUS_DAEMON);

interface FakeSessionData {
  id: string;
  uid: number;
  name: string;
  type: string;
  klass: string;
  state: string;
  active: boolean;
  leader: number;
  pids: number[];
  idle: boolean;
  idleSinceUs: bigint;
}

const pathOf = (id: string) =>
  `/org/freedesktop/login1/session/_${[...id].map((c) => c.charCodeAt(0).toString(16)).join('_')}`;

class FakeSession extends dbus.interface.Interface {
  constructor(private readonly d: FakeSessionData) {
    super('org.freedesktop.login1.Session');
  }
  get Id() {
    return this.d.id;
  }
  get Name() {
    return this.d.name;
  }
  get User() {
    return [this.d.uid, `/org/freedesktop/login1/user/_${this.d.uid}`];
  }
  get Type() {
    return this.d.type;
  }
  get Class() {
    return this.d.klass;
  }
  get State() {
    return this.d.state;
  }
  get Active() {
    return this.d.active;
  }
  get Remote() {
    return false;
  }
  get Leader() {
    return this.d.leader;
  }
  get IdleHint() {
    return this.d.idle;
  }
  get IdleSinceHint() {
    return this.d.idleSinceUs;
  }
}
FakeSession.configureMembers({
  properties: {
    Id: { signature: 's', access: 'read' },
    Name: { signature: 's', access: 'read' },
    User: { signature: '(uo)', access: 'read' },
    Type: { signature: 's', access: 'read' },
    Class: { signature: 's', access: 'read' },
    State: { signature: 's', access: 'read' },
    Active: { signature: 'b', access: 'read' },
    Remote: { signature: 'b', access: 'read' },
    Leader: { signature: 'u', access: 'read' },
    IdleHint: { signature: 'b', access: 'read' },
    IdleSinceHint: { signature: 't', access: 'read' },
  },
});

class FakeManager extends dbus.interface.Interface {
  readonly sessions = new Map<string, { data: FakeSessionData; iface: FakeSession }>();
  readonly locked: string[] = [];
  readonly terminated: string[] = [];
  constructor(private readonly bus: dbus.MessageBus) {
    super('org.freedesktop.login1.Manager');
  }
  add(d: FakeSessionData, announce = true) {
    const iface = new FakeSession(d);
    this.bus.export(pathOf(d.id), iface);
    this.sessions.set(d.id, { data: d, iface });
    if (announce) this.SessionNew(d.id, pathOf(d.id));
  }
  remove(id: string) {
    const s = this.sessions.get(id)!;
    this.sessions.delete(id);
    this.bus.unexport(pathOf(id), s.iface);
    this.SessionRemoved(id, pathOf(id));
  }
  private known(id: string) {
    if (!this.sessions.has(id))
      throw new dbus.DBusError('org.freedesktop.login1.NoSuchSession', `No session '${id}' known`);
  }
  ListSessions() {
    return [...this.sessions.values()].map(({ data: d }) => [
      d.id,
      d.uid,
      d.name,
      'seat0',
      pathOf(d.id),
    ]);
  }
  GetSessionByPID(pid: number) {
    for (const { data } of this.sessions.values())
      if (data.pids.includes(pid)) return pathOf(data.id);
    throw new dbus.DBusError(
      'org.freedesktop.login1.NoSessionForPID',
      `PID ${pid} does not belong to any known session`,
    );
  }
  GetSession(id: string) {
    this.known(id);
    return pathOf(id);
  }
  LockSession(id: string) {
    this.known(id);
    this.locked.push(id);
  }
  TerminateSession(id: string) {
    this.known(id);
    this.terminated.push(id);
    this.remove(id);
  }
  SessionNew(id: string, path: string) {
    return [id, path];
  }
  SessionRemoved(id: string, path: string) {
    return [id, path];
  }
}
FakeManager.configureMembers({
  methods: {
    ListSessions: { outSignature: 'a(susso)' },
    GetSessionByPID: { inSignature: 'u', outSignature: 'o' },
    GetSession: { inSignature: 's', outSignature: 'o' },
    LockSession: { inSignature: 's' },
    TerminateSession: { inSignature: 's' },
  },
  signals: { SessionNew: { signature: 'so' }, SessionRemoved: { signature: 'so' } },
});

const session = (
  over: Partial<FakeSessionData> & Pick<FakeSessionData, 'id'>,
): FakeSessionData => ({
  uid: 3001,
  name: 'pupil1',
  type: 'wayland',
  klass: 'user',
  state: 'active',
  active: true,
  leader: 4000,
  pids: [],
  idle: false,
  idleSinceUs: 0n,
  ...over,
});

let dir = '';
let daemon: ChildProcess | undefined;
let address = '';
let logindBus: dbus.MessageBus;
let manager: FakeManager;
const buses: dbus.MessageBus[] = [];

function openBus(): dbus.MessageBus {
  const b = dbus.sessionBus({ busAddress: address, authMethods: ['EXTERNAL'] });
  b.on('error', () => undefined);
  buses.push(b);
  return b;
}

/** Resolves when `pred` holds, checking on each bus message; bounded to a few seconds. */
async function until(pred: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !pred(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!pred()) throw new Error(`timed out waiting for ${what}`);
}

beforeAll(async () => {
  if (!haveDaemon) return;
  dir = await mkdtemp(join(tmpdir(), 'classlock-dbus-'));
  const conf = join(dir, 'bus.conf');
  await writeFile(
    conf,
    `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>classlock-test</type>
  <listen>unix:path=${join(dir, 'bus')}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow send_type="signal"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
`,
  );
  daemon = spawn(DBUS_DAEMON, ['--config-file', conf, '--nofork', '--print-address'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  address = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('dbus-daemon did not start in 5 s')), 5000);
    daemon!.stdout!.setEncoding('utf8').once('data', (d: string) => {
      clearTimeout(t);
      resolve(d.trim().split('\n')[0]!);
    });
  });
  logindBus = openBus();
  manager = new FakeManager(logindBus);
  logindBus.export('/org/freedesktop/login1', manager);
  await logindBus.requestName('org.freedesktop.login1', 0);
  manager.add(session({ id: '2', pids: [4000, 4001], leader: 4000 }), false);
  manager.add(
    session({ id: 'c1', uid: 113, name: 'lightdm', type: 'x11', klass: 'greeter', leader: 900 }),
    false,
  );
  manager.add(session({ id: '5', uid: 3002, name: 'teacher1', type: 'tty', leader: 5000 }), false);
}, 15_000);

afterAll(async () => {
  for (const b of buses) b.disconnect();
  daemon?.kill('SIGTERM');
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe.skipIf(!haveDaemon)('logind over a real D-Bus', () => {
  it('lists who is signed in, and only a user desktop counts as graphical', async () => {
    const src = new LogindSessionSource({ connect: openBus });
    const list = await src.list();
    expect(list.map((s) => [s.id, s.account, s.uid, s.graphical])).toEqual([
      ['2', 'pupil1', 3001, true],
      ['c1', 'lightdm', 113, false],
      ['5', 'teacher1', 3002, false],
    ]);
    expect(list[0]).toMatchObject({
      type: 'wayland',
      class: 'user',
      leaderPid: 4000,
      active: true,
    });
    src.close();
  });

  it("finds a connecting client's session from its pid, and none for a stranger", async () => {
    const src = new LogindSessionSource({ connect: openBus });
    expect(await src.sessionOfPid(4001)).toBe('2');
    expect(await src.sessionOfPid(99999)).toBeUndefined();
    expect(await src.sessionOfPid(-1)).toBeUndefined();
    src.close();
  });

  it('locks and signs out a session by id, and names an unknown one', async () => {
    const src = new LogindSessionSource({ connect: openBus });
    manager.add(session({ id: '7', name: 'pupil2', uid: 3003 }), false);
    await src.lock('7');
    expect(manager.locked).toContain('7');
    await src.terminate('7');
    expect((await src.list()).map((s) => s.id)).not.toContain('7');
    await expect(src.lock('nope')).rejects.toThrow(/No session 'nope'/);
    src.close();
  });

  it("reports logind's idle hint in epoch milliseconds", async () => {
    const src = new LogindSessionSource({ connect: openBus });
    manager.add(session({ id: '8', idle: true, idleSinceUs: 1_790_000_000_123_456n }), false);
    expect(await src.idleHint('8')).toEqual({ idle: true, sinceMs: 1_790_000_000_123 });
    expect(await src.idleHint('2')).toEqual({ idle: false, sinceMs: 0 });
    expect(await src.idleHint('nope')).toBeUndefined();
    src.close();
  });

  it('hears sessions come and go, and ignores the same signal forged by another bus user', async () => {
    let clientBus: dbus.MessageBus | undefined;
    const src = new LogindSessionSource({
      connect: () => (clientBus = openBus()),
    });
    let heard = 0;
    const stop = src.watch(() => heard++);
    // The subscription is in place once the source has asked the bus who logind is.
    await src.list();
    await until(
      () => (src as unknown as { logindOwner?: string }).logindOwner !== undefined,
      'subscription',
    );

    const attacker = openBus();
    await attacker.getProxyObject('org.freedesktop.DBus', '/org/freedesktop/DBus');
    attacker.send(
      new dbus.Message({
        type: dbus.MessageType.SIGNAL,
        destination: (clientBus as unknown as { name: string }).name,
        path: '/org/freedesktop/login1',
        interface: 'org.freedesktop.login1.Manager',
        member: 'SessionRemoved',
        signature: 'so',
        body: ['2', pathOf('2')],
      }),
    );
    // A round trip from the attacker makes sure the bus has passed its signal on first.
    await attacker.getProxyObject('org.freedesktop.DBus', '/org/freedesktop/DBus');

    manager.add(session({ id: '9', name: 'pupil3', uid: 3004 }));
    await until(() => heard >= 1, 'SessionNew');
    expect(heard).toBe(1);
    manager.remove('9');
    await until(() => heard >= 2, 'SessionRemoved');
    stop();
    manager.add(session({ id: '10' }));
    expect((await src.list()).map((s) => s.id)).toContain('10');
    expect(heard).toBe(2);
    src.close();
  });

  it('gives up on a bus that does not answer, in words', async () => {
    // A second "logind" that never replies: swap the name owner to a silent connection.
    const silent = openBus();
    const src = new LogindSessionSource({ connect: openBus, callTimeoutMs: 300 });
    silent.addMethodHandler(() => true); // swallows every call without a reply
    await silent.requestName('org.freedesktop.login1.silent', 0);
    const call = (src as unknown as { call: (...a: unknown[]) => Promise<unknown> }).call.bind(src);
    await expect(
      call(
        'org.freedesktop.login1.silent',
        '/org/freedesktop/login1',
        'org.freedesktop.login1.Manager',
        'ListSessions',
      ),
    ).rejects.toThrow(/did not answer ListSessions within 0.3 s/);
    src.close();
  });
});
