import { HubEventSchema, personKey, type HubEvent } from '../../shared/hub-protocol';
import type { Sql, Store } from '../store/store';

export interface IngestResult {
  accepted: string[];
  rejected: { id: string | null; problem: string }[];
  /** Concerns stored for the first time: the notifier should tell someone now. */
  newConcerns: string[];
}

function describe(issue: { path: PropertyKey[]; message: string }): string {
  return issue.path.length
    ? `${issue.path.map(String).join('.')}: ${issue.message}`
    : issue.message;
}

/** What is kept of an event beyond its columns. A PIN hash goes to `pins`, never the event log. */
function dataOf(e: HubEvent): Record<string, unknown> {
  const { id: _id, kind: _kind, at: _at, ...rest } = e as Record<string, unknown>;
  delete rest.person;
  if (e.kind === 'pinEnrolled') delete rest.hash;
  return rest;
}

/**
 * Stores a terminal's batch. Each event id is kept once (a retry after a lost answer
 * changes nothing); side tables — acceptances, concerns, PINs, the terminal's state —
 * are written only for events stored for the first time, in the same transaction.
 */
export async function ingestBatch(
  store: Store,
  terminal: { id: string; school: string },
  raw: unknown[],
): Promise<IngestResult> {
  const rejected: IngestResult['rejected'] = [];
  const valid = new Map<string, HubEvent>();
  for (const r of raw) {
    const parsed = HubEventSchema.safeParse(r);
    if (parsed.success) valid.set(parsed.data.id, parsed.data);
    else {
      const id = typeof (r as { id?: unknown })?.id === 'string' ? (r as { id: string }).id : null;
      rejected.push({ id, problem: parsed.error.issues.slice(0, 3).map(describe).join('; ') });
    }
  }
  const events = [...valid.values()];
  if (!events.length) return { accepted: [], rejected, newConcerns: [] };

  const newConcerns: string[] = [];
  await store.tx(async (sql) => {
    const inserted = await sql.query<{ id: string }>(
      `INSERT INTO events (id, school, terminal_id, kind, at, person, data)
       SELECT e.id, $1, $2, e.kind, e.at, e.person, e.data::jsonb
       FROM unnest($3::uuid[], $4::text[], $5::timestamptz[], $6::text[], $7::text[])
         AS e(id, kind, at, person, data)
       ON CONFLICT (id) DO NOTHING RETURNING id`,
      [
        terminal.school,
        terminal.id,
        events.map((e) => e.id),
        events.map((e) => e.kind),
        events.map((e) => e.at),
        events.map((e) => ('person' in e && e.person ? personKey(e.person) : null)),
        events.map((e) => JSON.stringify(dataOf(e))),
      ],
    );
    const fresh = inserted.map((r) => valid.get(r.id)).filter((e): e is HubEvent => !!e);
    fresh.sort((a, b) => a.at.localeCompare(b.at));
    for (const e of fresh) {
      if (e.kind === 'concernRaised') newConcerns.push(e.id);
      await applySideEffects(sql, terminal, e);
    }
    await sql.query('UPDATE terminals SET last_seen = now() WHERE id = $1', [terminal.id]);
  });
  return { accepted: events.map((e) => e.id), rejected, newConcerns };
}

async function applySideEffects(
  sql: Sql,
  t: { id: string; school: string },
  e: HubEvent,
): Promise<void> {
  switch (e.kind) {
    case 'acceptance':
      await sql.query(
        `INSERT INTO acceptances (event_id, school, person, agreement_id, version, text_hash, typed_name, accepted_at, terminal_id)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) ON CONFLICT DO NOTHING`,
        [
          e.id,
          t.school,
          personKey(e.person),
          e.agreementId,
          e.version,
          e.textHash,
          e.typedName ?? null,
          e.at,
          t.id,
        ],
      );
      return;
    case 'concernRaised':
      await sql.query(
        `INSERT INTO concerns (event_id, school, terminal_id, person, raised_at) VALUES ($1,$2,$3,$4,$5)
         ON CONFLICT DO NOTHING`,
        [e.id, t.school, t.id, e.person ? personKey(e.person) : null, e.at],
      );
      return;
    case 'concernHandled':
      await sql.query(
        `UPDATE concerns SET handled_at = $1, handled_by = $2
         WHERE event_id = $3 AND school = $4 AND handled_at IS NULL`,
        [e.at, e.handledBy, e.concernId, t.school],
      );
      return;
    case 'pinEnrolled':
      // The newest enrolment wins, whichever terminal's batch arrives first.
      await sql.query(
        `INSERT INTO pins (school, person, role, hash, set_at) VALUES ($1,$2,$3,$4,$5)
         ON CONFLICT (school, person) DO UPDATE SET role = EXCLUDED.role, hash = EXCLUDED.hash, set_at = EXCLUDED.set_at
         WHERE pins.set_at < EXCLUDED.set_at`,
        [t.school, personKey(e.person), e.role, e.hash, e.at],
      );
      await sql.query('UPDATE schools SET pin_revision = pin_revision + 1 WHERE id = $1', [
        t.school,
      ]);
      return;
    case 'heartbeat':
      await sql.query(
        `UPDATE terminals SET policy_serial = $2, enforcement = $3, versions = $4::jsonb,
           outbox_dropped = GREATEST(outbox_dropped, $5) WHERE id = $1`,
        [t.id, e.serial, e.enforcement, JSON.stringify(e.versions ?? {}), e.outboxDropped ?? 0],
      );
      return;
    case 'policyInForce':
    case 'policyStale':
    case 'policyRejected':
      await sql.query(
        `UPDATE terminals SET policy_serial = CASE WHEN $2 = 'policyRejected' THEN policy_serial ELSE $3 END,
           policy_state = $2, policy_problem = $4 WHERE id = $1`,
        [t.id, e.kind, e.serial, e.problem ?? null],
      );
      return;
    case 'clientMissing':
      await sql.query('UPDATE terminals SET client_missing_at = $2 WHERE id = $1', [t.id, e.at]);
      return;
    default:
      return;
  }
}
