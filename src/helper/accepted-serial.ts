import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { writeFileAtomic } from '../core/storage/atomic-file';

const StateSchema = z.strictObject({ highestSerial: z.number().int().nonnegative() });

/**
 * The highest policy serial classlock-netd has verified, kept across restarts so that an
 * old signed policy (one from before a sanction was added) can never be replayed to lift
 * it. Without a path it lives in memory only (tests, or a helper with no state folder).
 */
export class AcceptedSerial {
  private constructor(
    private readonly path: string | undefined,
    private value: number | undefined,
    private readonly log: (line: string) => void,
  ) {}

  static async open(
    path: string | undefined,
    log: (line: string) => void = () => undefined,
  ): Promise<AcceptedSerial> {
    if (path === undefined) return new AcceptedSerial(undefined, undefined, log);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        log(`cannot read ${path} (${(err as Error).message}); starting with no policy serial`);
      }
      return new AcceptedSerial(path, undefined, log);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const parsed = StateSchema.safeParse(json);
    if (!parsed.success) {
      log(`${path} is damaged; starting with no policy serial (it is rewritten on the next one)`);
      return new AcceptedSerial(path, undefined, log);
    }
    return new AcceptedSerial(path, parsed.data.highestSerial, log);
  }

  get highest(): number | undefined {
    return this.value;
  }

  /** Remember a verified serial if it is the newest yet; never moves backwards. */
  async raise(serial: number): Promise<void> {
    if (this.value !== undefined && serial <= this.value) return;
    this.value = serial;
    if (this.path === undefined) return;
    try {
      await writeFileAtomic(this.path, `${JSON.stringify({ highestSerial: serial })}\n`, 0o600);
    } catch (err) {
      // The serial still holds in memory; only a restart would forget it.
      this.log(`could not save the policy serial to ${this.path}: ${(err as Error).message}`);
    }
  }
}
