import type { DesktopIdleClock } from './dbus-idle';
import type { IdleSource } from './idle-poller';
import { IdleHealth } from './idle-health';

export interface IdleSourceStatus {
  /** Which clock is read: 'os' (Electron's powerMonitor), a desktop clock's name, or 'none'. */
  source: string;
  working: boolean;
  /** For the tray, the audit and the self-test. */
  detail: string;
}

export interface ResilientIdleOptions {
  os: IdleSource;
  /** The desktop's own idle clock over D-Bus (Linux), found on demand. */
  findDesktopClock?: () => Promise<DesktopIdleClock | undefined>;
  /** Start with the desktop's clock: under XWayland the X11 idle time sees only X11 input. */
  preferDesktopClock: boolean;
  now: () => number;
  /** The policy lets the PC lock on a timer where no idle clock works. */
  lockWithoutIdleSource: () => boolean;
  /** Epoch ms the desktop was last opened (start, unlock, agreement accepted). */
  desktopOpenedAt: () => number;
  onStatus: (s: IdleSourceStatus) => void;
}

const FAILED_READS_BEFORE_GIVING_UP = 3;

/**
 * The idle time the session is fed, from the first clock that works: Electron's, the
 * desktop's over D-Bus, or — where none does and the policy allows it — the time since the
 * desktop was last opened, so the PC still locks. Each change of clock is reported once.
 */
export class ResilientIdleSource implements IdleSource {
  private mode: 'os' | 'probing' | 'desktop' | 'none' = 'os';
  private clock: DesktopIdleClock | undefined;
  private lastDesktopReading = 0;
  private reading = false;
  private failures = 0;
  private readonly health = new IdleHealth();

  constructor(private readonly o: ResilientIdleOptions) {}

  /** Chooses the first clock; call once before polling. */
  async start(): Promise<void> {
    if (this.o.preferDesktopClock && (await this.tryDesktop())) return;
    this.report({ source: 'os', working: true, detail: 'the operating system reports idle time' });
  }

  stop(): void {
    this.clock?.close();
  }

  getSystemIdleState(threshold: number) {
    return this.o.os.getSystemIdleState(threshold);
  }

  getSystemIdleTime(): number {
    switch (this.mode) {
      case 'os': {
        const v = Math.max(0, Math.floor(this.o.os.getSystemIdleTime()));
        if (this.health.observe(v, this.o.now()) === 'stuck') {
          this.mode = 'probing';
          void this.tryDesktop().then((found) => {
            if (!found) this.giveUp('the operating system reports 0 idle seconds whatever happens');
          });
        }
        return v;
      }
      case 'desktop':
        this.refresh();
        return this.lastDesktopReading;
      case 'probing':
        return 0;
      case 'none':
        return this.o.lockWithoutIdleSource()
          ? Math.max(0, Math.floor((this.o.now() - this.o.desktopOpenedAt()) / 1000))
          : 0;
    }
  }

  private async tryDesktop(): Promise<boolean> {
    const clock = await this.o.findDesktopClock?.().catch(() => undefined);
    if (!clock) return false;
    this.clock = clock;
    this.mode = 'desktop';
    this.report({ source: clock.name, working: true, detail: `idle time from the ${clock.name}` });
    return true;
  }

  private refresh(): void {
    if (this.reading || !this.clock) return;
    this.reading = true;
    this.clock
      .read()
      .then((s) => {
        this.lastDesktopReading = s;
        this.failures = 0;
      })
      .catch(() => {
        if (++this.failures >= FAILED_READS_BEFORE_GIVING_UP) {
          this.clock?.close();
          this.clock = undefined;
          this.giveUp(`the desktop's idle clock stopped answering`);
        }
      })
      .finally(() => (this.reading = false));
  }

  private giveUp(why: string): void {
    this.mode = 'none';
    this.report({
      source: 'none',
      working: false,
      detail: this.o.lockWithoutIdleSource()
        ? `No idle clock works (${why}): locking on a timer after each unlock, as the policy allows.`
        : `No idle clock works (${why}): the idle lock and idle logoff cannot happen on this PC.`,
    });
  }

  private report(s: IdleSourceStatus): void {
    this.o.onStatus(s);
  }
}
