import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface MachineIdSources {
  /** The machine id file in the machine-wide data folder. */
  file: string;
  /** The OS's own id (node-machine-id's machineIdSync); may throw. */
  readOsId: () => string;
  /** A fresh random id; injectable so a test can name it. */
  generate?: () => string;
}

export interface MachineId {
  id: string;
  source: 'file' | 'os' | 'generated';
}

const VALID = /^[A-Za-z0-9-]{8,128}$/;

/**
 * One id per machine, the same for every user. The id file in the machine-wide data folder
 * wins when it exists (the installer may write it); otherwise the OS id is taken and kept
 * there, and where the OS call fails a random id is kept instead. Keeping whichever came
 * first matters on school PCs: "Prevent access to registry editing tools" is a per-user
 * policy, so the OS call can work for staff and fail for pupils on the same machine.
 */
export async function resolveMachineId(src: MachineIdSources): Promise<MachineId> {
  const existing = await readId(src.file);
  if (existing) return { id: existing, source: 'file' };

  let id: string | undefined;
  let source: MachineId['source'] = 'os';
  try {
    const os = src.readOsId().trim();
    if (VALID.test(os)) id = os;
  } catch {
    // reg.exe blocked by policy, /etc/machine-id missing: fall through to a generated id.
  }
  if (!id) {
    id = (src.generate ?? randomUUID)();
    source = 'generated';
  }

  try {
    await mkdir(dirname(src.file), { recursive: true });
    // 'wx': if another user's session wrote the file a moment ago, theirs stands.
    const fh = await open(src.file, 'wx', 0o644);
    try {
      await fh.writeFile(`${id}\n`);
      await fh.sync();
    } finally {
      await fh.close();
    }
    return { id, source };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      const winner = await readId(src.file);
      if (winner) return { id: winner, source: 'file' };
    }
    // The folder is not writable (installer rights missing): the id still works for this
    // session, and the records carry it; IT sees the cause in the startup log.
    return { id, source };
  }
}

async function readId(file: string): Promise<string | undefined> {
  try {
    const text = (await readFile(file, 'utf8')).trim();
    return VALID.test(text) ? text : undefined;
  } catch {
    return undefined;
  }
}
