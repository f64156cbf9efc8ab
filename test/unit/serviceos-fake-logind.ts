import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dbus from 'dbus-next';

/**
 * A private dbus-daemon and a small stand-in for systemd-logind exported on it, for the
 * logind session-source tests and bench (this machine has neither systemd nor a system
 * bus). Only the logind side is pretend; every message crosses a real bus.
 */
export const DBUS_DAEMON = '/usr/bin/dbus-daemon';
export const haveDaemon = existsSync(DBUS_DAEMON);

export interface FakeSessionData {
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

export const pathOf = (id: string) =>
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

/** A logind user: its graphical session ("Display") and processes outside any session. */
class FakeUser extends dbus.interface.Interface {
  constructor(
    private readonly uid: number,
    private readonly manager: FakeManager,
  ) {
    super('org.freedesktop.login1.User');
  }
  get Display() {
    const d = [...this.manager.sessions.values()]
      .map((x) => x.data)
      .find((x) => x.uid === this.uid && (x.type === 'x11' || x.type === 'wayland'));
    return d ? [d.id, pathOf(d.id)] : ['', '/'];
  }
}
FakeUser.configureMembers({ properties: { Display: { signature: '(so)', access: 'read' } } });

export class FakeManager extends dbus.interface.Interface {
  readonly sessions = new Map<string, { data: FakeSessionData; iface: FakeSession }>();
  readonly locked: string[] = [];
  readonly terminated: string[] = [];
  /** Processes in a user's systemd scopes, outside every session: pid → uid. */
  readonly scopedPids = new Map<number, number>();
  private readonly users = new Map<number, FakeUser>();
  /** Listed but already gone when asked about (a session ending mid-list). */
  readonly ghosts: string[] = [];
  constructor(private readonly bus: dbus.MessageBus) {
    super('org.freedesktop.login1.Manager');
    // logind (sd-bus) answers a question about a session that has gone with UnknownObject.
    bus.addMethodHandler((msg: dbus.Message) => {
      if (!this.ghosts.some((id) => pathOf(id) === msg.path)) return false;
      bus.send(
        dbus.Message.newError(
          msg as unknown as string, // dbus-next types say string; it takes the message
          'org.freedesktop.DBus.Error.UnknownObject',
          `Unknown object '${msg.path}'.`,
        ),
      );
      return true;
    });
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
    const ghosts = this.ghosts.map((id) => [id, 3999, 'gone', 'seat0', pathOf(id)]);
    return [
      ...ghosts,
      ...[...this.sessions.values()].map(({ data: d }) => [
        d.id,
        d.uid,
        d.name,
        'seat0',
        pathOf(d.id),
      ]),
    ];
  }
  GetSessionByPID(pid: number) {
    for (const { data } of this.sessions.values())
      if (data.pids.includes(pid)) return pathOf(data.id);
    throw new dbus.DBusError(
      'org.freedesktop.login1.NoSessionForPID',
      `PID ${pid} does not belong to any known session`,
    );
  }
  GetUserByPID(pid: number) {
    const uid = this.scopedPids.get(pid);
    if (uid === undefined)
      throw new dbus.DBusError(
        'org.freedesktop.login1.NoUserForPID',
        `PID ${pid} does not belong to any logged in user or lingering user`,
      );
    if (!this.users.has(uid)) {
      const u = new FakeUser(uid, this);
      this.users.set(uid, u);
      this.bus.export(`/org/freedesktop/login1/user/_${uid}`, u);
    }
    return `/org/freedesktop/login1/user/_${uid}`;
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
    GetUserByPID: { inSignature: 'u', outSignature: 'o' },
    GetSession: { inSignature: 's', outSignature: 'o' },
    LockSession: { inSignature: 's' },
    TerminateSession: { inSignature: 's' },
  },
  signals: { SessionNew: { signature: 'so' }, SessionRemoved: { signature: 'so' } },
});

export const session = (
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

export interface PrivateBus {
  address: string;
  manager: FakeManager;
  /** Opens a new connection to the bus (closed by stop()). */
  open(): dbus.MessageBus;
  stop(): Promise<void>;
}

/** Starts dbus-daemon on a socket in a temp folder and puts a fake logind on it. */
export async function startBusWithLogind(): Promise<PrivateBus> {
  const dir = await mkdtemp(join(tmpdir(), 'classlock-dbus-'));
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
  const daemon: ChildProcess = spawn(
    DBUS_DAEMON,
    ['--config-file', conf, '--nofork', '--print-address'],
    {
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  const address = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('dbus-daemon did not start in 5 s')), 5000);
    daemon.stdout!.setEncoding('utf8').once('data', (d: string) => {
      clearTimeout(t);
      resolve(d.trim().split('\n')[0]!);
    });
  });
  const buses: dbus.MessageBus[] = [];
  const open = () => {
    const b = dbus.sessionBus({ busAddress: address, authMethods: ['EXTERNAL'] });
    b.on('error', () => undefined);
    buses.push(b);
    return b;
  };
  const logindBus = open();
  const manager = new FakeManager(logindBus);
  logindBus.export('/org/freedesktop/login1', manager);
  await logindBus.requestName('org.freedesktop.login1', 0);
  return {
    address,
    manager,
    open,
    stop: async () => {
      for (const b of buses) b.disconnect();
      daemon.kill('SIGTERM');
      await rm(dir, { recursive: true, force: true });
    },
  };
}
