import type { AuditEntry, AuditSink } from '../core/audit/audit-log';
import type { Clock } from '../core/clock';
import type { RestrictionEnforcer } from '../core/enforcement/enforcer';
import type { Policy } from '../core/policy/schema';
import type { SessionRuntime, SessionShell } from '../core/session/runtime';
import type { ServiceRequest } from '../shared/service-protocol';
import type { ClientIdentity, IdentityResolver } from './identity';
import type { PeerIdentity, SessionSource, SignedInSession } from './os/session-source';
import type { Answer, ConnectionHandler, ServiceConnection } from './socket-server';

/** A client that has said nothing for this long is treated as gone (it sends idle every second). */
const SILENT_MS = 3000;

/** One signed-in desktop (or other) session and the SessionRuntime that protects it. */
export interface HostedSession {
  id: string;
  account: string;
  uid?: number;
  sid?: string;
  graphical: boolean;
  /** Known to the OS (not only from a client's hello). */
  fromOs: boolean;
  runtime: SessionRuntime;
  clients: Set<ServiceConnection>;
  /** When the session last had no client (its start, or the last client leaving). */
  unattendedSince: number;
  /** When one of its clients last said anything (a live client sends idle once a second). */
  lastHeardAt: number;
  watchdog: 'watching' | 'locked' | 'signedOut';
}

export interface SessionHostOptions {
  clock: Clock;
  source: SessionSource;
  resolveIdentity: IdentityResolver;
  /** The groups of an account the OS reports signed in. */
  groupsOf(account: string): Promise<string[]>;
  /** Builds and starts a runtime for one session (the machine's shared stores are inside). */
  createRuntime(
    who: ClientIdentity & { sessionId: string; locale?: string },
    shell: SessionShell,
    audit: AuditSink,
  ): Promise<SessionRuntime>;
  policy(): Policy;
  audit: AuditSink;
  enforcer?: RestrictionEnforcer;
  /** Status answer for anyone who asks (tray, doctor). */
  status(): Promise<Answer>;
  /** Lowest uid that gets a session (Debian's UID_MIN). */
  minUid: number;
  log(line: string): void;
}

/**
 * Holds one SessionRuntime per signed-in session, whether or not its client is there:
 * sanctions are applied when the OS reports the sign-in, the clock of every session runs
 * here, and a session whose client is missing is locked (and, per policy, signed out) by
 * the watchdog. A client attaches to the session the OS says it belongs to and may act on
 * that session only.
 */
export class SessionHost implements ConnectionHandler {
  private readonly sessions = new Map<string, HostedSession>();
  private readonly pending = new Map<string, Promise<HostedSession>>();
  private syncing: Promise<void> = Promise.resolve();
  /** Work started from events (a client leaving), awaited when the service stops. */
  private readonly background = new Set<Promise<unknown>>();

  constructor(private readonly o: SessionHostOptions) {}

  list(): HostedSession[] {
    return [...this.sessions.values()];
  }

  get(id: string): HostedSession | undefined {
    return this.sessions.get(id);
  }

  /**
   * Bring the hosted sessions in line with the OS's list: new sign-ins get a runtime,
   * ended ones are let go. One at a time, so a caller that awaits it sees its result.
   */
  sync(): Promise<void> {
    const next = this.syncing.then(() => this.syncOnce());
    this.syncing = next.catch(() => undefined);
    return next;
  }

  private async syncOnce(): Promise<void> {
    const listed = await this.o.source.list();
    const ids = new Set<string>();
    for (const s of listed) {
      if (!this.eligible(s)) continue;
      ids.add(s.id);
      if (this.sessions.has(s.id) || this.pending.has(s.id)) continue;
      const groups = await this.o.groupsOf(s.account).catch(() => [] as string[]);
      await this.ensure(s.id, { account: s.account, groups, ...ids_(s) }, s.graphical, true).catch(
        (err: unknown) => this.o.log(`Could not start the session of ${s.account}: ${String(err)}`),
      );
    }
    for (const h of [...this.sessions.values()]) {
      if (h.fromOs && !ids.has(h.id)) await this.ended(h);
    }
  }

  /** Resolves once nothing started by the host is still running (for a clean stop). */
  async settled(): Promise<void> {
    await this.syncing;
    while (this.background.size) await Promise.all([...this.background]);
    await this.syncing;
  }

  /** Run work that no caller waits for, but that a stop must. */
  inBackground(work: Promise<unknown>): void {
    const p = work.catch(() => undefined).finally(() => this.background.delete(p));
    this.background.add(p);
  }

  /** Every second: run each session's clock when no client does, and watch for missing clients. */
  async tick(): Promise<void> {
    const now = this.o.clock.now();
    const wd = this.o.policy().watchdog;
    for (const h of [...this.sessions.values()]) {
      // A client that is gone, or attached but silent (stopped, hung), is no client: a
      // pupil must not be able to freeze their countdown by pausing their own process.
      const away = h.clients.size === 0 ? now - h.unattendedSince : now - h.lastHeardAt;
      if (away < SILENT_MS) continue;
      await h.runtime.idle(0).catch((err: unknown) => this.o.log(`tick failed: ${String(err)}`));
      if (!h.graphical) continue;
      if (h.watchdog === 'watching' && away >= wd.lockAfterSeconds * 1000) {
        h.watchdog = 'locked';
        await h.runtime.lockNow();
        const error = await this.o.source.lock(h.id).then(
          () => undefined,
          (err: unknown) => String(err),
        );
        await this.audit(h, {
          event: 'watchdog.locked',
          user: h.account,
          clientMissingSeconds: Math.round(away / 1000),
          ...(error ? { error } : {}),
        });
      } else if (
        h.watchdog === 'locked' &&
        wd.signOutAfterSeconds !== undefined &&
        away >= (wd.lockAfterSeconds + wd.signOutAfterSeconds) * 1000
      ) {
        h.watchdog = 'signedOut';
        await this.audit(h, {
          event: 'watchdog.signedOut',
          user: h.account,
          clientMissingSeconds: Math.round(away / 1000),
        });
        await this.o.source
          .terminate(h.id)
          .catch((err: unknown) =>
            this.audit(h, { event: 'os.logoffFailed', user: h.account, error: String(err) }),
          );
      }
    }
  }

  /** A newly verified policy reaches every session at once, client or not. */
  async policyChanged(policy: Policy): Promise<void> {
    await Promise.all(
      this.list().map((h) =>
        h.runtime
          .policyChanged(policy)
          .catch((err: unknown) =>
            this.o.log(`policy change failed for ${h.account}: ${String(err)}`),
          ),
      ),
    );
  }

  async reassert(): Promise<void> {
    for (const h of this.list()) await h.runtime.reassert().catch(() => undefined);
  }

  async handle(conn: ServiceConnection, req: ServiceRequest): Promise<Answer> {
    if (req.type === 'status') return this.statusFor(conn.attached as HostedSession | undefined);
    if (req.type === 'hello') return this.hello(conn, req.locale);
    const h = conn.attached as HostedSession | undefined;
    if (!h) return { ok: false, error: 'say hello first' };
    h.lastHeardAt = this.o.clock.now();
    const rt = h.runtime;
    switch (req.type) {
      case 'intent':
        return { ok: true, view: await rt.intent(req.intent) };
      case 'idle':
        await rt.idle(req.seconds);
        break;
      case 'power':
        await (req.event === 'suspend'
          ? rt.suspend()
          : req.event === 'resume'
            ? rt.resume()
            : rt.lockNow());
        break;
      case 'lockNow':
        await rt.lockNow();
        break;
      case 'hideScreen':
        await rt.hideScreen();
        break;
      case 'displaysChanged':
        break;
      case 'shellReport':
        if (req.report.problems?.length || req.report.idleSource === 'unavailable')
          await this.audit(h, { event: 'client.problems', user: h.account, report: req.report });
        break;
    }
    return { ok: true, view: rt.view() };
  }

  /** The machine's status, plus the asking client's own session when it has one. */
  private async statusFor(h: HostedSession | undefined): Promise<Answer> {
    const answer = await this.o.status();
    if (!h || !answer.ok || !answer.status) return answer;
    const facts = h.runtime.snapshot().facts;
    const st = h.runtime.status();
    return {
      ...answer,
      status: {
        ...answer.status,
        session: {
          account: h.account,
          rules: facts.rules,
          lockWithoutIdleSource: facts.timeouts.lockWithoutIdleSource === true,
          ...(st.restriction ? { restriction: st.restriction } : {}),
          ...(st.enforcementError ? { enforcementError: st.enforcementError } : {}),
        },
      },
    };
  }

  closed(conn: ServiceConnection): void {
    const h = conn.attached as HostedSession | undefined;
    if (!h) return;
    h.clients.delete(conn);
    if (h.clients.size === 0) {
      h.unattendedSince = this.o.clock.now();
      this.inBackground(this.audit(h, { event: 'client.gone', user: h.account }));
    }
  }

  private async hello(conn: ServiceConnection, locale: string | undefined): Promise<Answer> {
    if (conn.attached) return { ok: false, error: 'this connection already said hello' };
    const who = await this.o.resolveIdentity(conn.peer);
    const sessionId = await this.sessionIdFor(conn.peer, who);
    const h = await this.ensure(sessionId, { ...who, ...(locale ? { locale } : {}) }, true, false);
    // Never attach one account's client to another account's session.
    if (h.uid !== who.uid || h.sid !== who.sid)
      return { ok: false, error: 'this session belongs to another account' };
    if (!conn.isOpen) return { ok: false, error: 'the connection closed' };
    conn.attached = h;
    h.clients.add(conn);
    h.lastHeardAt = this.o.clock.now();
    h.watchdog = 'watching';
    return { ok: true, view: h.runtime.view() };
  }

  /** The OS's session of the connecting process; else the account's desktop session; else one keyed by the account. */
  private async sessionIdFor(peer: PeerIdentity, who: ClientIdentity): Promise<string> {
    const byPid = await this.o.source.sessionOfPid(peer.pid).catch(() => undefined);
    if (byPid) return byPid;
    const listed = (await this.o.source.list().catch(() => [] as SignedInSession[])).filter(
      (s) => (who.uid !== undefined && s.uid === who.uid) || (who.sid && s.sid === who.sid),
    );
    const chosen = listed.find((s) => s.graphical) ?? listed[0];
    return chosen?.id ?? `client-${who.uid ?? who.sid ?? who.account}`;
  }

  private eligible(s: SignedInSession): boolean {
    return s.uid !== undefined ? s.uid >= this.o.minUid : s.sid !== undefined;
  }

  private ensure(
    id: string,
    who: ClientIdentity & { locale?: string },
    graphical: boolean,
    fromOs: boolean,
  ): Promise<HostedSession> {
    const have = this.sessions.get(id);
    if (have) return Promise.resolve(have);
    const waiting = this.pending.get(id);
    if (waiting) return waiting;
    const made = this.create(id, who, graphical, fromOs).finally(() => this.pending.delete(id));
    this.pending.set(id, made);
    return made;
  }

  private async create(
    id: string,
    who: ClientIdentity & { locale?: string },
    graphical: boolean,
    fromOs: boolean,
  ): Promise<HostedSession> {
    const holder: { h?: HostedSession } = {};
    const shell: SessionShell = {
      present: (view) => {
        for (const c of holder.h?.clients ?? []) c.push({ push: 'view', view });
      },
      // Performed by the service through the OS: a client cannot skip them.
      lockOs: () => this.o.source.lock(id),
      logoff: () => this.o.source.terminate(id),
    };
    const audit = this.stamped(who.account, id);
    const runtime = await this.o.createRuntime({ ...who, sessionId: id }, shell, audit);
    const h: HostedSession = {
      id,
      account: who.account,
      ...(who.uid !== undefined ? { uid: who.uid } : {}),
      ...(who.sid !== undefined ? { sid: who.sid } : {}),
      graphical,
      fromOs,
      runtime,
      clients: new Set(),
      unattendedSince: this.o.clock.now(),
      lastHeardAt: 0,
      watchdog: 'watching',
    };
    holder.h = h;
    this.sessions.set(id, h);
    await runtime.start();
    await audit.append({
      event: 'session.hosted',
      user: who.account,
      source: fromOs ? 'os' : 'client',
    });
    return h;
  }

  /** The session ended: let it go, and lift its user's rules unless another of their sessions remains. */
  private async ended(h: HostedSession): Promise<void> {
    this.sessions.delete(h.id);
    for (const c of h.clients) c.close();
    await this.audit(h, { event: 'session.ended', user: h.account });
    const others = this.list().some((o) => o.uid === h.uid && o.sid === h.sid);
    if (!others && h.runtime.status().restriction && this.o.enforcer) {
      await this.o.enforcer
        .lift({ account: h.account, ...(h.uid !== undefined ? { uid: h.uid } : {}) })
        .catch((err: unknown) =>
          this.o.log(`Could not lift rules of ${h.account}: ${String(err)}`),
        );
    }
  }

  private audit(h: HostedSession, entry: AuditEntry): Promise<void> {
    return this.stamped(h.account, h.id)
      .append(entry)
      .catch((err: unknown) => this.o.log(`Could not write the audit log: ${String(err)}`));
  }

  /** Every record says which OS account's session caused it. */
  private stamped(account: string, sessionId: string): AuditSink {
    return {
      append: (entry) =>
        this.o.audit.append({ ...entry, osAccount: account, osSession: sessionId }),
    };
  }
}

function ids_(s: SignedInSession): { uid?: number; sid?: string } {
  return {
    ...(s.uid !== undefined ? { uid: s.uid } : {}),
    ...(s.sid !== undefined ? { sid: s.sid } : {}),
  };
}
