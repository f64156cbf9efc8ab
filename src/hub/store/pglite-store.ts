import { PGlite } from '@electric-sql/pglite';
import type { Sql, Store } from './store';

/**
 * The embedded store: one folder, no server. PGlite is a single connection, so one hub
 * process owns the folder at a time (a trust that wants several processes uses PostgreSQL).
 * `dataDir` undefined keeps everything in memory (tests, the preview).
 */
export async function openPgliteStore(dataDir: string | undefined): Promise<Store> {
  const db = dataDir ? await PGlite.create(dataDir) : await PGlite.create();
  return {
    kind: 'pglite',
    async query<R>(text: string, params?: unknown[]): Promise<R[]> {
      return (await db.query<R>(text, params as unknown[] | undefined)).rows;
    },
    async tx<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
      return db.transaction(async (t) =>
        fn({
          async query<R>(text: string, params?: unknown[]): Promise<R[]> {
            return (await t.query<R>(text, params as unknown[] | undefined)).rows;
          },
        }),
      );
    },
    async close(): Promise<void> {
      await db.close();
    },
  };
}
