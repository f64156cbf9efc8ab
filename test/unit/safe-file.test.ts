import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { chmod, chown, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSafeFile, UnsafeFileError } from '../../src/core/storage/safe-file';
import { writePrivateFile } from '../../src/core/storage/atomic-file';

const isRoot = process.getuid?.() === 0;
let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'classlock-safe-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function reason(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'read';
  } catch (err) {
    return err instanceof UnsafeFileError ? err.reason : `other: ${String(err)}`;
  }
}

describe('reading a record from a folder that others once could write', () => {
  it('reads its own 0600 file and says "absent" for a missing one', async () => {
    await writePrivateFile(join(dir, 'a.json'), '{"x":1}');
    expect((await readSafeFile(join(dir, 'a.json')))?.toString()).toBe('{"x":1}');
    expect(await readSafeFile(join(dir, 'missing.json'))).toBeUndefined();
  });

  it("a FIFO planted under the record's name is refused at once instead of hanging", async () => {
    const fifo = join(dir, 'state.json');
    execFileSync('mkfifo', [fifo]);
    // Nothing ever opens the FIFO for writing: a blocking open would never return.
    expect(await reason(readSafeFile(fifo))).toBe('not-regular');
  });

  it("a symbolic link to a file of the planter's choosing is not followed", async () => {
    await writePrivateFile(join(dir, 'real.json'), 'secret');
    await symlink(join(dir, 'real.json'), join(dir, 'link.json'));
    expect(await reason(readSafeFile(join(dir, 'link.json')))).toBe('link');
  });

  it('a file anyone could have changed is not believed', async () => {
    await writeFile(join(dir, 'open.json'), '{}');
    await chmod(join(dir, 'open.json'), 0o666);
    expect(await reason(readSafeFile(join(dir, 'open.json')))).toBe('writable-by-others');
  });

  it.skipIf(!isRoot)('a file owned by a user, not the service, is not believed', async () => {
    await writePrivateFile(join(dir, 'planted.json'), '{}');
    await chown(join(dir, 'planted.json'), 3999, 3999);
    expect(await reason(readSafeFile(join(dir, 'planted.json')))).toBe('wrong-owner');
    // ...unless the caller expects exactly that owner.
    expect(await reason(readSafeFile(join(dir, 'planted.json'), { owner: 3999 }))).toBe('read');
  });

  it('a giant file is refused before it is read into memory', async () => {
    await writePrivateFile(join(dir, 'big.json'), 'x'.repeat(5000));
    expect(await reason(readSafeFile(join(dir, 'big.json'), { maxBytes: 1000 }))).toBe('too-large');
  });

  it('writes records 0600 in a 0700 folder, whatever the umask', async () => {
    const old = process.umask(0);
    try {
      await writePrivateFile(join(dir, 'store', 'r.json'), 'x');
    } finally {
      process.umask(old);
    }
    expect((await stat(join(dir, 'store', 'r.json'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'store'))).mode & 0o777).toBe(0o700);
    expect(await readFile(join(dir, 'store', 'r.json'), 'utf8')).toBe('x');
  });
});

describe('a session whose records were replaced by traps', () => {
  it('starts at once with a FIFO as its acceptance record, and asks for the agreement again', async () => {
    const { parseUser } = await import('../../src/core/identity/user');
    const { userFileKey } = await import('../../src/core/storage/user-file-key');
    const { openSession } = await import('../support/session');
    const { defaultPolicy } = await import('../support/policy');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(dir, 'acceptances'));
    execFileSync('mkfifo', [
      join(dir, 'acceptances', `${userFileKey(parseUser('SCHOOL\\y7.pupil'))}.jsonl`),
    ]);
    const s = await openSession(defaultPolicy(), dir);
    expect(s.rt.view().screen).toBe('agreement');
  });
});
