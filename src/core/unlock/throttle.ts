import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import { parseUser } from '../identity/user';
import type { UnlockMethod } from '../policy/schema';
import { writePrivateFile } from '../storage/atomic-file';
import { readSafeFile, UnsafeFileError, type SafeReadOptions } from '../storage/safe-file';

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

/**
 * Whose wait is it? One counter per credential account per target session owner, and the
 * IT override on a counter of its own per target. So a pupil typing wrong codes under a
 * teacher's name at the pupil's own lock slows only that name at that lock: the teacher's
 * own PIN at the teacher's session, and the override, keep their own counts. The target is
 * the session's owner, not a session id, so signing out and in again resets nothing.
 */
export interface ThrottleKey {
  kind: 'credential' | 'override';
  /** The account whose credential was typed (bare, lower case); '*' for the override. */
  account: string;
  /** The OS account that owns the locked session (bare, lower case). */
  target: string;
}

export function throttleKey(
  method: UnlockMethod,
  account: string,
  targetSessionOwner: string,
): ThrottleKey {
  const target = parseUser(targetSessionOwner).name;
  return method === 'override'
    ? { kind: 'override', account: '*', target }
    : { kind: 'credential', account: parseUser(account).name, target };
}

function keyFile(key: ThrottleKey): string {
  return createHash('sha256')
    .update(JSON.stringify([key.kind, key.account, key.target]), 'utf8')
    .digest('hex')
    .slice(0, 32);
}

/**
 * The service's throttle records, one small root-only file per key in its own folder. A
 * record that is damaged or cannot be trusted (a link, a FIFO, someone else's file) means
 * the maximum wait for that key only, never none and never anyone else's.
 */
export class ThrottleBook {
  constructor(
    private readonly dir: string,
    /** Read at each load: the policy in force may have changed the longest wait. */
    private readonly damagedWaitMs: () => number,
    private readonly readOptions: SafeReadOptions = {},
  ) {}

  private path(key: ThrottleKey): string {
    return join(this.dir, `${keyFile(key)}.json`);
  }

  async load(key: ThrottleKey, now: number): Promise<ThrottleState> {
    return loadState(this.path(key), now, this.damagedWaitMs, this.readOptions);
  }

  async save(key: ThrottleKey, state: ThrottleState): Promise<void> {
    await writePrivateFile(this.path(key), JSON.stringify(state));
  }
}

async function loadState(
  path: string,
  now: number,
  damagedWaitMs: () => number,
  o: SafeReadOptions,
): Promise<ThrottleState> {
  let bytes: Buffer | undefined;
  try {
    bytes = await readSafeFile(path, { maxBytes: 4096, ...o });
  } catch (err) {
    if (!(err instanceof UnsafeFileError)) throw err;
    return { failures: 0, waitUntil: now + damagedWaitMs() };
  }
  if (bytes === undefined) return NO_FAILURES;
  try {
    const state = ThrottleStateSchema.parse(JSON.parse(bytes.toString('utf8')));
    // A wait longer than the longest the policy allows was not written by us.
    return state.waitUntil > now + damagedWaitMs()
      ? { ...state, waitUntil: now + damagedWaitMs() }
      : state;
  } catch {
    return { failures: 0, waitUntil: now + damagedWaitMs() };
  }
}

/** One file for one account (the layout before the machine service). */
export class ThrottleStore {
  constructor(
    private readonly path: string,
    private readonly damagedWaitMs: () => number,
  ) {}

  load(now: number): Promise<ThrottleState> {
    return loadState(this.path, now, this.damagedWaitMs, {});
  }

  async save(state: ThrottleState): Promise<void> {
    await writePrivateFile(this.path, JSON.stringify(state));
  }
}
