import { mkdir, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { UserIdentity } from '../identity/user';
import { userFileKey } from '../storage/user-file-key';
import type { AcceptanceRecord } from './due';

/**
 * Acceptances live in the machine-wide data folder, one append-only JSON-lines file per
 * user, because mandatory and roaming profiles are wiped at logoff. Each record is flushed
 * to disk before `record` resolves, so an acceptance is never acknowledged and then lost.
 */
export class AcceptanceStore {
  constructor(private readonly dir: string) {}

  private file(user: UserIdentity): string {
    return join(this.dir, `${userFileKey(user)}.jsonl`);
  }

  async record(user: UserIdentity, rec: AcceptanceRecord): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const fh = await open(this.file(user), 'a', 0o644);
    try {
      await fh.write(`${JSON.stringify(rec)}\n`);
      await fh.sync();
    } finally {
      await fh.close();
    }
  }

  /** Every record of this user, oldest first. A torn last line (power cut) is skipped. */
  async all(user: UserIdentity): Promise<AcceptanceRecord[]> {
    let text: string;
    try {
      text = await readFile(this.file(user), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const out: AcceptanceRecord[] = [];
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        const rec = JSON.parse(line) as AcceptanceRecord;
        if (typeof rec.agreementId === 'string' && typeof rec.version === 'string') out.push(rec);
      } catch {
        // torn line: skip it, keep the rest
      }
    }
    return out;
  }

  /** The newest record per agreement id. */
  async latest(user: UserIdentity): Promise<Map<string, AcceptanceRecord>> {
    const map = new Map<string, AcceptanceRecord>();
    for (const rec of await this.all(user)) map.set(rec.agreementId, rec);
    return map;
  }
}
