import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/pino-logger';

let dir = '';
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the log file', () => {
  it('has one line per event with its level, and an error keeps its stack', async () => {
    dir = await mkdtemp(join(tmpdir(), 'classlock-log-'));
    const log = createLogger({ name: 'classlock', dir: join(dir, 'logs'), level: 'info' });
    log.debug('not at info level');
    log.info('Policy 42 in force');
    log.error(new Error('disk full'), 'Classlock could not write its audit log');
    const lines = (await readFile(join(dir, 'logs', 'classlock.log'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { level: number; msg: string; err?: { stack: string } });
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      [30, 'Policy 42 in force'],
      [50, 'Classlock could not write its audit log'],
    ]);
    expect(lines[1]!.err?.stack).toMatch(/^Error: disk full\n\s+at /);
  });

  it('still logs to stderr when the folder cannot be made', async () => {
    dir = await mkdtemp(join(tmpdir(), 'classlock-log-'));
    const aFile = join(dir, 'not-a-folder');
    await writeFile(aFile, '');
    const log = createLogger({ name: 'x', dir: join(aFile, 'logs') });
    expect(() => log.info('still here')).not.toThrow();
  });
});
