import { createHash } from 'node:crypto';

/**
 * The audit log is a hash chain: every record carries `prev`, the SHA-256 of the previous
 * line's exact bytes (without its newline), and `seq`, its number counted from the very
 * first record across rotated files. Changing, removing or inserting a line breaks the
 * chain at the next line; a gap or repeat in `seq` tells which of the three it was.
 *
 * What a chain cannot do on its own: anyone who can write the file can recompute every
 * hash after their change, and cutting lines off the end leaves a shorter valid chain.
 * The service's folder is root-only, so that takes root; the last hash the service reports
 * (and rotation, which copies it into the next file) anchors the end.
 */

/** `prev` of the first record ever written. */
export const CHAIN_START = '0'.repeat(64);

export function lineHash(line: string | Uint8Array): string {
  return createHash('sha256').update(line).digest('hex');
}

export interface ChainProblem {
  file: string;
  /** 1-based line number in that file. */
  line: number;
  kind: 'edited' | 'deleted' | 'inserted' | 'torn' | 'damaged' | 'broken';
  message: string;
}

export interface ChainReport {
  records: number;
  problems: ChainProblem[];
  /** seq and prev of the first record read: where this set of files starts. */
  start: { seq: number; prev: string } | null;
  /** Hash of the last line: compare with the one the service reports. */
  lastHash: string | null;
  lastSeq: number | null;
}

interface Parsed {
  seq: number;
  prev: string;
}

function parseChained(line: string): Parsed | undefined {
  try {
    const v = JSON.parse(line) as { seq?: unknown; prev?: unknown };
    if (
      typeof v === 'object' &&
      v !== null &&
      Number.isSafeInteger(v.seq) &&
      typeof v.prev === 'string' &&
      /^[0-9a-f]{64}$/.test(v.prev)
    ) {
      return { seq: v.seq as number, prev: v.prev };
    }
  } catch {
    // reported by the caller
  }
  return undefined;
}

export interface ChainFile {
  name: string;
  text: string;
}

/**
 * Check one or more files, oldest first, as one chain. Every problem is listed; the first
 * is the first broken line.
 */
export function verifyChain(files: readonly ChainFile[]): ChainReport {
  const problems: ChainProblem[] = [];
  const report = (p: ChainProblem) => {
    if (!problems.some((q) => q.file === p.file && q.line === p.line)) problems.push(p);
  };
  let records = 0;
  let start: ChainReport['start'] = null;
  // The line before, as the chain sees it.
  let before: { hash: string; seq: number | undefined; prevOfIt: string | undefined } | null = null;
  let beforeBefore: string | undefined;

  for (const f of files) {
    const lines = f.text.split('\n');
    const endsClean = f.text.endsWith('\n') || f.text === '';
    if (f.text.endsWith('\n')) lines.pop();
    lines.forEach((line, i) => {
      const n = i + 1;
      const isLast = i === lines.length - 1;
      const hash = lineHash(line);
      const p = parseChained(line);
      if (!p) {
        const torn = !line.trimEnd().endsWith('}') || (isLast && !endsClean);
        report({
          file: f.name,
          line: n,
          kind: torn ? 'torn' : 'damaged',
          message: torn
            ? 'an unfinished record (cut short, e.g. by a power cut while writing)'
            : 'not a chained audit record (no seq/prev)',
        });
        // Whatever the line is, the writer chained the next record to its bytes.
        beforeBefore = before?.hash;
        before = { hash, seq: before?.seq, prevOfIt: undefined };
        return;
      }
      records++;
      start ??= { seq: p.seq, prev: p.prev };
      if (before) {
        const expectedSeq = before.seq === undefined ? undefined : before.seq + 1;
        if (p.prev !== before.hash) {
          if (expectedSeq !== undefined && p.seq > expectedSeq) {
            report({
              file: f.name,
              line: n,
              kind: 'deleted',
              message: `${p.seq - expectedSeq} record(s) missing just before this line (numbers jump from ${before.seq} to ${p.seq})`,
            });
          } else if (p.prev === beforeBefore) {
            report({
              file: f.name,
              line: n - 1,
              kind: 'inserted',
              message: 'this line was added: the record after it chains to the line before it',
            });
          } else if (expectedSeq !== undefined && p.seq === expectedSeq) {
            report({
              file: f.name,
              line: n - 1,
              kind: 'edited',
              message:
                'this line was changed after it was written (the next record holds a different hash of it)',
            });
          } else {
            report({
              file: f.name,
              line: n,
              kind: 'broken',
              message: `does not follow the line before it (record ${p.seq} after ${before.seq ?? 'a damaged line'})`,
            });
          }
        } else if (expectedSeq !== undefined && p.seq !== expectedSeq) {
          report({
            file: f.name,
            line: n,
            kind: 'broken',
            message: `record number ${p.seq} where ${expectedSeq} was due`,
          });
        }
      } else if (p.seq === 1 && p.prev !== CHAIN_START) {
        report({
          file: f.name,
          line: n,
          kind: 'broken',
          message: 'the first record does not start the chain',
        });
      }
      beforeBefore = before?.hash;
      before = { hash, seq: p.seq, prevOfIt: p.prev };
    });
  }
  problems.sort((a, b) => {
    const fa = files.findIndex((f) => f.name === a.file);
    const fb = files.findIndex((f) => f.name === b.file);
    return fa - fb || a.line - b.line;
  });
  const last = before as { hash: string; seq: number | undefined } | null;
  return {
    records,
    problems,
    start,
    lastHash: last?.hash ?? null,
    lastSeq: last?.seq ?? null,
  };
}

/** Oldest first: by the first record's seq where it can be read, else as given. */
export function orderChainFiles(files: readonly ChainFile[]): ChainFile[] {
  const firstSeq = (f: ChainFile) => {
    const nl = f.text.indexOf('\n');
    return parseChained(nl === -1 ? f.text : f.text.slice(0, nl))?.seq;
  };
  const seqs = files.map(firstSeq);
  if (seqs.some((s) => s === undefined)) return [...files];
  return files
    .map((f, i) => ({ f, s: seqs[i]! }))
    .sort((a, b) => a.s - b.s)
    .map((x) => x.f);
}
