import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveMachineId } from '../../src/service/machine-id';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'classlock-machine-id-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const regBlocked = () => {
  throw new Error(
    'Command failed: REG.exe QUERY HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Cryptography',
  );
};

describe('one machine id for every user of a PC', () => {
  it('takes the OS id and keeps it in the data folder', async () => {
    const file = join(dir, 'data', 'machine-id');
    const r = await resolveMachineId({ file, readOsId: () => 'a1b2c3d4e5f6' });
    expect(r).toEqual({ id: 'a1b2c3d4e5f6', source: 'os' });
    expect((await readFile(file, 'utf8')).trim()).toBe('a1b2c3d4e5f6');
  });

  it('when reg.exe is blocked, generates an id once and every later session reuses it', async () => {
    const file = join(dir, 'machine-id');
    const first = await resolveMachineId({ file, readOsId: regBlocked });
    expect(first.source).toBe('generated');
    expect(first.id).toMatch(/^[0-9a-f-]{36}$/);
    const second = await resolveMachineId({ file, readOsId: regBlocked });
    expect(second).toEqual({ id: first.id, source: 'file' });
  });

  it('a staff session (registry allowed) after a pupil session (blocked) keeps the same id', async () => {
    const file = join(dir, 'machine-id');
    const pupil = await resolveMachineId({
      file,
      readOsId: regBlocked,
      generate: () => 'gen-00000001',
    });
    const staff = await resolveMachineId({ file, readOsId: () => 'os-id-99999999' });
    expect(staff.id).toBe(pupil.id);
  });

  it('ignores a damaged id file and an empty OS answer', async () => {
    const file = join(dir, 'machine-id');
    await writeFile(file, '\n');
    const r = await resolveMachineId({
      file,
      readOsId: () => '  ',
      generate: () => 'fresh-id-1234',
    });
    expect(r).toEqual({ id: 'fresh-id-1234', source: 'generated' });
  });

  it('two sessions starting together agree on one id', async () => {
    const file = join(dir, 'machine-id');
    const ids = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        resolveMachineId({ file, readOsId: regBlocked, generate: () => `racer-000${i}` }),
      ),
    );
    const onDisk = (await readFile(file, 'utf8')).trim();
    expect(new Set(ids.map((r) => r.id))).toEqual(new Set([onDisk]));
  });

  it('still gives an id for this session when the data folder cannot be written', async () => {
    const blocker = join(dir, 'not-a-folder');
    await writeFile(blocker, 'x');
    const r = await resolveMachineId({
      file: join(blocker, 'machine-id'),
      readOsId: regBlocked,
      generate: () => 'session-only-1',
    });
    expect(r).toEqual({ id: 'session-only-1', source: 'generated' });
  });
});
