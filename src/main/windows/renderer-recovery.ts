/**
 * What to do with a lock screen whose page stopped: first reload it in the same window;
 * if it stops again soon after, or will not come back, throw the window away and make a
 * new one. A hung page behind a cover still covers, but it takes no PIN, so a locked
 * teacher would be stuck; a pupil's agreement would never be accepted.
 */
export type RecoveryStep = 'reload' | 'recreate';

/** A second failure within this long of a reload means the reload did not help. */
export const RELOAD_MEMORY_MS = 120_000;
/** How long a page may stay unresponsive before it is reloaded (a busy page recovers itself). */
export const HUNG_GRACE_MS = 5_000;

export class RendererRecovery {
  private lastReloadAt: number | undefined;

  constructor(private readonly now: () => number) {}

  /** The page hung past the grace period, or its process went away. */
  next(): RecoveryStep {
    const t = this.now();
    if (this.lastReloadAt !== undefined && t - this.lastReloadAt < RELOAD_MEMORY_MS) {
      this.lastReloadAt = undefined;
      return 'recreate';
    }
    this.lastReloadAt = t;
    return 'reload';
  }
}
