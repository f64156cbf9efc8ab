import { constants, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

/**
 * Reading a file from a folder someone else could once write to. A planted symbolic link
 * must not lead the service to a file of someone else's choosing, a planted FIFO must not
 * hang it (a FIFO opened for reading blocks until a writer appears), and a file a user
 * could have written must not be believed. So the file is opened without following links
 * and without blocking, and the open handle (not the name, which could be swapped after a
 * check) must be a regular file, owned by the expected account, writable by nobody else.
 */

// Windows has neither flag; its ACLs, not these bits, keep users out of the service's folder.
const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const O_NONBLOCK = constants.O_NONBLOCK ?? 0;

export const DEFAULT_MAX_SAFE_READ = 16 * 1024 * 1024;

export type UnsafeReason =
  'link' | 'not-regular' | 'wrong-owner' | 'writable-by-others' | 'too-large';

/** The file exists but cannot be trusted: callers treat its record as absent or damaged. */
export class UnsafeFileError extends Error {
  constructor(
    readonly path: string,
    readonly reason: UnsafeReason,
    detail: string,
  ) {
    super(`${path} ${detail}; it is ignored`);
  }
}

export interface SafeReadOptions {
  /**
   * The uid that must own the file. Default: this process's (root for the service).
   * null: any owner (a file we only need to be a plain, not-shared file).
   */
  owner?: number | null;
  maxBytes?: number;
}

function expectedOwner(o: SafeReadOptions): number | null {
  if (o.owner !== undefined) return o.owner;
  return typeof process.getuid === 'function' ? process.getuid() : null;
}

function describeType(st: Stats): string {
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isDirectory()) return 'a folder';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

/** Check an open handle; throws UnsafeFileError. */
export function checkSafeStats(path: string, st: Stats, o: SafeReadOptions = {}): void {
  if (!st.isFile())
    throw new UnsafeFileError(path, 'not-regular', `is ${describeType(st)}, not a regular file`);
  if (process.platform === 'win32') return;
  const owner = expectedOwner(o);
  if (owner !== null && st.uid !== owner) {
    throw new UnsafeFileError(path, 'wrong-owner', `belongs to uid ${st.uid}, not uid ${owner}`);
  }
  if ((st.mode & 0o022) !== 0) {
    throw new UnsafeFileError(
      path,
      'writable-by-others',
      `can be changed by other accounts (mode ${(st.mode & 0o777).toString(8)})`,
    );
  }
  const max = o.maxBytes ?? DEFAULT_MAX_SAFE_READ;
  if (st.size > max)
    throw new UnsafeFileError(path, 'too-large', `is ${st.size} bytes, over the limit of ${max}`);
}

/** Open for reading without following a link or blocking on a FIFO, then check the handle. */
export async function openSafe(path: string, o: SafeReadOptions = {}): Promise<FileHandle> {
  let fh: FileHandle;
  try {
    fh = await open(path, constants.O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // Linux answers ELOOP for a link under O_NOFOLLOW; the BSDs EMLINK.
    if (code === 'ELOOP' || code === 'EMLINK') {
      throw new UnsafeFileError(path, 'link', 'is a symbolic link');
    }
    throw err;
  }
  try {
    checkSafeStats(path, await fh.stat(), o);
    return fh;
  } catch (err) {
    await fh.close();
    throw err;
  }
}

/**
 * The whole file, or undefined when it does not exist. Throws UnsafeFileError when it
 * exists but cannot be trusted, other errors as they come.
 */
export async function readSafeFile(
  path: string,
  o: SafeReadOptions = {},
): Promise<Buffer | undefined> {
  return (await readSafeFileWithStats(path, o))?.bytes;
}

/** As readSafeFile, with the checked handle's stat (e.g. to see who owns it). */
export async function readSafeFileWithStats(
  path: string,
  o: SafeReadOptions = {},
): Promise<{ bytes: Buffer; stats: Stats } | undefined> {
  let fh: FileHandle;
  try {
    fh = await openSafe(path, o);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const stats = await fh.stat();
    // Read from the handle we checked, bounded, so a file growing meanwhile cannot flood us.
    const max = o.maxBytes ?? DEFAULT_MAX_SAFE_READ;
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.alloc(Math.min(64 * 1024, max + 1 - total));
      if (buf.length === 0) break;
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      chunks.push(buf.subarray(0, bytesRead));
      total += bytesRead;
    }
    if (total > max)
      throw new UnsafeFileError(path, 'too-large', `is over the limit of ${max} bytes`);
    return { bytes: Buffer.concat(chunks), stats };
  } finally {
    await fh.close();
  }
}
