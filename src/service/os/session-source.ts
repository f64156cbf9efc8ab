/**
 * Who is signed in on this computer, as the operating system knows it (logind on Linux,
 * WTS sessions on Windows). The machine service asks this, never a client, so a killed or
 * never-started client cannot hide a session from enforcement or from the watchdog.
 */
export interface SignedInSession {
  /** The OS's own session id (logind session id; WTS session id as a string). */
  id: string;
  /** Linux: the numeric user id. */
  uid?: number;
  /** Windows: the user's SID. */
  sid?: string;
  /** The account as the OS reports it (jsmith, SCHOOL\jsmith). */
  account: string;
  /** A desktop session (x11, wayland, a Windows console or RDP session), not ssh or a cron job. */
  graphical: boolean;
  /** The session's leader process, where the OS says. */
  leaderPid?: number;
}

export interface SessionSource {
  /** A few words for status lines, e.g. "logind over D-Bus". */
  describe(): string;
  list(): Promise<SignedInSession[]>;
  /** The session a process belongs to (a connecting client's pid), or undefined. */
  sessionOfPid(pid: number): Promise<string | undefined>;
  /** Lock that session's screen (logind LockSession; WTS: the session's lock). */
  lock(sessionId: string): Promise<void>;
  /** Sign that session out (logind TerminateSession; WTSLogoffSession). */
  terminate(sessionId: string): Promise<void>;
  /** Called when sessions appear or go; returns an unsubscribe. Optional: the service also polls. */
  watch?(onChange: () => void): () => void;
}

/** Who is at the other end of a local connection, as the OS reports it. */
export interface PeerIdentity {
  pid: number;
  /** Linux */
  uid?: number;
  gid?: number;
  /** Windows: the pipe client's token user SID. */
  sid?: string;
}
