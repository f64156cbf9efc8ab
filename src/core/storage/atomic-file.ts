import { constants } from 'node:fs';
import { chmod, lstat, mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';

const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;

/**
 * Write a file so that a crash at any moment leaves either the old or the new contents,
 * never a mix: write a temporary sibling, flush it to disk, rename it over the target,
 * then flush the folder so the rename itself survives power loss.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  mode = 0o644,
): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  // Exclusive and without following links: a name planted in a shared folder is refused.
  const fh = await open(
    tmp,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | O_NOFOLLOW,
    mode,
  );
  try {
    // The umask may only have removed bits; set exactly what was asked.
    if (process.platform !== 'win32') await fh.chmod(mode);
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  await syncDir(dir);
}

/**
 * For the service's own records: readable and writable by the owner only (root), in a
 * folder only the owner can enter, flushed like writeFileAtomic.
 */
export async function writePrivateFile(path: string, data: string | Uint8Array): Promise<void> {
  await ensurePrivateDir(dirname(path));
  await writeFileAtomic(path, data, 0o600);
}

/**
 * Create a folder (and its parents) 0700, and tighten it to 0700 if this process owns it.
 * A folder someone else owns is left as it is: the per-session client of the layout before
 * the service writes into root's shared folders and must not fail on them.
 */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (process.platform === 'win32') return;
  const st = await lstat(dir);
  if (st.uid === process.getuid?.() && (st.mode & 0o777) !== 0o700) await chmod(dir, 0o700);
}

export async function syncDir(dir: string): Promise<void> {
  // Windows cannot open a folder for fsync; NTFS journals the rename itself.
  if (process.platform === 'win32') return;
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
