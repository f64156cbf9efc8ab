import type { Store } from './store';

/**
 * The hub's schema, one numbered step at a time. A step never changes once released: a
 * new need is a new step. Each runs in a transaction under an advisory lock, so two hub
 * processes starting together on one database apply each step exactly once.
 */
export const MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'schools, terminals, events, acceptances, concerns, pins',
    sql: `
CREATE TABLE schools (
  id text PRIMARY KEY,
  name text NOT NULL,
  enrol_secret_hash text,
  notify_emails text[] NOT NULL DEFAULT '{}',
  webhook_url text,
  retention_days jsonb NOT NULL DEFAULT '{}',
  pin_revision integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE terminals (
  id uuid PRIMARY KEY,
  school text NOT NULL REFERENCES schools(id),
  machine_id text NOT NULL,
  hostname text,
  public_key text NOT NULL,
  enrolled_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz,
  revoked_by text,
  last_seen timestamptz,
  policy_serial integer,
  policy_state text,
  policy_problem text,
  enforcement text,
  client_missing_at timestamptz,
  versions jsonb,
  outbox_dropped integer NOT NULL DEFAULT 0,
  UNIQUE (school, machine_id)
);
CREATE TABLE request_nonces (
  terminal_id uuid NOT NULL,
  nonce text NOT NULL,
  seen_at timestamptz NOT NULL,
  PRIMARY KEY (terminal_id, nonce)
);
CREATE TABLE events (
  id uuid PRIMARY KEY,
  school text NOT NULL,
  terminal_id uuid NOT NULL,
  kind text NOT NULL,
  at timestamptz NOT NULL,
  person text,
  data jsonb NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX events_school_kind_at ON events (school, kind, at);
CREATE INDEX events_school_person ON events (school, person);
CREATE TABLE acceptances (
  event_id uuid PRIMARY KEY,
  school text NOT NULL,
  person text NOT NULL,
  agreement_id text NOT NULL,
  version text NOT NULL,
  text_hash text NOT NULL,
  typed_name text,
  accepted_at timestamptz NOT NULL,
  terminal_id uuid NOT NULL
);
CREATE INDEX acceptances_lookup ON acceptances (school, person, agreement_id, version, text_hash);
CREATE TABLE concerns (
  event_id uuid PRIMARY KEY,
  school text NOT NULL,
  terminal_id uuid NOT NULL,
  person text,
  raised_at timestamptz NOT NULL,
  told text[] NOT NULL DEFAULT '{}',
  notified_at timestamptz,
  notify_claimed_at timestamptz,
  notify_problem text,
  handled_at timestamptz,
  handled_by text,
  handled_note text
);
CREATE TABLE pins (
  school text NOT NULL,
  person text NOT NULL,
  role text NOT NULL,
  hash text NOT NULL,
  set_at timestamptz NOT NULL,
  PRIMARY KEY (school, person)
);
CREATE TABLE api_tokens (
  id uuid PRIMARY KEY,
  token_hash text NOT NULL UNIQUE,
  school text,
  role text NOT NULL,
  label text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);
CREATE TABLE local_admins (
  username text PRIMARY KEY,
  password_hash text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE sessions (
  id_hash text PRIMARY KEY,
  username text NOT NULL,
  roles jsonb NOT NULL,
  csrf text NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE TABLE audit (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  actor text NOT NULL,
  school text,
  action text NOT NULL,
  detail jsonb NOT NULL DEFAULT '{}'
);
`,
  },
];

/** An arbitrary constant: the advisory lock every hub process takes while migrating. */
const MIGRATION_LOCK = 4_242_001;

export async function migrate(store: Store): Promise<number[]> {
  const applied: number[] = [];
  await store
    .query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    )
    .catch(
      // Two processes may race on the very first CREATE; the loser's table already exists.
      () => undefined,
    );
  for (const m of MIGRATIONS) {
    await store.tx(async (sql) => {
      await sql.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      const done = await sql.query('SELECT 1 FROM schema_migrations WHERE version = $1', [
        m.version,
      ]);
      if (done.length) return;
      for (const stmt of m.sql
        .split(/;\s*\n/)
        .map((s) => s.trim())
        .filter(Boolean)) {
        await sql.query(stmt);
      }
      await sql.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        m.version,
        m.name,
      ]);
      applied.push(m.version);
    });
  }
  return applied;
}
