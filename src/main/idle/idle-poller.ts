/** What the poller reads from Electron's powerMonitor (a stand-in in tests). */
export interface IdleSource {
  getSystemIdleTime(): number;
  getSystemIdleState(idleThreshold: number): 'active' | 'idle' | 'locked' | 'unknown';
}

export interface IntervalTimers {
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export interface IdlePollerOptions {
  source: IdleSource;
  timers?: IntervalTimers;
  intervalMs?: number;
  /** The runtime's idle(seconds): also its clock tick. */
  onIdle: (seconds: number) => Promise<void>;
  /** The OS reported its own lock screen (Windows, macOS; some Linux desktops). */
  onOsLocked?: () => Promise<void>;
  onError?: (err: unknown) => void;
}

const realTimers: IntervalTimers = {
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (h) => clearInterval(h as ReturnType<typeof setInterval>),
};

/**
 * Reads the OS idle time once a second and hands it to the session, which decides what it
 * means (warn, lock, log off). A tick that arrives while the last one is still being
 * handled is dropped rather than queued: a slow directory check must not build a backlog
 * of stale idle readings. The OS's own "locked" state is reported once per lock, which
 * also covers display sleep where the OS locks the session as the screen goes off.
 */
export class IdlePoller {
  private handle: unknown;
  private busy = false;
  private osLocked = false;
  private readonly timers: IntervalTimers;

  constructor(private readonly opts: IdlePollerOptions) {
    this.timers = opts.timers ?? realTimers;
  }

  get running(): boolean {
    return this.handle !== undefined;
  }

  start(): void {
    if (this.handle !== undefined) return;
    this.handle = this.timers.setInterval(() => void this.tick(), this.opts.intervalMs ?? 1000);
  }

  stop(): void {
    if (this.handle === undefined) return;
    this.timers.clearInterval(this.handle);
    this.handle = undefined;
  }

  /** One reading; public so the composition root can take one at once on resume. */
  async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const locked = this.opts.source.getSystemIdleState(1) === 'locked';
      if (locked && !this.osLocked) await this.opts.onOsLocked?.();
      this.osLocked = locked;
      await this.opts.onIdle(Math.max(0, Math.floor(this.opts.source.getSystemIdleTime())));
    } catch (err) {
      this.opts.onError?.(err);
    } finally {
      this.busy = false;
    }
  }
}
