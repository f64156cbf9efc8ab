import { z } from 'zod';
import { sanctionEnd } from '../sanctions/evaluate';
import { writePrivateFile } from '../storage/atomic-file';
import { readSafeFile, UnsafeFileError, type SafeReadOptions } from '../storage/safe-file';
import { SanctionSchema, type Policy, type Sanction } from './schema';

/**
 * The sanctions this machine has seen in force, kept by the service in its root-only
 * folder. Deleting or corrupting the policy cache makes the terminal fall back to the
 * built-in policy, which names no sanctions; without this record that would free every
 * sanctioned pupil. A remembered sanction is enforced until its `until`, or until a signed
 * policy at least as new as the one it came from no longer lists it (IT lifted it).
 */
const StoredSchema = z.object({
  format: z.literal('classlock-seen-sanctions/1'),
  /** Serial of the signed policy the list was last taken from. */
  serial: z.number().int().nonnegative(),
  sanctions: z.array(SanctionSchema),
});
type Stored = z.infer<typeof StoredSchema>;

export interface SeenSanctionsResult {
  /** The policy to enforce: the one given, plus any remembered sanction it lacks. */
  policy: Policy;
  /** Sanctions added from memory (empty when the policy is a signed, current one). */
  kept: Sanction[];
  /** Why the record could not be read, when it could not (it is then rebuilt). */
  problem?: string;
}

export class SeenSanctions {
  constructor(
    private readonly path: string,
    private readonly readOptions: SafeReadOptions = {},
  ) {}

  /**
   * Call with every policy put in force (the PolicyService's onPolicy), and hand the
   * returned policy to the sessions instead. `signedSerial` is the verified bundle's serial,
   * or null for the built-in default policy. `now` is trusted time.
   */
  async reconcile(
    policy: Policy,
    signedSerial: number | null,
    now: number,
  ): Promise<SeenSanctionsResult> {
    const { stored, problem } = await this.load();
    const live = (s: Sanction, tz: string) => {
      const end = sanctionEnd(s.until, tz);
      return end === null || end > now;
    };
    // Stored untils are full instants (see below), so the zone does not matter for them.
    const remembered = stored.sanctions.filter((s) => live(s, 'UTC'));
    const extra = problem ? { problem } : {};

    if (signedSerial !== null && signedSerial >= stored.serial) {
      // A signed policy at least as new as anything seen: it alone says what is in force.
      const next: Stored = {
        format: 'classlock-seen-sanctions/1',
        serial: signedSerial,
        sanctions: policy.sanctions
          .filter((s) => live(s, policy.timeZone))
          .map((s) => withInstantUntil(s, policy.timeZone)),
      };
      if (problem || JSON.stringify(next) !== JSON.stringify(stored)) await this.save(next);
      return { policy, kept: [], ...extra };
    }

    // The built-in policy, or an older signed one: nothing remembered is dropped.
    const ids = new Set(policy.sanctions.map((s) => s.id));
    const kept = remembered.filter((s) => !ids.has(s.id));
    if (remembered.length !== stored.sanctions.length || problem) {
      await this.save({ ...stored, sanctions: remembered });
    }
    return {
      policy: kept.length ? { ...policy, sanctions: [...policy.sanctions, ...kept] } : policy,
      kept,
      ...extra,
    };
  }

  /**
   * The serial of the newest signed policy this machine has enforced (0 when none or the
   * record is unreadable): give it to PolicyService as `serialFloor`.
   */
  async serialFloor(): Promise<number> {
    return (await this.load()).stored.serial;
  }

  private async load(): Promise<{ stored: Stored; problem?: string }> {
    const empty: Stored = { format: 'classlock-seen-sanctions/1', serial: 0, sanctions: [] };
    let bytes: Buffer | undefined;
    try {
      bytes = await readSafeFile(this.path, { maxBytes: 4 * 1024 * 1024, ...this.readOptions });
    } catch (err) {
      if (err instanceof UnsafeFileError) return { stored: empty, problem: err.message };
      throw err;
    }
    if (bytes === undefined) return { stored: empty };
    try {
      return { stored: StoredSchema.parse(JSON.parse(bytes.toString('utf8'))) };
    } catch {
      return { stored: empty, problem: `${this.path} is damaged; it is rebuilt from the policy` };
    }
  }

  private save(s: Stored): Promise<void> {
    return writePrivateFile(this.path, `${JSON.stringify(s)}\n`);
  }
}

/** A date-only until means midnight in the policy's zone: keep the instant it meant. */
function withInstantUntil(s: Sanction, timeZone: string): Sanction {
  const end = sanctionEnd(s.until, timeZone);
  return end === null ? s : { ...s, until: new Date(end).toISOString() };
}
