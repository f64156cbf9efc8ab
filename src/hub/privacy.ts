import { personKey, type HubEventKind } from '../shared/hub-protocol';
import type { Store } from './store/store';

/**
 * How long each kind of event is kept, in days; null keeps it until the person's records
 * are erased. A school sets its own per kind (`schools.retention_days`); these are the
 * defaults: short for routine health and locking, long for what a school must be able to
 * show later (agreements accepted, concerns, sanctions, override uses).
 */
export const DEFAULT_RETENTION_DAYS: Record<HubEventKind, number | null> = {
  heartbeat: 14,
  lock: 90,
  unlock: 90,
  unlockFailed: 90,
  clientMissing: 90,
  policyInForce: 90,
  policyStale: 90,
  policyRejected: 90,
  pinEnrolled: 90,
  overrideUsed: 365,
  sanctionApplied: 730,
  sanctionLifted: 730,
  sanctionFailed: 730,
  concernRaised: 2555,
  concernHandled: 2555,
  acceptance: null,
};

/** Deletes what is past its time, school by school. Safe to run in every hub process. */
export async function purgeExpired(store: Store, now: number): Promise<number> {
  const schools = await store.query<{ id: string; retention_days: Record<string, number | null> }>(
    'SELECT id, retention_days FROM schools',
  );
  let removed = 0;
  for (const s of schools) {
    for (const [kind, def] of Object.entries(DEFAULT_RETENTION_DAYS)) {
      const days = kind in s.retention_days ? s.retention_days[kind] : def;
      if (days === null || days === undefined) continue;
      const before = new Date(now - days * 86_400_000);
      const gone = await store.query(
        'DELETE FROM events WHERE school = $1 AND kind = $2 AND at < $3 RETURNING 1',
        [s.id, kind, before],
      );
      removed += gone.length;
      if (kind === 'concernRaised')
        await store.query('DELETE FROM concerns WHERE school = $1 AND raised_at < $2', [
          s.id,
          before,
        ]);
    }
  }
  await store.query('DELETE FROM sessions WHERE expires_at < $1', [new Date(now)]);
  return removed;
}

function iso(d: unknown): unknown {
  return d instanceof Date ? d.toISOString() : d;
}
function rowsIso<T extends Record<string, unknown>>(rows: T[]): Record<string, unknown>[] {
  return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, iso(v)])));
}

/** Everything the hub holds about one person in one school (a subject access request). */
export async function exportPerson(
  store: Store,
  school: string,
  person: string,
): Promise<Record<string, unknown>> {
  const p = personKey(person);
  const events = await store.query(
    `SELECT e.id, e.kind, e.at, t.hostname AS terminal, e.data FROM events e
     LEFT JOIN terminals t ON t.id = e.terminal_id WHERE e.school = $1 AND e.person = $2 ORDER BY e.at`,
    [school, p],
  );
  const acceptances = await store.query(
    `SELECT agreement_id, version, text_hash, typed_name, accepted_at FROM acceptances
     WHERE school = $1 AND person = $2 ORDER BY accepted_at`,
    [school, p],
  );
  const concerns = await store.query(
    `SELECT raised_at, told, notified_at, handled_at, handled_by FROM concerns
     WHERE school = $1 AND person = $2 ORDER BY raised_at`,
    [school, p],
  );
  const pin = await store.query('SELECT role, set_at FROM pins WHERE school = $1 AND person = $2', [
    school,
    p,
  ]);
  return {
    person: p,
    school,
    events: rowsIso(events),
    acceptances: rowsIso(acceptances),
    concerns: rowsIso(concerns),
    // The PIN's hash is a secret of the person's, not information about them: only that one is set.
    staffPin: pin.length ? rowsIso(pin)[0] : null,
  };
}

/** Removes one person's records in one school. What remains is the audit line saying so. */
export async function erasePerson(
  store: Store,
  school: string,
  person: string,
): Promise<Record<string, number>> {
  const p = personKey(person);
  return store.tx(async (sql) => {
    const count = async (q: string): Promise<number> => (await sql.query(q, [school, p])).length;
    const out = {
      events: await count('DELETE FROM events WHERE school = $1 AND person = $2 RETURNING 1'),
      acceptances: await count(
        'DELETE FROM acceptances WHERE school = $1 AND person = $2 RETURNING 1',
      ),
      concerns: await count('DELETE FROM concerns WHERE school = $1 AND person = $2 RETURNING 1'),
      pins: await count('DELETE FROM pins WHERE school = $1 AND person = $2 RETURNING 1'),
    };
    if (out.pins)
      await sql.query('UPDATE schools SET pin_revision = pin_revision + 1 WHERE id = $1', [school]);
    return out;
  });
}
