/**
 * Is the OS idle time believable? On many Wayland compositors Electron's
 * powerMonitor.getSystemIdleTime() answers 0 whatever happens, so the idle lock and the
 * idle logoff never fire and nothing says so. A real idle time grows in any pause of a
 * second or more, and nobody uses a PC for ten minutes without one, so ten minutes of
 * nothing but 0 means the source is broken, not that the user is busy.
 */
export const STUCK_AFTER_MS = 10 * 60_000;

export type IdleVerdict = 'ok' | 'unknown' | 'stuck';

export class IdleHealth {
  private zeroSince: number | undefined;
  private everCounted = false;

  constructor(private readonly stuckAfterMs = STUCK_AFTER_MS) {}

  /** One reading (whole seconds) at a time (ms); returns the verdict so far. */
  observe(seconds: number, at: number): IdleVerdict {
    if (seconds > 0) {
      this.everCounted = true;
      this.zeroSince = undefined;
      return 'ok';
    }
    this.zeroSince ??= at;
    if (at - this.zeroSince >= this.stuckAfterMs) return 'stuck';
    return this.everCounted ? 'ok' : 'unknown';
  }
}

export interface IdleSample {
  /** ms since the measurement started. */
  at: number;
  seconds: number;
}

/**
 * The self-test's measurement: with nobody touching the PC for a few seconds, the idle
 * time must grow by about as much as the clock did (1 s of slack for rounding and polling).
 */
export function judgeIdleSamples(samples: readonly IdleSample[]): {
  ok: boolean;
  detail: string;
} {
  const first = samples[0];
  const last = samples.at(-1);
  if (!first || !last || last.at - first.at < 2000) {
    return { ok: false, detail: 'too few readings to judge' };
  }
  const elapsed = (last.at - first.at) / 1000;
  const grew = last.seconds - first.seconds;
  if (samples.every((s) => s.seconds === 0)) {
    return { ok: false, detail: `it stayed at 0 for ${elapsed.toFixed(0)} s` };
  }
  if (grew < elapsed - 1.5) {
    return {
      ok: false,
      detail: `it grew ${grew} s in ${elapsed.toFixed(0)} s (someone touched the PC, or it is not counting)`,
    };
  }
  return { ok: true, detail: `it grew ${grew} s in ${elapsed.toFixed(0)} s` };
}
