import { constants } from 'node:fs';
import { open, readdir, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ensurePrivateDir, syncDir } from '../storage/atomic-file';
import { checkSafeStats } from '../storage/safe-file';
import { CHAIN_START, lineHash } from './audit-chain';

/**
 * What happened on this terminal that a school may have to account for. Never holds a
 * password, PIN or override code.
 */
export interface AuditEntry {
  /** e.g. agreement.accepted, unlock.failed, override.used, policy.rejected, sanction.applied */
  event: string;
  /** The person the record is about (the subject). */
  user?: string;
  /**
   * The OS account of the session whose action caused the record, as the OS reported it
   * to the service (never as a client claimed). null: the service itself.
   */
  osAccount?: string | null;
  /** Free-form detail; values must be plain data. */
  [key: string]: unknown;
}

export interface AuditRecord extends AuditEntry {
  at: string;
  machine: string;
  osAccount: string | null;
  /** Number of the record, counted across rotated files from the first ever written. */
  seq: number;
  /** SHA-256 (hex) of the previous line's bytes. */
  prev: string;
}

export interface AuditSink {
  /** Resolves only once the record is on disk, so callers acknowledge after it. */
  append(entry: AuditEntry): Promise<void>;
}

export interface AuditLimits {
  /** Rotate when the current file would grow past this. */
  maxBytes: number;
  /** Rotated files older than this are deleted. */
  retentionDays: number;
}

export const DEFAULT_AUDIT_LIMITS: AuditLimits = { maxBytes: 10 * 1024 * 1024, retentionDays: 365 };
/** However long the retention, never more than this many rotated files (a flood of failed unlocks must not fill the disk). */
export const MAX_ROTATED_FILES = 100;

const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const O_NONBLOCK = constants.O_NONBLOCK ?? 0;
const DAY_MS = 24 * 3600 * 1000;

/** audit.jsonl → audit.3.jsonl */
export function rotatedPath(path: string, n: number): string {
  const dir = dirname(path);
  const name = basename(path);
  const dot = name.lastIndexOf('.');
  return dot > 0
    ? join(dir, `${name.slice(0, dot)}.${n}${name.slice(dot)}`)
    : join(dir, `${name}.${n}`);
}

/**
 * Hash-chained JSON lines (see audit-chain.ts), appended to one file and flushed (fsync)
 * before `append` resolves. Appends are serialised so concurrent callers never interleave
 * half lines; the service must keep ONE AuditLog per file and hand each session `as(account)`.
 * When the file would pass maxBytes it becomes audit.1.jsonl (older ones move up one) and
 * the chain continues in a new audit.jsonl.
 */
export class AuditLog implements AuditSink {
  private queue: Promise<void> = Promise.resolve();
  private tail: { hash: string; seq: number } | undefined;
  private limits: AuditLimits;

  constructor(
    private readonly path: string,
    private readonly machine: string,
    private readonly now: () => number = Date.now,
    limits: Partial<AuditLimits> = {},
  ) {
    this.limits = { ...DEFAULT_AUDIT_LIMITS, ...limits };
  }

  /** The policy in force sets the cap and the retention. */
  setLimits(limits: Partial<AuditLimits>): void {
    this.limits = { ...this.limits, ...limits };
  }

  /** A sink that stamps every record with the OS account of the session that caused it. */
  as(osAccount: string | null): AuditSink {
    return { append: (entry) => this.append({ ...entry, osAccount }) };
  }

  /** The hash and number of the last record written, once one has been. */
  head(): { hash: string; seq: number } | undefined {
    return this.tail ? { ...this.tail } : undefined;
  }

  append(entry: AuditEntry): Promise<void> {
    const next = this.queue.then(() => this.write(entry));
    // Keep the chain alive after a failure; the failing caller still sees its error.
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async write(entry: AuditEntry): Promise<void> {
    await ensurePrivateDir(dirname(this.path));
    let fh = await this.openCurrent();
    try {
      let size = (await fh.stat()).size;
      let tail = this.tail ?? (await this.readTail(fh, size));
      const record = (t: { hash: string; seq: number }) =>
        JSON.stringify({
          at: new Date(this.now()).toISOString(),
          machine: this.machine,
          osAccount: null,
          ...entry,
          seq: t.seq + 1,
          prev: t.hash,
        } satisfies AuditRecord);
      let line = record(tail);
      if (size > 0 && size + Buffer.byteLength(line) + 1 > this.limits.maxBytes) {
        await fh.close();
        await this.rotate();
        fh = await this.openCurrent();
        size = 0;
        line = record(tail);
      }
      // A record cut short by a crash must not swallow this one: end it first. Its bytes
      // are already in `tail`, so the chain runs through it and verify names it as torn.
      const head = size > 0 && this.endsOpen ? '\n' : '';
      await fh.write(`${head}${line}\n`);
      await fh.sync();
      this.endsOpen = false;
      tail = { hash: lineHash(line), seq: tail.seq + 1 };
      this.tail = tail;
    } finally {
      await fh.close().catch(() => undefined);
    }
  }

  private endsOpen = false;

  private async openCurrent(): Promise<FileHandle> {
    const fh = await open(
      this.path,
      constants.O_RDWR | constants.O_APPEND | constants.O_CREAT | O_NOFOLLOW | O_NONBLOCK,
      0o600,
    );
    try {
      checkSafeStats(this.path, await fh.stat(), { maxBytes: Number.MAX_SAFE_INTEGER });
    } catch (err) {
      await fh.close();
      throw err;
    }
    return fh;
  }

  /** Where the chain stands: the last line of this file, else of the newest rotated one. */
  private async readTail(fh: FileHandle, size: number): Promise<{ hash: string; seq: number }> {
    if (size > 0) {
      const last = await lastLine(fh, size);
      this.endsOpen = last.open;
      return {
        hash: lineHash(last.bytes),
        seq: seqOf(last.bytes) ?? (await this.seqBefore(fh, size)),
      };
    }
    const older = rotatedPath(this.path, 1);
    try {
      const ofh = await open(older, constants.O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
      try {
        const st = await ofh.stat();
        checkSafeStats(older, st, { maxBytes: Number.MAX_SAFE_INTEGER });
        if (st.size > 0) {
          const last = await lastLine(ofh, st.size);
          return {
            hash: lineHash(last.bytes),
            seq: seqOf(last.bytes) ?? (await this.seqBefore(ofh, st.size)),
          };
        }
      } finally {
        await ofh.close();
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    return { hash: CHAIN_START, seq: 0 };
  }

  /** The last line is torn: number on from the newest whole record before it. */
  private async seqBefore(fh: FileHandle, size: number): Promise<number> {
    const buf = Buffer.alloc(size);
    await fh.read(buf, 0, size, 0);
    const lines = buf.toString('utf8').split('\n');
    for (let i = lines.length - 1; i >= 0; i--) {
      const s = seqOf(Buffer.from(lines[i]!));
      if (s !== undefined) return s;
    }
    return 0;
  }

  private async rotate(): Promise<void> {
    const dir = dirname(this.path);
    const taken: number[] = [];
    for (const name of await readdir(dir)) {
      const m = rotatedIndex(basename(this.path), name);
      if (m !== undefined) taken.push(m);
    }
    taken.sort((a, b) => b - a);
    const cutoff = this.now() - this.limits.retentionDays * DAY_MS;
    for (const n of taken) {
      const from = rotatedPath(this.path, n);
      const tooOld = (await stat(from)).mtimeMs < cutoff;
      if (tooOld || n + 1 > MAX_ROTATED_FILES) await rm(from, { force: true });
      else await rename(from, rotatedPath(this.path, n + 1));
    }
    await rename(this.path, rotatedPath(this.path, 1));
    await syncDir(dir);
  }
}

function rotatedIndex(base: string, name: string): number | undefined {
  const dot = base.lastIndexOf('.');
  const stem = dot > 0 ? base.slice(0, dot) : base;
  const ext = dot > 0 ? base.slice(dot) : '';
  if (!name.startsWith(`${stem}.`) || !name.endsWith(ext)) return undefined;
  const mid = name.slice(stem.length + 1, name.length - ext.length || undefined);
  return /^[1-9]\d{0,5}$/.test(mid) ? Number(mid) : undefined;
}

function seqOf(line: Uint8Array): number | undefined {
  try {
    const v = JSON.parse(Buffer.from(line).toString('utf8')) as { seq?: unknown };
    return Number.isSafeInteger(v.seq) ? (v.seq as number) : undefined;
  } catch {
    return undefined;
  }
}

/** The bytes of the file's last line (without its newline) and whether it was left unterminated. */
async function lastLine(fh: FileHandle, size: number): Promise<{ bytes: Buffer; open: boolean }> {
  let chunk = Math.min(size, 64 * 1024);
  for (;;) {
    const buf = Buffer.alloc(chunk);
    await fh.read(buf, 0, chunk, size - chunk);
    const open = buf[buf.length - 1] !== 0x0a;
    const body = open ? buf : buf.subarray(0, buf.length - 1);
    const nl = body.lastIndexOf(0x0a);
    if (nl !== -1 || chunk === size) return { bytes: body.subarray(nl + 1), open };
    chunk = Math.min(size, chunk * 4);
  }
}

/** Read an audit file back (reports, tests). Skips a torn line from a crash. */
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
