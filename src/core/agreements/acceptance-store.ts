import { constants } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import type { UserIdentity } from '../identity/user';
import { readSafeFile, UnsafeFileError, type SafeReadOptions } from '../storage/safe-file';
import { userFileKey } from '../storage/user-file-key';
import type { AcceptanceRecord } from './due';

const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const O_NONBLOCK = constants.O_NONBLOCK ?? 0;

/**
 * Acceptances live in the machine-wide data folder, one append-only JSON-lines file per
 * user, because mandatory and roaming profiles are wiped at logoff. Each record is flushed
 * to disk before `record` resolves, so an acceptance is never acknowledged and then lost.
 * Files are owner-only and read without following links or blocking (see safe-file.ts):
 * under the machine service the owner is root and no user can plant or edit a record.
 */
export class AcceptanceStore {
  constructor(
    private readonly dir: string,
    private readonly readOptions: SafeReadOptions = {},
  ) {}

  private file(user: UserIdentity): string {
    return join(this.dir, `${userFileKey(user)}.jsonl`);
  }

  async record(user: UserIdentity, rec: AcceptanceRecord): Promise<void> {
    await this.recordAll(user, [rec]);
  }

  /** Several records in one write and one flush (the upgrade import). */
  async recordAll(user: UserIdentity, recs: readonly AcceptanceRecord[]): Promise<void> {
    if (recs.length === 0) return;
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const fh = await open(
      this.file(user),
      constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | O_NOFOLLOW | O_NONBLOCK,
      0o600,
    );
    try {
      if (!(await fh.stat()).isFile()) throw new Error(`${this.file(user)} is not a regular file`);
      await fh.write(recs.map((r) => `${JSON.stringify(r)}\n`).join(''));
      await fh.sync();
    } finally {
      await fh.close();
    }
  }

  /** Every record of this user, oldest first. A torn last line (power cut) is skipped. */
  async all(user: UserIdentity): Promise<AcceptanceRecord[]> {
    let bytes: Buffer | undefined;
    try {
      bytes = await readSafeFile(this.file(user), this.readOptions);
    } catch (err) {
      // A planted FIFO, link or someone else's file: no record we can believe. The user is
      // asked again, which loses nothing.
      if (err instanceof UnsafeFileError) return [];
      throw err;
    }
    return bytes === undefined ? [] : parseAcceptanceLines(bytes.toString('utf8'));
  }

  /** The newest record per agreement id. */
  async latest(user: UserIdentity): Promise<Map<string, AcceptanceRecord>> {
    const map = new Map<string, AcceptanceRecord>();
    for (const rec of await this.all(user)) map.set(rec.agreementId, rec);
    return map;
  }
}

/** The well-formed records in a JSON-lines text; torn or foreign lines are skipped. */
export function parseAcceptanceLines(text: string): AcceptanceRecord[] {
  const out: AcceptanceRecord[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const rec = JSON.parse(line) as AcceptanceRecord;
      if (
        typeof rec === 'object' &&
        rec !== null &&
        typeof rec.user === 'string' &&
        typeof rec.agreementId === 'string' &&
        typeof rec.version === 'string'
      )
        out.push(rec);
    } catch {
      // torn line: skip it, keep the rest
    }
  }
  return out;
}
