// The service's audit log: one chained, fsynced record (every unlock attempt, every
// policy event waits for it), and `audit verify` over a full 10 MB file.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { verifyChain } from '../src/core/audit/audit-chain';
import { AuditLog } from '../src/core/audit/audit-log';
import { ThrottleBook, throttleKey } from '../src/core/unlock/throttle';

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((s.length * p) / 100))] ?? NaN;
}

const dir = await mkdtemp(join(tmpdir(), 'classlock-bench-audit-'));
try {
  const log = new AuditLog(join(dir, 'audit.jsonl'), 'LAB-01');
  const sink = log.as('pupil1');
  const appends: number[] = [];
  for (let i = 0; i < 300; i++) {
    const t0 = performance.now();
    await sink.append({
      event: 'unlock.failed',
      user: 'SCHOOL\\mrs.jones',
      method: 'pin',
      attempt: i,
    });
    appends.push(performance.now() - t0);
  }
  console.log(
    `audit: one chained record written and fsynced, p50 ${pct(appends, 50).toFixed(2)} ms, p99 ${pct(appends, 99).toFixed(2)} ms (300 records)`,
  );

  // A full-size file as the rotation cap leaves it, checked as `audit verify` does.
  const big = new AuditLog(join(dir, 'big.jsonl'), 'LAB-01', Date.now, { maxBytes: 1e12 });
  const fill: Promise<void>[] = [];
  for (let i = 0; i < 50_000; i++) {
    fill.push(
      big.append({
        event: 'session.unlocked',
        user: `pupil${i % 900}`,
        method: 'override',
        osAccount: `pupil${i % 900}`,
      }),
    );
  }
  await Promise.all(fill);
  const text = await readFile(join(dir, 'big.jsonl'), 'utf8');
  const verifies: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const r = verifyChain([{ name: 'big.jsonl', text }]);
    verifies.push(performance.now() - t0);
    if (r.problems.length) throw new Error('bench chain broken');
  }
  console.log(
    `audit: verify ${(text.length / 1e6).toFixed(1)} MB (50,000 records), median ${pct(verifies, 50).toFixed(0)} ms (5 runs)`,
  );

  const book = new ThrottleBook(join(dir, 'throttle'), () => 900_000);
  const key = throttleKey('pin', 'mrs.jones', 'y7.pupil');
  const cycles: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t0 = performance.now();
    const s = await book.load(key, Date.now());
    await book.save(key, { failures: s.failures + 1, waitUntil: 0 });
    cycles.push(performance.now() - t0);
  }
  console.log(
    `throttle: load + save one key (safe open, atomic write, fsync), p50 ${pct(cycles, 50).toFixed(2)} ms, p99 ${pct(cycles, 99).toFixed(2)} ms (200 rounds)`,
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
