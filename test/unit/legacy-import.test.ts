import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { chmod, chown, mkdir, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AcceptanceStore } from '../../src/core/agreements/acceptance-store';
import type { AcceptanceRecord } from '../../src/core/agreements/due';
import { AuditLog, parseAuditLines } from '../../src/core/audit/audit-log';
import { parseUser } from '../../src/core/identity/user';
import { importLegacyLayout } from '../../src/core/storage/legacy-import';
import { userFileKey } from '../../src/core/storage/user-file-key';
import { tempDir } from '../support/policy';

const isRoot = process.getuid?.() === 0;
const UIDS: Record<string, number> = { 'y7.pupil': 3101, 'mrs.jones': 3102, 'y8.pupil': 3103 };

let dir: { path: string; remove: () => Promise<void> };
beforeEach(async () => {
  dir = await tempDir('classlock-upgrade-');
});
afterEach(async () => dir.remove());

const rec = (
  user: string,
  agreementId = 'pupil-aua',
  acceptedAt = '2026-10-01T09:00:00Z',
): AcceptanceRecord => ({
  user,
  role: 'pupil',
  agreementId,
  version: '1',
  hash: 'h',
  acceptedAt,
  machineId: 'LAB-01',
});

/** The old layout, exactly as after-install.sh made it: 1777 folders, each user's own files. */
async function oldLayout(root: string): Promise<void> {
  for (const name of ['acceptances', 'pins', 'throttle', 'state', 'policies']) {
    await mkdir(join(root, name), { recursive: true });
    await chmod(join(root, name), 0o1777);
  }
  const write = async (user: string, owner: number, recs: AcceptanceRecord[]) => {
    const p = join(root, 'acceptances', `${userFileKey(parseUser(user))}.jsonl`);
    await writeFile(p, recs.map((r) => `${JSON.stringify(r)}\n`).join(''), { mode: 0o644 });
    await chown(p, owner, owner);
  };
  // Genuine: each pupil's own client wrote their own file.
  await write('y7.pupil', 3101, [rec('y7.pupil'), rec('y7.pupil', 'wifi-rules')]);
  // Planted: y7.pupil made the teacher's file (the name is predictable) and owns it.
  await write('mrs.jones', 3101, [rec('mrs.jones', 'staff-aua')]);
  // y8.pupil's own file, with a record slipped in for someone else.
  await write('y8.pupil', 3103, [rec('y8.pupil'), rec('y7.pupil', 'exam-rules')]);
  // A FIFO and a link planted in the folder.
  execFileSync('mkfifo', [join(root, 'acceptances', 'fifo.jsonl')]);
  await symlink('/etc/shadow', join(root, 'acceptances', 'link.jsonl'));
  await writeFile(join(root, 'pins', 'planted.json'), '{"role":"staff"}');
  await writeFile(join(root, 'throttle', 'far-future.json'), '{"failures":0,"waitUntil":9e15}');
}

async function run(root: string, store: string) {
  const acceptances = new AcceptanceStore(join(store, 'acceptances'));
  const auditPath = join(store, 'audit.jsonl');
  const report = await importLegacyLayout({
    legacyDir: root,
    acceptances,
    markerPath: join(store, 'upgrade-imported.json'),
    uidOf: async (a) => UIDS[parseUser(a).name],
    audit: new AuditLog(auditPath, 'LAB-01'),
    now: () => Date.parse('2026-11-30T09:00:00Z'),
  });
  const audit = parseAuditLines(await readFile(auditPath, 'utf8').catch(() => ''));
  return { report, acceptances, audit };
}

describe.skipIf(!isRoot)(
  'upgrading from the world-writable layout (needs root to give files owners)',
  () => {
    it('imports only records whose file belongs to the user they name, then removes the old folders', async () => {
      // The service's folder is the old data folder itself, as on an upgraded PC.
      const root = dir.path;
      await oldLayout(root);
      const { report, acceptances, audit } = await run(root, root);

      const ids = async (u: string) =>
        (await acceptances.all(parseUser(u))).map((r) => r.agreementId);
      expect(await ids('y7.pupil')).toEqual(['pupil-aua', 'wifi-rules']);
      expect(await ids('y8.pupil')).toEqual(['pupil-aua']);
      expect(await ids('mrs.jones')).toEqual([]);
      expect(report.imported).toBe(3);
      const reasons = report.skipped.map((s) => s.reason).join('\n');
      expect(reasons).toMatch(/owned by uid 3101, not by mrs\.jones \(uid 3102\)/);
      expect(reasons).toMatch(/records for y7\.pupil in a file that is not theirs/);
      expect(reasons).toMatch(/FIFO/);
      expect(reasons).toMatch(/symbolic link/);

      // Nothing world-writable is left; the new store is the service's alone.
      const left = await readdir(root);
      expect(left.sort()).toEqual(['acceptances', 'audit.jsonl', 'upgrade-imported.json']);
      expect((await stat(join(root, 'acceptances'))).mode & 0o777).toBe(0o700);
      for (const f of await readdir(join(root, 'acceptances'))) {
        const st = await stat(join(root, 'acceptances', f));
        expect([st.uid, st.mode & 0o777]).toEqual([0, 0o600]);
      }
      expect(audit.find((r) => r.event === 'upgrade.imported')).toMatchObject({ imported: 3 });
    });

    it('runs once: a second start changes nothing and duplicates nothing', async () => {
      const root = join(dir.path, 'old');
      const store = join(dir.path, 'service');
      await oldLayout(root);
      await run(root, store);
      const again = await run(root, store);
      expect(again.report.alreadyDone).toBe(true);
      expect(await again.acceptances.all(parseUser('y7.pupil'))).toHaveLength(2);
    });

    it('finishes a run that stopped half-way without duplicating records', async () => {
      const root = join(dir.path, 'old');
      const store = join(dir.path, 'service');
      await oldLayout(root);
      // Stop the first run after the import, before the old folder goes and the marker is written.
      const stage = join(dir.path, 'copy');
      execFileSync('cp', ['-a', join(root, 'acceptances'), stage]);
      await run(root, store);
      execFileSync('rm', ['-f', join(store, 'upgrade-imported.json')]);
      execFileSync('mv', [stage, join(root, '.legacy-import-acceptances-1')]);
      const { report, acceptances } = await run(root, store);
      expect(report.alreadyDone).toBe(false);
      expect(report.imported).toBe(0);
      expect(await acceptances.all(parseUser('y7.pupil'))).toHaveLength(2);
      expect(await readdir(root)).toEqual([]);
    });
  },
);
