import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * What happened on this terminal that a school may have to account for. Never holds a
 * password, PIN or override code.
 */
export interface AuditEntry {
  /** e.g. agreement.accepted, unlock.failed, override.used, policy.rejected, sanction.applied */
  event: string;
  user?: string;
  /** Free-form detail; values must be plain data. */
  [key: string]: unknown;
}

export interface AuditRecord extends AuditEntry {
  at: string;
  machine: string;
}

export interface AuditSink {
  /** Resolves only once the record is on disk, so callers acknowledge after it. */
  append(entry: AuditEntry): Promise<void>;
}

/**
 * JSON lines appended to one file and flushed (fsync) before `append` resolves. Appends
 * are serialised so concurrent callers never interleave half lines.
 */
export class AuditLog implements AuditSink {
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly path: string,
    private readonly machine: string,
    private readonly now: () => number = Date.now,
  ) {}

  append(entry: AuditEntry): Promise<void> {
    const record: AuditRecord = {
      at: new Date(this.now()).toISOString(),
      machine: this.machine,
      ...entry,
    };
    const line = `${JSON.stringify(record)}\n`;
    const next = this.queue.then(() => this.write(line));
    // Keep the chain alive after a failure; the failing caller still sees its error.
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async write(line: string): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const fh = await open(this.path, 'a', 0o640);
    try {
      await fh.write(line);
      await fh.sync();
    } finally {
      await fh.close();
    }
  }
}

/** Read an audit file back (reports, tests). Skips a torn last line from a crash. */
export function parseAuditLines(text: string): AuditRecord[] {
  const out: AuditRecord[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as AuditRecord);
    } catch {
      // A line cut short by a power cut: the rest of the file is still good.
    }
  }
  return out;
}
