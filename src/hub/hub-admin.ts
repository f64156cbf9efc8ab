import { randomUUID } from 'node:crypto';
import { hashSecret } from '../core/unlock/scrypt-hash';
import { newSecret, tokenHash } from './secrets';
import type { Role } from './staff/staff-auth';
import { migrate } from './store/migrations';
import type { Store } from './store/store';

/** What IT does on the hub's own machine, before there is a dashboard to sign in to. */

const SCHOOL_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** Adds a school (or renews its enrolment secret) and returns the new secret, shown once. */
export async function addSchool(
  store: Store,
  s: { id: string; name: string; notifyEmails?: string[]; webhookUrl?: string },
): Promise<string> {
  if (!SCHOOL_ID.test(s.id))
    throw new Error(
      `"${s.id}" is not a school id: use lower-case letters, digits and hyphens (e.g. north-primary).`,
    );
  await migrate(store);
  const secret = newSecret('enrol');
  await store.query(
    `INSERT INTO schools (id, name, enrol_secret_hash, notify_emails, webhook_url) VALUES ($1,$2,$3,$4,$5)
     ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, enrol_secret_hash = EXCLUDED.enrol_secret_hash,
       notify_emails = EXCLUDED.notify_emails, webhook_url = EXCLUDED.webhook_url`,
    [s.id, s.name, await hashSecret(secret), s.notifyEmails ?? [], s.webhookUrl ?? null],
  );
  await store.query(
    `INSERT INTO audit (actor, school, action) VALUES ('hub-cli', $1, 'school.saved')`,
    [s.id],
  );
  return secret;
}

/** Sets the local administrator's password (first start, or a forgotten one). */
export async function setLocalAdmin(
  store: Store,
  username: string,
  password: string,
): Promise<void> {
  if (password.length < 12)
    throw new Error('The local admin password must be at least 12 characters.');
  await migrate(store);
  await store.query(
    `INSERT INTO local_admins (username, password_hash) VALUES ($1,$2)
     ON CONFLICT (username) DO UPDATE SET password_hash = EXCLUDED.password_hash`,
    [username, await hashSecret(password)],
  );
  await store.query(
    `INSERT INTO audit (actor, action, detail) VALUES ('hub-cli', 'localAdmin.set', $1::jsonb)`,
    [JSON.stringify({ username })],
  );
}

/** Issues an API token (for `classlock-admin report/terminals`); shown once, kept as a hash. */
export async function issueToken(
  store: Store,
  school: string | null,
  role: Role,
  label: string,
): Promise<string> {
  await migrate(store);
  const token = newSecret('clh');
  await store.query(
    'INSERT INTO api_tokens (id, token_hash, school, role, label) VALUES ($1,$2,$3,$4,$5)',
    [randomUUID(), tokenHash(token), school, role, label],
  );
  await store.query(
    `INSERT INTO audit (actor, school, action, detail) VALUES ('hub-cli', $1, 'token.issued', $2::jsonb)`,
    [school, JSON.stringify({ label, role })],
  );
  return token;
}
