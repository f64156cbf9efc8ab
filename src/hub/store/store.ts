/**
 * The hub's one way to reach its database. Both stores speak PostgreSQL's dialect: `pg`
 * against a real server for a deployment, PGlite (PostgreSQL compiled to WebAssembly, a
 * folder and no server) for a single school or a first look. Every query in the hub is
 * written once and runs on both.
 */
export interface Sql {
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]>;
}

export interface Store extends Sql {
  readonly kind: 'postgres' | 'pglite';
  /** Runs `fn` in one transaction: all of it lands, or none. */
  tx<T>(fn: (sql: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
