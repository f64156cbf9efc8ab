import type { SessionSource, SignedInSession } from './session-source';
import { sidOfToken } from './windows-pipe';
import {
  WTS_CURRENT_SERVER_HANDLE,
  loadWin32,
  type Handle,
  type Out,
  type Ptr,
  type Win32,
} from './windows-win32';

const WTS_USER_NAME = 5;
const WTS_DOMAIN_NAME = 7;
/** WTS_CONNECTSTATE_CLASS values that mean a user session exists. */
const WTS_ACTIVE = 0;
const WTS_CONNECTED = 1;
const WTS_DISCONNECTED = 4;
const STATE_NAMES: Record<number, string> = {
  [WTS_ACTIVE]: 'active',
  [WTS_CONNECTED]: 'connected',
  [WTS_DISCONNECTED]: 'disconnected',
};

export interface WtsSession extends SignedInSession {
  /** RDP-Tcp#3, Console, ... */
  station: string;
  /** active, connected (no user yet), disconnected (user signed in, nobody watching) */
  state: string;
}

/**
 * Who is signed in on Windows, from the session manager (wtsapi32). Session 0 is where
 * services run and never has a desktop user. A session with no user name is a sign-in
 * screen waiting for someone.
 */
export class WtsSessionSource implements SessionSource {
  constructor(private readonly win32: () => Win32 = loadWin32) {}

  describe(): string {
    return 'Windows sessions (WTS)';
  }

  private query(w: Win32, session: number, infoClass: number): string {
    const buf: Out<Ptr> = [null];
    const bytes: Out<number> = [0];
    if (!w.WTSQuerySessionInformationW(WTS_CURRENT_SERVER_HANDLE, session, infoClass, buf, bytes))
      return '';
    try {
      return w.decodeString16(buf[0]);
    } finally {
      w.WTSFreeMemory(buf[0]);
    }
  }

  /** The user's SID from the session's token (a LocalSystem service may ask for it). */
  private sid(w: Win32, session: number): string | undefined {
    const token: Out<Handle> = [null];
    if (!w.WTSQueryUserToken(session, token)) return undefined;
    try {
      return sidOfToken(w, token[0]);
    } catch {
      return undefined;
    } finally {
      w.CloseHandle(token[0]);
    }
  }

  async list(): Promise<WtsSession[]> {
    const w = this.win32();
    const info: Out<Ptr> = [null];
    const count: Out<number> = [0];
    if (!w.WTSEnumerateSessionsW(WTS_CURRENT_SERVER_HANDLE, 0, 1, info, count))
      throw new Error(`Windows would not list the sessions (error ${w.GetLastError()})`);
    let raw;
    try {
      raw = w.decodeSessions(info[0], count[0]);
    } finally {
      w.WTSFreeMemory(info[0]);
    }
    const sessions: WtsSession[] = [];
    for (const s of raw) {
      if (s.SessionId === 0 || !(s.State in STATE_NAMES)) continue;
      const user = this.query(w, s.SessionId, WTS_USER_NAME);
      if (!user) continue;
      const domain = this.query(w, s.SessionId, WTS_DOMAIN_NAME);
      sessions.push({
        id: String(s.SessionId),
        sid: this.sid(w, s.SessionId),
        account: domain ? `${domain}\\${user}` : user,
        graphical: s.State !== WTS_DISCONNECTED,
        station: s.pWinStationName,
        state: STATE_NAMES[s.State]!,
      });
    }
    return sessions;
  }

  async sessionOfPid(pid: number): Promise<string | undefined> {
    if (!Number.isInteger(pid) || pid <= 0) return undefined;
    const w = this.win32();
    const session: Out<number> = [0];
    return w.ProcessIdToSessionId(pid, session) ? String(session[0]) : undefined;
  }

  private sessionNumber(sessionId: string): number {
    const n = Number(sessionId);
    if (!/^\d+$/.test(sessionId) || n === 0)
      throw new Error(
        `"${sessionId}" is not a user session (Windows session ids are numbers above 0)`,
      );
    return n;
  }

  /**
   * Lock by disconnecting the session. LockWorkStation locks only the session of the
   * process that calls it, and the service runs in session 0; disconnecting (which a
   * LocalSystem service may do to any session) leaves the user's programs running and
   * puts the console back to the sign-in screen, where only the user's own password (or
   * an administrator) brings the session back. On a remote desktop it ends the viewer's
   * connection the same way.
   */
  async lock(sessionId: string): Promise<void> {
    const w = this.win32();
    const n = this.sessionNumber(sessionId);
    if (!w.WTSDisconnectSession(WTS_CURRENT_SERVER_HANDLE, n, false))
      throw new Error(`cannot lock Windows session ${n} (error ${w.GetLastError()})`);
  }

  async terminate(sessionId: string): Promise<void> {
    const w = this.win32();
    const n = this.sessionNumber(sessionId);
    if (!w.WTSLogoffSession(WTS_CURRENT_SERVER_HANDLE, n, false))
      throw new Error(`cannot sign out Windows session ${n} (error ${w.GetLastError()})`);
  }
}
