import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import type { Clock } from '../clock';
import { systemClock } from '../clock';
import { writeFileAtomic } from '../storage/atomic-file';
import { readSafeFile } from '../storage/safe-file';

/** Where a trusted instant came from, for the tray and the audit log. */
export type TrustedTimeSource = 'bundle-issuedAt' | 'http-date' | (string & {});

const StoredSchema = z.object({
  format: z.literal('classlock-trusted-time/1'),
  floor: z.number().int().nonnegative(),
  source: z.string(),
});

export interface TrustedTimeOptions {
  /** The PC's wall clock: pupils (and dead CMOS batteries) can move it. */
  clock?: Clock;
  /** A clock that only counts forward while this process runs (ms), e.g. performance.now. */
  monotonic?: () => number;
  /** The uid that must own the file; default this process's (root for the service). */
  fileOwner?: number | null;
}

/**
 * The time sanctions expire by. A pupil who sets the PC clock forward or back must gain
 * nothing, so the answer is
 *
 *     max(floor, min(wall clock, floor + monotonic time elapsed since the floor was seen))
 *
 * where the floor is the newest trusted instant (a verified bundle's issuedAt, an HTTP
 * Date from the policy server) and never moves backwards, on disk or in memory. The wall
 * clock can therefore only hold time back, never push it past what really elapsed. After a
 * restart the monotonic anchor is gone (we cannot know how long the machine was off), so
 * only the floor counts until a new trusted instant arrives: a sanction lifts late rather
 * than early. The monotonic clock also stops while the machine sleeps; the same rule holds.
 */
export class TrustedTime {
  private floorMs: number;
  private source: string;
  /** Monotonic reading when the floor was set in this process; undefined after a restart. */
  private anchor: number | undefined;
  private readonly clock: Clock;
  private readonly monotonic: () => number;
  private writes: Promise<void> = Promise.resolve();
  private writeError: string | undefined;

  private constructor(
    private readonly path: string,
    floor: number,
    source: string,
    opts: TrustedTimeOptions,
    /** Why the stored floor could not be read, if it could not. */
    readonly problem: string | undefined,
  ) {
    this.floorMs = floor;
    this.source = source;
    this.clock = opts.clock ?? systemClock;
    this.monotonic = opts.monotonic ?? (() => performance.now());
  }

  /**
   * Read the stored floor. A missing file is a first start (floor 0: every sanction in the
   * policy stays in force until trusted time arrives); an unreadable one is reported in
   * `problem` and treated the same way, failing closed.
   */
  static async load(path: string, opts: TrustedTimeOptions = {}): Promise<TrustedTime> {
    let text: string;
    try {
      // No links, no FIFOs (a planted one would hang start-up), nothing others could write.
      const bytes = await readSafeFile(path, {
        maxBytes: 4096,
        ...(opts.fileOwner !== undefined ? { owner: opts.fileOwner } : {}),
      });
      if (bytes === undefined) return new TrustedTime(path, 0, 'none', opts, undefined);
      text = bytes.toString('utf8');
    } catch (err) {
      return new TrustedTime(
        path,
        0,
        'none',
        opts,
        `could not read the trusted time file ${path}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    let stored: z.infer<typeof StoredSchema>;
    try {
      stored = StoredSchema.parse(JSON.parse(text));
    } catch {
      return new TrustedTime(
        path,
        0,
        'none',
        opts,
        `the trusted time file ${path} is damaged; sanctions stay in force until the policy server is reached`,
      );
    }
    // Every session can rewrite this file, so a floor ahead of the PC's own clock is not
    // believed: that is how a pupil would lift every temporary sanction at once. Honest
    // causes (a PC clock running slow) only mean a later lift until the server is reached.
    const wall = (opts.clock ?? systemClock).now();
    if (stored.floor > wall) {
      return new TrustedTime(
        path,
        wall,
        'computer clock (the saved trusted time was ahead of it)',
        opts,
        `the trusted time file ${path} says ${new Date(stored.floor).toISOString()}, ahead of this computer's clock (${new Date(wall).toISOString()}); the clock is used instead until the policy server is reached, so no sanction lifts early`,
      );
    }
    return new TrustedTime(path, stored.floor, stored.source, opts, undefined);
  }

  /** The newest trusted instant seen (epoch ms). */
  floor(): number {
    return this.floorMs;
  }

  /** The time used for sanction expiry. */
  now(): number {
    if (this.anchor === undefined) return this.floorMs;
    const elapsed = Math.max(0, this.monotonic() - this.anchor);
    return Math.max(this.floorMs, Math.min(this.clock.now(), this.floorMs + elapsed));
  }

  /**
   * A trusted instant arrived. The floor moves to the later of it and the current trusted
   * time, is persisted before this resolves, and restarts the monotonic anchor.
   */
  async observe(epochMs: number, source: TrustedTimeSource): Promise<void> {
    if (!Number.isFinite(epochMs)) return;
    const current = this.now();
    const next = Math.max(Math.floor(epochMs), current);
    this.anchor = this.monotonic();
    if (next === this.floorMs) return;
    this.floorMs = next;
    this.source = next === Math.floor(epochMs) ? source : this.source;
    const body = JSON.stringify({
      format: 'classlock-trusted-time/1',
      floor: this.floorMs,
      source: this.source,
    });
    // Serialise writes so an older floor can never land after a newer one. A failed write
    // (full or read-only disk) never rejects: callers may not await, and the floor in
    // memory still holds; the next restart simply starts from the older floor (later lift).
    const write = this.writes.then(async () => {
      try {
        await writeFileAtomic(this.path, `${body}\n`, 0o600);
        this.writeError = undefined;
      } catch (err) {
        this.writeError = `could not save the trusted time to ${this.path}: ${String(err)}`;
      }
    });
    this.writes = write;
    await write;
  }

  /** Why the last attempt to save the floor failed, for the tray; undefined when saved. */
  saveProblem(): string | undefined {
    return this.writeError;
  }
}

/** The instant in an HTTP Date header, or undefined if there is none or it is unreadable. */
export function httpDate(header: string | null | undefined): number | undefined {
  if (!header) return undefined;
  const t = Date.parse(header);
  return Number.isNaN(t) ? undefined : t;
}
