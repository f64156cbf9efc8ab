import { chmod, lstat, mkdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The machine data folder: acceptances, PIN hashes, throttles, the policy copy, trusted
 * time and the audit log. Only the service may write there, so it must belong to the
 * service's own account and be closed to everyone else. A folder that is not is refused at
 * start rather than repaired: someone else could have planted files in it already.
 */
export const DATA_SUBFOLDERS = ['acceptances', 'pins', 'throttle', 'state', 'policies'] as const;

export class DataFolderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataFolderError';
  }
}

export interface DataFolderOptions {
  /** The account that must own it: root (0) for classlockd; the preview's own uid. */
  ownerUid: number;
}

/** Create the folder (0700) if it is missing, then check it and its subfolders. */
export async function prepareDataFolder(path: string, o: DataFolderOptions): Promise<string> {
  await createIfMissing(path);
  await checkFolder(path, o.ownerUid);
  for (const name of DATA_SUBFOLDERS) {
    const sub = join(path, name);
    await createIfMissing(sub);
    await checkFolder(sub, o.ownerUid);
  }
  return path;
}

async function createIfMissing(path: string): Promise<void> {
  try {
    await mkdir(path, { mode: 0o700 });
    // mkdir's mode is filtered by the umask; say exactly what we mean.
    await chmod(path, 0o700);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new DataFolderError(
        `Classlock could not create its data folder ${path}: ${(err as Error).message}`,
      );
    }
  }
}

async function checkFolder(path: string, ownerUid: number): Promise<void> {
  // lstat: a symbolic link would let whoever made it choose where our records go.
  const st = await lstat(path);
  if (st.isSymbolicLink())
    throw new DataFolderError(
      `Classlock's data folder ${path} is a symbolic link. Remove the link; Classlock creates the folder itself.`,
    );
  if (!st.isDirectory())
    throw new DataFolderError(`Classlock's data folder ${path} exists but is not a folder.`);
  if (process.platform === 'win32') return; // rights there are ACLs the installer sets
  if (st.uid !== ownerUid)
    throw new DataFolderError(
      `Classlock's data folder ${path} belongs to user id ${st.uid}, not ${ownerUid === 0 ? 'root' : `user id ${ownerUid}`}. ` +
        `Another account may have put records there. Move it aside and restart the service; it creates a new one.`,
    );
  if ((st.mode & 0o077) !== 0)
    throw new DataFolderError(
      `Classlock's data folder ${path} can be opened by other accounts (mode ${(st.mode & 0o7777).toString(8)}). ` +
        `Only the service may use it: run chmod 700 ${path} after checking nothing was planted there, or move it aside.`,
    );
}
