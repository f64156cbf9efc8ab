import { chmod, lstat, readdir, rename, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { AcceptanceStore} from '../agreements/acceptance-store';
import { parseAcceptanceLines } from '../agreements/acceptance-store';
import type { AcceptanceRecord } from '../agreements/due';
import type { AuditSink } from '../audit/audit-log';
import { parseUser } from '../identity/user';
import { writePrivateFile } from './atomic-file';
import { readSafeFile, readSafeFileWithStats, UnsafeFileError } from './safe-file';
import { userFileKey } from './user-file-key';

/** The folders of the layout before the machine service, each world-writable (1777). */
export const LEGACY_FOLDERS = ['acceptances', 'pins', 'throttle', 'state', 'policies'] as const;
const STAGE_PREFIX = '.legacy-import-';

export interface LegacyImportOptions {
  /** The old data folder holding the world-writable folders (may be the service's own folder). */
  legacyDir: string;
  /** The service's root-only acceptance store the records go into. */
  acceptances: AcceptanceStore;
  /** A small root-only file that says the import is done, so it runs once. */
  markerPath: string;
  /** The uid the OS gives an account name (getpwnam), undefined when it knows none. */
  uidOf(account: string): Promise<number | undefined>;
  audit: AuditSink;
  now: () => number;
}

export interface LegacyImportReport {
  alreadyDone: boolean;
  imported: number;
  /** Records (or whole files) left out, with why. */
  skipped: { file: string; reason: string; records: number }[];
  /** Old folders (and planted links) removed. */
  removed: string[];
}

/**
 * Bring the acceptances of the old layout into the service's store once, then remove the
 * world-writable folders.
 *
 * Those folders were writable by every user, so a record proves nothing by being there.
 * A record is imported only when its file is owned by the uid of the very user the record
 * names (and the file has that user's name): each user's own client wrote their own file,
 * and another user could create a file but not give it away to someone else. Everything
 * else is left out and audited; those users are simply asked to accept again, which costs
 * a click, where importing a planted record would put a false agreement on file.
 * PINs are not imported at all (attack 1 of the issue planted them); teachers enrol again.
 * Throttle, state and policy copies are dropped: the service rebuilds them.
 */
export async function importLegacyLayout(o: LegacyImportOptions): Promise<LegacyImportReport> {
  const report: LegacyImportReport = { alreadyDone: false, imported: 0, skipped: [], removed: [] };
  try {
    if ((await readSafeFile(o.markerPath)) !== undefined) return { ...report, alreadyDone: true };
  } catch (err) {
    if (!(err instanceof UnsafeFileError)) throw err;
    // A marker we cannot trust: run again (the import is idempotent).
  }

  // 1. Freeze each old folder (no user can add to it any more) and move it aside.
  for (const name of LEGACY_FOLDERS) {
    const path = join(o.legacyDir, name);
    let st;
    try {
      st = await lstat(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    if (st.isSymbolicLink()) {
      await unlink(path);
      report.removed.push(path);
      continue;
    }
    // Not world-writable: the service's own new folder of the same name. Leave it.
    if (!st.isDirectory() || (st.mode & 0o002) === 0) continue;
    await chmod(path, 0o700);
    await rename(path, join(o.legacyDir, `${STAGE_PREFIX}${name}-${o.now()}`));
  }

  // 2. Everything staged, including what a run that crashed part-way left behind.
  const staged = (await readdir(o.legacyDir)).filter((n) => n.startsWith(STAGE_PREFIX));
  for (const stage of staged.filter((n) => n.startsWith(`${STAGE_PREFIX}acceptances-`))) {
    await importAcceptanceFolder(join(o.legacyDir, stage), o, report);
  }

  // 3. Remove the old folders (rm does not follow links inside them).
  for (const stage of staged) {
    await rm(join(o.legacyDir, stage), { recursive: true, force: true });
    report.removed.push(join(o.legacyDir, stage.slice(STAGE_PREFIX.length).replace(/-\d+$/, '')));
  }

  await o.audit.append({
    event: 'upgrade.imported',
    imported: report.imported,
    skipped: report.skipped,
    removed: report.removed,
  });
  await writePrivateFile(
    o.markerPath,
    `${JSON.stringify({ importedAt: new Date(o.now()).toISOString(), imported: report.imported, skipped: report.skipped.length })}\n`,
  );
  return report;
}

async function importAcceptanceFolder(
  dir: string,
  o: LegacyImportOptions,
  report: LegacyImportReport,
): Promise<void> {
  for (const name of await readdir(dir)) {
    const path = join(dir, name);
    const skip = (reason: string, records = 0) =>
      report.skipped.push({ file: name, reason, records });
    if (!name.endsWith('.jsonl')) {
      skip('not an acceptance file');
      continue;
    }
    let read;
    try {
      // Any owner here: who owns it is exactly what is checked below.
      read = await readSafeFileWithStats(path, { owner: null, maxBytes: 4 * 1024 * 1024 });
    } catch (err) {
      skip(err instanceof UnsafeFileError ? err.message : `cannot be read: ${String(err)}`);
      continue;
    }
    if (!read) continue;
    const recs = parseAcceptanceLines(read.bytes.toString('utf8'));
    const byUser = new Map<string, AcceptanceRecord[]>();
    for (const r of recs) {
      const list = byUser.get(r.user) ?? [];
      list.push(r);
      byUser.set(r.user, list);
    }
    for (const [account, list] of byUser) {
      const user = parseUser(account);
      if (`${userFileKey(user)}.jsonl` !== name) {
        skip(`records for ${account} in a file that is not theirs`, list.length);
        continue;
      }
      const uid = await o.uidOf(account).catch(() => undefined);
      if (uid === undefined) {
        skip(
          `the account ${account} is unknown to this computer, so the file's owner cannot be checked`,
          list.length,
        );
        continue;
      }
      if (uid !== read.stats.uid) {
        skip(
          `the file is owned by uid ${read.stats.uid}, not by ${account} (uid ${uid})`,
          list.length,
        );
        continue;
      }
      const have = new Set((await o.acceptances.all(user)).map(recordKey));
      const fresh = list.filter((r) => !have.has(recordKey(r)));
      await o.acceptances.recordAll(user, fresh);
      report.imported += fresh.length;
    }
  }
}

function recordKey(r: AcceptanceRecord): string {
  return JSON.stringify([r.agreementId, r.version, r.acceptedAt, r.hash]);
}
