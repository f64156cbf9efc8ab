import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { openPgStore } from './store/pg-store';
import { openPgliteStore } from './store/pglite-store';
import type { Store } from './store/store';

export interface StoreChoice {
  /** postgres://... : a real server (several hub processes may share it). */
  database?: string;
  /** A folder for the embedded store (one hub process at a time). */
  data?: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Opens the store the command line names. The embedded store's folder is locked to one
 * process (PGlite is a single connection; two writers would damage it), with words for IT
 * when another hub holds it.
 */
export async function openStore(c: StoreChoice): Promise<Store> {
  if (c.database) return openPgStore(c.database);
  if (!c.data)
    throw new Error(
      'Say where the hub keeps its data: --data FOLDER (embedded) or --database postgres://...',
    );
  await mkdir(c.data, { recursive: true, mode: 0o700 });
  const lock = join(c.data, 'classlock-hub.pid');
  try {
    const fh = await open(lock, 'wx', 0o600);
    await fh.writeFile(String(process.pid));
    await fh.close();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const pid = Number((await readFile(lock, 'utf8').catch(() => '')).trim());
    if (pid && pid !== process.pid && alive(pid))
      throw new Error(
        `Another classlock-hub (process ${pid}) is using ${c.data}. Stop it first: the embedded store serves one process at a time (use PostgreSQL for more).`,
        { cause: err },
      );
    await rm(lock, { force: true });
    return openStore(c);
  }
  const store = await openPgliteStore(join(c.data, 'pglite'));
  const close = store.close.bind(store);
  return {
    ...store,
    kind: store.kind,
    query: store.query.bind(store),
    tx: store.tx.bind(store),
    async close() {
      await close();
      await rm(lock, { force: true });
    },
  };
}
