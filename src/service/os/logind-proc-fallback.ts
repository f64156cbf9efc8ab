import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { CommandRunner } from '../../core/enforcement/enforcer';
import type { SessionSource, SignedInSession } from './session-source';

/** The kernel's "not set" value for loginuid and sessionid. */
const UNSET = 4294967295;

export interface ProcSessionOptions {
  /** The proc file system; tests pass a folder laid out the same way. */
  procRoot?: string;
  /** uid → account name (the service passes its NSS lookup); else /etc/passwd, else the number. */
  accountOf?: (uid: number) => string | undefined;
  passwdFile?: string;
  /** Runs loginctl where it exists; absent, lock and sign-out say what they cannot do. */
  runner?: CommandRunner;
  /** Sends a signal to a process (process.kill); a test passes its own. */
  kill?: (pid: number, signal: NodeJS.Signals) => void;
  /** How long a signed-out session's processes get to close before SIGKILL. */
  graceMs?: number;
}

interface ProcEntry {
  pid: number;
  ppid: number;
  loginuid: number;
  sessionid: number;
  graphical: boolean;
}

async function readNumber(path: string): Promise<number | undefined> {
  try {
    const n = Number((await readFile(path, 'utf8')).trim());
    return Number.isInteger(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

/**
 * For machines without systemd-logind (a container, a minimal or non-systemd distribution):
 * the kernel's audit session (pam_loginuid writes /proc/PID/loginuid and assigns
 * /proc/PID/sessionid at each login). It can tell who is signed in and which session a
 * process belongs to; it cannot tell a desktop from a terminal for certain (a process with
 * DISPLAY or WAYLAND_DISPLAY in its environment is taken as a desktop), has no idle hint,
 * no signals (the service polls), and cannot lock a screen without logind.
 */
export class ProcSessionSource implements SessionSource {
  private readonly procRoot: string;
  private readonly graceMs: number;
  constructor(private readonly options: ProcSessionOptions = {}) {
    this.procRoot = options.procRoot ?? '/proc';
    this.graceMs = options.graceMs ?? 3000;
  }

  describe(): string {
    return 'kernel audit sessions (/proc; no logind)';
  }

  private async entries(): Promise<ProcEntry[]> {
    const out: ProcEntry[] = [];
    for (const name of await readdir(this.procRoot)) {
      if (!/^\d+$/.test(name)) continue;
      const dir = join(this.procRoot, name);
      const loginuid = await readNumber(join(dir, 'loginuid'));
      const sessionid = await readNumber(join(dir, 'sessionid'));
      if (loginuid === undefined || sessionid === undefined) continue;
      if (loginuid === UNSET || sessionid === UNSET) continue;
      let ppid = 0;
      let graphical = false;
      try {
        // "pid (comm) state ppid ...": comm may hold spaces and brackets, so split after the last ')'.
        const stat = await readFile(join(dir, 'stat'), 'utf8');
        ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        const environ = await readFile(join(dir, 'environ'), 'latin1');
        graphical = environ.split('\0').some((kv) => /^(DISPLAY|WAYLAND_DISPLAY)=./.test(kv));
      } catch {
        // The process ended while we looked; what we have is enough.
      }
      out.push({ pid: Number(name), ppid, loginuid, sessionid, graphical });
    }
    return out;
  }

  private async accounts(): Promise<Map<number, string>> {
    const m = new Map<number, string>();
    try {
      const text = await readFile(this.options.passwdFile ?? '/etc/passwd', 'utf8');
      for (const line of text.split('\n')) {
        const [name, , uid] = line.split(':');
        if (name && uid && /^\d+$/.test(uid)) m.set(Number(uid), name);
      }
    } catch {
      // no passwd file: names fall back to numbers
    }
    return m;
  }

  async list(): Promise<SignedInSession[]> {
    const entries = await this.entries();
    const passwd = this.options.accountOf ? undefined : await this.accounts();
    const bySession = new Map<number, ProcEntry[]>();
    for (const e of entries) bySession.set(e.sessionid, [...(bySession.get(e.sessionid) ?? []), e]);
    const sessions: SignedInSession[] = [];
    for (const [sid, procs] of [...bySession.entries()].sort((a, b) => a[0] - b[0])) {
      const uid = procs[0]!.loginuid;
      const pids = new Set(procs.map((p) => p.pid));
      // The leader is the one whose parent (login, sshd, the display manager) is outside.
      const leader = procs.filter((p) => !pids.has(p.ppid)).sort((a, b) => a.pid - b.pid)[0];
      sessions.push({
        id: String(sid),
        uid,
        account: this.options.accountOf?.(uid) ?? passwd?.get(uid) ?? String(uid),
        graphical: procs.some((p) => p.graphical),
        leaderPid: leader?.pid,
      });
    }
    return sessions;
  }

  async sessionOfPid(pid: number): Promise<string | undefined> {
    if (!Number.isInteger(pid) || pid <= 0) return undefined;
    const sid = await readNumber(join(this.procRoot, String(pid), 'sessionid'));
    return sid === undefined || sid === UNSET ? undefined : String(sid);
  }

  private async loginctl(verb: string, sessionId: string): Promise<boolean> {
    if (!this.options.runner) return false;
    const r = await this.options.runner.run('loginctl', [verb, sessionId]);
    if (r.code === 0) return true;
    if (r.code === 127) return false; // no loginctl on this machine
    throw new Error(`loginctl ${verb} ${sessionId} failed: ${r.stderr.trim() || `exit ${r.code}`}`);
  }

  async lock(sessionId: string): Promise<void> {
    if (await this.loginctl('lock-session', sessionId)) return;
    throw new Error(
      `cannot lock session ${sessionId}: this computer has no logind, and without it nothing can lock a desktop from outside`,
    );
  }

  /**
   * Without logind, signing out means ending every process of the audit session: SIGTERM,
   * then SIGKILL for what is left after the grace time. A pid is checked again before each
   * signal so a number reused by another session is never hit.
   */
  async terminate(sessionId: string): Promise<void> {
    if (await this.loginctl('terminate-session', sessionId)) return;
    const sid = Number(sessionId);
    if (!Number.isInteger(sid) || sid === UNSET) throw new Error(`no session ${sessionId}`);
    const kill = this.options.kill ?? ((pid, sig) => process.kill(pid, sig));
    const members = async () => (await this.entries()).filter((e) => e.sessionid === sid);
    const first = await members();
    if (first.length === 0) return;
    for (const p of first) {
      try {
        kill(p.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    const deadline = Date.now() + this.graceMs;
    while (Date.now() < deadline && (await members()).length > 0)
      await new Promise((r) => setTimeout(r, 100));
    for (const p of await members()) {
      try {
        kill(p.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}
