import pg from 'pg';
import type { Sql, Store } from './store';

/** A real PostgreSQL server, reached through a connection pool. */
export function openPgStore(connectionString: string, poolSize = 10): Store {
  const pool = new pg.Pool({ connectionString, max: poolSize });
  // A dropped connection is replaced on the next query; without a listener it would crash the hub.
  pool.on('error', () => undefined);
  return {
    kind: 'postgres',
    async query<R>(text: string, params?: unknown[]): Promise<R[]> {
      const r = await pool.query(text, params as unknown[] | undefined);
      return r.rows as R[];
    },
    async tx<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      const sql: Sql = {
        async query<R>(text: string, params?: unknown[]): Promise<R[]> {
          return (await client.query(text, params as unknown[] | undefined)).rows as R[];
        },
      };
      try {
        await client.query('BEGIN');
        const out = await fn(sql);
        await client.query('COMMIT');
        return out;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    async close(): Promise<void> {
      await pool.end();
    },
  };
}
