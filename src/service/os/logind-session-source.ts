import dbus from 'dbus-next';
import type { SessionSource, SignedInSession } from './session-source';

const LOGIND = 'org.freedesktop.login1';
const MANAGER_PATH = '/org/freedesktop/login1';
const MANAGER = 'org.freedesktop.login1.Manager';
const SESSION = 'org.freedesktop.login1.Session';
const USER = 'org.freedesktop.login1.User';
const PROPERTIES = 'org.freedesktop.DBus.Properties';
const DBUS = 'org.freedesktop.DBus';

/** What logind says about one session, beyond what every SessionSource reports. */
export interface LogindSession extends SignedInSession {
  uid: number;
  /** x11, wayland, mir, tty, unspecified */
  type: string;
  /** user, greeter, lock-screen, background */
  class: string;
  /** online, active, closing */
  state: string;
  active: boolean;
  remote: boolean;
}

export interface IdleHint {
  idle: boolean;
  /** When the session last changed between idle and busy, epoch ms (0: never). */
  sinceMs: number;
}

const GRAPHICAL_TYPES = new Set(['x11', 'wayland', 'mir']);

/**
 * A session the service must enforce on and watch: a person's desktop. The display
 * manager's greeter (class greeter) is nobody yet, and a closing session is one whose user
 * has signed out but left processes behind (lingering): neither has a client to expect.
 */
export function isGraphicalUserSession(s: { type: string; class: string; state: string }): boolean {
  return GRAPHICAL_TYPES.has(s.type) && s.class === 'user' && s.state !== 'closing';
}

type Bus = dbus.MessageBus;

export interface LogindOptions {
  /** Opens the bus; defaults to the system bus. Tests pass a private bus's address. */
  connect?: () => Bus;
  /** No D-Bus call may hold the service up longer than this. */
  callTimeoutMs?: number;
}

function toNumber(v: unknown): number {
  return typeof v === 'bigint' ? Number(v) : Number(v);
}

/**
 * Who is signed in, from systemd-logind over the system D-Bus (dbus-next, pure JS: no
 * native module to build per Node or Electron version). Calls are plain method calls by
 * name, without introspection, so each question costs one round trip.
 */
export class LogindSessionSource implements SessionSource {
  private bus: Bus | undefined;
  private readonly connect: () => Bus;
  private readonly callTimeoutMs: number;
  private readonly watchers = new Set<() => void>();
  private matchAdded = false;
  private logindOwner: string | undefined;

  constructor(options: LogindOptions = {}) {
    this.connect = options.connect ?? (() => dbus.systemBus());
    this.callTimeoutMs = options.callTimeoutMs ?? 5000;
  }

  describe(): string {
    return 'logind over D-Bus';
  }

  /** Lazily connected; a lost bus (dbus restarted) is reopened on the next question. */
  private open(): Bus {
    if (this.bus) return this.bus;
    const bus = this.connect();
    this.bus = bus;
    bus.on('error', () => this.drop(bus));
    bus.on('message', (msg: dbus.Message) => this.onMessage(msg));
    return bus;
  }

  private drop(bus: Bus): void {
    if (this.bus !== bus) return;
    this.bus = undefined;
    this.matchAdded = false;
    this.logindOwner = undefined;
    try {
      bus.disconnect();
    } catch {
      // already gone
    }
    // Sessions may have changed while we could not hear: make the service look again.
    for (const w of this.watchers) w();
  }

  private async call(
    destination: string,
    path: string,
    iface: string,
    member: string,
    signature = '',
    body: unknown[] = [],
  ): Promise<unknown[]> {
    const bus = this.open();
    const msg = new dbus.Message({ destination, path, interface: iface, member, signature, body });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(
          new Error(
            `logind did not answer ${member} within ${this.callTimeoutMs / 1000} s (is systemd-logind running?)`,
          ),
        );
      }, this.callTimeoutMs);
    });
    try {
      const reply = await Promise.race([bus.call(msg), timeout]);
      return reply?.body ?? [];
    } finally {
      clearTimeout(timer);
    }
  }

  private manager(member: string, signature = '', body: unknown[] = []): Promise<unknown[]> {
    return this.call(LOGIND, MANAGER_PATH, MANAGER, member, signature, body);
  }

  private async sessionProps(path: string): Promise<Record<string, unknown>> {
    const [all] = await this.call(LOGIND, path, PROPERTIES, 'GetAll', 's', [SESSION]);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries((all ?? {}) as Record<string, dbus.Variant>))
      out[k] = v.value;
    return out;
  }

  async list(): Promise<LogindSession[]> {
    const [rows] = (await this.manager('ListSessions')) as [
      [string, number, string, string, string][],
    ];
    // One GetAll per session, all sent at once: the bus pipelines them.
    const props = await Promise.all(
      (rows ?? []).map(([, , , , path]) =>
        this.sessionProps(path).catch((err: unknown) => {
          // Gone between the list and the question: it is no longer signed in.
          if (err instanceof dbus.DBusError && /UnknownObject|NoSuchSession/.test(err.type))
            return undefined;
          throw err;
        }),
      ),
    );
    const sessions: LogindSession[] = [];
    (rows ?? []).forEach(([id, uid, name], i) => {
      const p = props[i];
      if (!p) return;
      const s = {
        id,
        uid: toNumber(uid),
        account: name,
        type: String(p.Type ?? ''),
        class: String(p.Class ?? ''),
        state: String(p.State ?? ''),
        active: p.Active === true,
        remote: p.Remote === true,
        leaderPid: p.Leader !== undefined ? toNumber(p.Leader) || undefined : undefined,
      };
      sessions.push({ ...s, graphical: isGraphicalUserSession(s) });
    });
    return sessions;
  }

  /**
   * The session of a process. Desktops that start programs in their own systemd user
   * scopes (GNOME, KDE: autostart entries included) put them outside any session, where
   * GetSessionByPID finds nothing; such a process belongs to its user's graphical session,
   * the user's `Display`, which is what loginctl reports too.
   */
  async sessionOfPid(pid: number): Promise<string | undefined> {
    if (!Number.isInteger(pid) || pid <= 0) return undefined;
    const notFound = (err: unknown) =>
      err instanceof dbus.DBusError && /NoSessionForPID|NoUserForPID|NoSuchProcess/.test(err.type);
    try {
      const [path] = (await this.manager('GetSessionByPID', 'u', [pid])) as [string];
      const [id] = await this.call(LOGIND, path, PROPERTIES, 'Get', 'ss', [SESSION, 'Id']);
      return String((id as dbus.Variant).value);
    } catch (err) {
      if (!notFound(err)) throw err;
    }
    try {
      const [userPath] = (await this.manager('GetUserByPID', 'u', [pid])) as [string];
      const [display] = await this.call(LOGIND, userPath, PROPERTIES, 'Get', 'ss', [
        USER,
        'Display',
      ]);
      const [id] = (display as dbus.Variant<[string, string]>).value;
      return id ? id : undefined;
    } catch (err) {
      if (notFound(err)) return undefined;
      throw err;
    }
  }

  async lock(sessionId: string): Promise<void> {
    await this.manager('LockSession', 's', [sessionId]);
  }

  async terminate(sessionId: string): Promise<void> {
    await this.manager('TerminateSession', 's', [sessionId]);
  }

  /**
   * logind's own idle hint for a session (set by the desktop, e.g. gnome-session, after its
   * idle delay). On Wayland a client cannot see global input, so this is the idle source
   * there. Undefined when the session does not exist.
   */
  async idleHint(sessionId: string): Promise<IdleHint | undefined> {
    let path: string;
    try {
      [path] = (await this.manager('GetSession', 's', [sessionId])) as [string];
    } catch (err) {
      if (err instanceof dbus.DBusError && /NoSuchSession/.test(err.type)) return undefined;
      throw err;
    }
    const p = await this.sessionProps(path);
    // IdleSinceHint is CLOCK_REALTIME in microseconds.
    return {
      idle: p.IdleHint === true,
      sinceMs: Math.floor(toNumber(p.IdleSinceHint ?? 0) / 1000),
    };
  }

  watch(onChange: () => void): () => void {
    this.watchers.add(onChange);
    void this.subscribe().catch(() => {
      // No signals: the service's own polling still sees every change, only later.
    });
    return () => {
      this.watchers.delete(onChange);
    };
  }

  private async subscribe(): Promise<void> {
    if (this.matchAdded) return;
    this.matchAdded = true;
    const daemon = (member: string, body: string[]) =>
      this.call(DBUS, '/org/freedesktop/DBus', DBUS, member, 's', body);
    await daemon('AddMatch', [
      `type='signal',sender='${LOGIND}',path='${MANAGER_PATH}',interface='${MANAGER}'`,
    ]);
    // logind restarted: new owner, and sessions may have changed unheard.
    await daemon('AddMatch', [
      `type='signal',sender='${DBUS}',member='NameOwnerChanged',arg0='${LOGIND}'`,
    ]);
    const [owner] = await daemon('GetNameOwner', [LOGIND]);
    this.logindOwner = String(owner);
  }

  private onMessage(msg: dbus.Message): void {
    if (msg.type !== dbus.MessageType.SIGNAL) return;
    if (msg.sender === DBUS && msg.member === 'NameOwnerChanged' && msg.body[0] === LOGIND) {
      this.logindOwner = String(msg.body[2] ?? '') || undefined;
      for (const w of this.watchers) w();
      return;
    }
    // Any process on the bus can send us a signal directly; only logind's own count.
    if (!this.logindOwner || msg.sender !== this.logindOwner) return;
    if (msg.interface !== MANAGER || msg.path !== MANAGER_PATH) return;
    if (msg.member !== 'SessionNew' && msg.member !== 'SessionRemoved') return;
    for (const w of this.watchers) w();
  }

  /** Close the bus connection (the service is stopping). */
  close(): void {
    const bus = this.bus;
    this.bus = undefined;
    this.watchers.clear();
    bus?.disconnect();
  }
}
