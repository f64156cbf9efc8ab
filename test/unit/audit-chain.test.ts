import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  appendFile,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLog, parseAuditLines, rotatedPath } from '../../src/core/audit/audit-log';
import { runCli } from './cli-helpers';

let dir = '';
let path = '';
let t = Date.parse('2026-11-30T09:00:00Z');
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'classlock-audit-'));
  path = join(dir, 'audit.jsonl');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeSome(
  n: number,
  log = new AuditLog(path, 'LAB-01', () => t),
): Promise<AuditLog> {
  for (let i = 0; i < n; i++) {
    t += 1000;
    await log.as(i % 2 ? 'pupil1' : 'teacher1').append({ event: 'unlock.failed', user: `u${i}` });
  }
  return log;
}

const lines = async (p = path) => (await readFile(p, 'utf8')).split('\n').filter(Boolean);
const verify = (...files: string[]) => runCli(['audit', 'verify', ...files]);

describe('the audit log is a hash chain', () => {
  it('stamps each record with the OS account of the session and keeps user as the subject', async () => {
    await writeSome(2);
    const recs = parseAuditLines(await readFile(path, 'utf8'));
    expect(recs.map((r) => [r.seq, r.osAccount, r.user])).toEqual([
      [1, 'teacher1', 'u0'],
      [2, 'pupil1', 'u1'],
    ]);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('a whole chain verifies, across a restart of the writer', async () => {
    await writeSome(3);
    await writeSome(2); // a new AuditLog picks up where the file ends
    const r = await verify(path);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/Records: 5 from the first record ever written/);
    expect(r.out).toMatch(/Chain: {3}whole/);
  });

  it('an edited line is named', async () => {
    await writeSome(5);
    const l = await lines();
    l[2] = l[2]!.replace('"user":"u2"', '"user":"someone-else"');
    await writeFile(path, `${l.join('\n')}\n`);
    const r = await verify(path);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/first at .*audit\.jsonl line 3 \(edited\)/);
  });

  it('a deleted line is named', async () => {
    await writeSome(5);
    const l = await lines();
    l.splice(1, 1);
    await writeFile(path, `${l.join('\n')}\n`);
    const r = await verify(path);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/first at .*line 2 \(deleted\)/);
    expect(r.err).toMatch(/1 record\(s\) missing/);
  });

  it('an inserted, forged line is named even when it copies the chain fields', async () => {
    await writeSome(4);
    const l = await lines();
    const { createHash } = await import('node:crypto');
    const forged = JSON.stringify({
      at: '2026-11-30T09:00:02Z',
      machine: 'LAB-01',
      osAccount: 'teacher1',
      event: 'override.used',
      seq: 3,
      prev: createHash('sha256').update(l[1]!).digest('hex'),
    });
    l.splice(2, 0, forged);
    await writeFile(path, `${l.join('\n')}\n`);
    const r = await verify(path);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/first at .*line 3 \(inserted\)/);
  });

  it('a torn fragment does not swallow the genuine record written after it', async () => {
    await writeSome(2);
    // A crash while writing: half a record, no newline.
    await appendFile(path, '{"at":"2026-11-30T09:00:09Z","machine":"LAB-01","event":"unl');
    const log = await writeSome(1);
    const recs = parseAuditLines(await readFile(path, 'utf8'));
    expect(recs.map((r) => r.user)).toEqual(['u0', 'u1', 'u0']);
    const r = await verify(path);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/first at .*line 3 \(torn\)/);
    // Only the fragment is reported: the record after it chains correctly.
    expect(r.err.match(/line \d+:/g)).toHaveLength(1);
    expect(log.head()?.seq).toBe(3);
  });

  it('rotates at the size cap and the chain continues across the files', async () => {
    const log = new AuditLog(path, 'LAB-01', () => t, { maxBytes: 600 });
    await writeSome(12, log);
    const names = (await readdir(dir)).sort();
    expect(names.length).toBeGreaterThan(2);
    for (const n of names) expect((await stat(join(dir, n))).size).toBeLessThanOrEqual(600);
    // Given in shell-glob order; the tool reads them oldest first.
    const r = await verify(...names.map((n) => join(dir, n)));
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/Records: 12 from the first record ever written/);
    // One file alone still checks, from where it starts.
    const alone = await verify(path);
    expect(alone.code, alone.err).toBe(0);
    expect(alone.out).toMatch(/not checked here/);
    // Removing a whole middle file shows.
    const gap = await verify(path, rotatedPath(path, 2));
    expect(gap.code).toBe(1);
    expect(gap.err).toMatch(/deleted/);
  });

  it('deletes rotated files past the retention the policy sets', async () => {
    const log = new AuditLog(path, 'LAB-01', () => t, { maxBytes: 600, retentionDays: 30 });
    await writeSome(6, log);
    const old = rotatedPath(path, 1);
    const longAgo = (t - 40 * 24 * 3600 * 1000) / 1000;
    await utimes(old, longAgo, longAgo);
    await writeSome(6, log);
    const survivors = await readdir(dir);
    const oldFirst = parseAuditLines(await readFile(join(dir, 'audit.1.jsonl'), 'utf8'))[0]!.seq;
    // The file that was 40 days old is gone; newer rotated ones stay.
    expect(survivors.every((n) => n === 'audit.jsonl' || /^audit\.\d+\.jsonl$/.test(n))).toBe(true);
    expect(oldFirst).toBeGreaterThan(1);
    const all = await Promise.all(
      survivors.map(async (n) => parseAuditLines(await readFile(join(dir, n), 'utf8'))),
    );
    expect(all.flat().some((r) => r.seq === 1)).toBe(false);
  });

  it('verify refuses nothing to check with a usage error and a missing file clearly', async () => {
    expect((await verify()).code).toBe(2);
    const r = await verify(join(dir, 'nope.jsonl'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/does not exist/);
  });
});
