import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { writeFileAtomic } from '../storage/atomic-file';

/**
 * Failed unlocks earn a growing wait: a few free attempts, then base × 2^(n − free)
 * seconds, capped. The state is persisted so restarting the app does not reset it.
 */
export interface ThrottleSettings {
  freeAttempts: number;
  baseDelaySeconds: number;
  maxDelaySeconds: number;
}

export const ThrottleStateSchema = z.object({
  failures: z.number().int().min(0),
  waitUntil: z.number(),
});
export type ThrottleState = z.infer<typeof ThrottleStateSchema>;

export const NO_FAILURES: ThrottleState = { failures: 0, waitUntil: 0 };

export function delayAfter(failures: number, s: ThrottleSettings): number {
  if (failures < s.freeAttempts) return 0;
  const exp = Math.min(failures - s.freeAttempts, 30);
  return Math.min(s.baseDelaySeconds * 2 ** exp, s.maxDelaySeconds);
}

export function afterFailure(
  state: ThrottleState,
  now: number,
  s: ThrottleSettings,
): ThrottleState {
  const failures = state.failures + 1;
  return { failures, waitUntil: now + delayAfter(failures, s) * 1000 };
}

/** Seconds still to wait before another attempt is accepted (0 = go ahead). */
export function secondsToWait(state: ThrottleState, now: number): number {
  return state.waitUntil > now ? Math.ceil((state.waitUntil - now) / 1000) : 0;
}

/** One small file per locked account. A damaged file counts as the maximum wait, never as none. */
export class ThrottleStore {
  constructor(
    private readonly path: string,
    /** Read at each load: the policy in force may have changed the longest wait. */
    private readonly damagedWaitMs: () => number,
  ) {}

  async load(now: number): Promise<ThrottleState> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return NO_FAILURES;
      throw err;
    }
    try {
      return ThrottleStateSchema.parse(JSON.parse(text));
    } catch {
      return { failures: 0, waitUntil: now + this.damagedWaitMs() };
    }
  }

  async save(state: ThrottleState): Promise<void> {
    await writeFileAtomic(this.path, JSON.stringify(state), 0o640);
  }
}
