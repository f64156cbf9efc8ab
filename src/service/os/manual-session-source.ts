import type { SessionSource, SignedInSession } from './session-source';

/**
 * A session source whose list is set by hand: the stand-in for tests, the preview, and the
 * fallback where the OS cannot be asked (no logind). It records what it was asked to do;
 * without `perform` a lock or sign-out is refused with the reason, so the caller audits it
 * instead of believing it happened.
 */
export class ManualSessionSource implements SessionSource {
  private sessions = new Map<string, SignedInSession>();
  private readonly listeners = new Set<() => void>();
  readonly locked: string[] = [];
  readonly terminated: string[] = [];

  constructor(
    private readonly o: {
      describe?: string;
      /** Carry out lock / sign-out for real (e.g. loginctl); absent: refuse them. */
      perform?: { lock(id: string): Promise<void>; terminate(id: string): Promise<void> };
      /** Which session a pid belongs to; absent: none known. */
      sessionOfPid?: (pid: number) => Promise<string | undefined>;
    } = {},
  ) {}

  describe(): string {
    return this.o.describe ?? 'sessions as given (no logind or WTS on this computer)';
  }

  async list(): Promise<SignedInSession[]> {
    return [...this.sessions.values()];
  }

  async sessionOfPid(pid: number): Promise<string | undefined> {
    return this.o.sessionOfPid?.(pid);
  }

  async lock(sessionId: string): Promise<void> {
    if (!this.o.perform)
      throw new Error(`cannot lock session ${sessionId}: ${this.describe()} cannot lock a session`);
    await this.o.perform.lock(sessionId);
    this.locked.push(sessionId);
  }

  async terminate(sessionId: string): Promise<void> {
    if (!this.o.perform)
      throw new Error(
        `cannot sign out session ${sessionId}: ${this.describe()} cannot sign a session out`,
      );
    await this.o.perform.terminate(sessionId);
    this.terminated.push(sessionId);
    this.remove(sessionId);
  }

  watch(onChange: () => void): () => void {
    this.listeners.add(onChange);
    return () => this.listeners.delete(onChange);
  }

  /** A user signed in. */
  add(session: SignedInSession): void {
    this.sessions.set(session.id, session);
    for (const l of this.listeners) l();
  }

  /** A session ended. */
  remove(sessionId: string): void {
    if (this.sessions.delete(sessionId)) for (const l of this.listeners) l();
  }
}
