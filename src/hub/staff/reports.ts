import { personKey } from '../../shared/hub-protocol';
import type { Store } from '../store/store';

const d = (x: unknown): string | null => (x ? new Date(x as string).toISOString() : null);

/** A terminal is stale when it has not been heard from in this long. */
export const TERMINAL_QUIET_MS = 30 * 60_000;

export async function terminalsReport(store: Store, school: string, now: number) {
  const rows = await store.query<Record<string, unknown>>(
    `SELECT id, machine_id, hostname, enrolled_at, revoked_at, last_seen, policy_serial, policy_state,
       policy_problem, enforcement, client_missing_at, outbox_dropped,
       (SELECT count(*)::int FROM events e WHERE e.terminal_id = t.id AND e.kind = 'sanctionFailed'
          AND e.at > now() - interval '7 days') AS enforcement_failures
     FROM terminals t WHERE school = $1 ORDER BY hostname NULLS LAST, machine_id`,
    [school],
  );
  return rows.map((r) => ({
    id: r.id as string,
    machineId: r.machine_id as string,
    hostname: (r.hostname as string | null) ?? null,
    enrolledAt: d(r.enrolled_at),
    revokedAt: d(r.revoked_at),
    lastSeen: d(r.last_seen),
    quiet: !r.last_seen || now - new Date(r.last_seen as string).getTime() > TERMINAL_QUIET_MS,
    policySerial: (r.policy_serial as number | null) ?? null,
    policyState: (r.policy_state as string | null) ?? null,
    policyProblem: (r.policy_problem as string | null) ?? null,
    enforcement: (r.enforcement as string | null) ?? null,
    enforcementFailures: r.enforcement_failures as number,
    clientMissingAt: d(r.client_missing_at),
    outboxDropped: r.outbox_dropped as number,
  }));
}

export async function acceptanceReport(
  store: Store,
  school: string,
  agreementId: string,
  version: string,
) {
  const accepted = await store.query<{
    person: string;
    accepted_at: Date;
    typed_name: string | null;
    hostname: string | null;
  }>(
    `SELECT DISTINCT ON (a.person) a.person, a.accepted_at, a.typed_name, t.hostname
     FROM acceptances a LEFT JOIN terminals t ON t.id = a.terminal_id
     WHERE a.school = $1 AND a.agreement_id = $2 AND a.version = $3 ORDER BY a.person, a.accepted_at`,
    [school, agreementId, version],
  );
  // "Not yet": everyone the hub has seen at this school (any event, any agreement) who has
  // not accepted this version. The hub knows no class lists; the directory does.
  const notYet = await store.query<{ person: string }>(
    `SELECT DISTINCT person FROM (
       SELECT person FROM events WHERE school = $1 AND person IS NOT NULL
       UNION SELECT person FROM acceptances WHERE school = $1) p
     WHERE NOT EXISTS (SELECT 1 FROM acceptances a WHERE a.school = $1 AND a.person = p.person
       AND a.agreement_id = $2 AND a.version = $3) ORDER BY person`,
    [school, agreementId, version],
  );
  return {
    agreementId,
    version,
    accepted: accepted.map((a) => ({
      person: a.person,
      acceptedAt: d(a.accepted_at),
      typedName: a.typed_name,
      terminal: a.hostname,
    })),
    notYet: notYet.map((n) => n.person),
  };
}

export async function agreementVersions(store: Store, school: string) {
  return store.query<{ agreement_id: string; version: string; people: number }>(
    `SELECT agreement_id, version, count(DISTINCT person)::int AS people FROM acceptances
     WHERE school = $1 GROUP BY agreement_id, version ORDER BY agreement_id, version`,
    [school],
  );
}

export async function eventsOfKinds(store: Store, school: string, kinds: string[], limit = 200) {
  const rows = await store.query<Record<string, unknown>>(
    `SELECT e.id, e.kind, e.at, e.person, e.data, t.hostname FROM events e
     LEFT JOIN terminals t ON t.id = e.terminal_id
     WHERE e.school = $1 AND e.kind = ANY($2::text[]) ORDER BY e.at DESC LIMIT $3`,
    [school, kinds, limit],
  );
  return rows.map((r) => ({
    id: r.id as string,
    kind: r.kind as string,
    at: d(r.at),
    person: (r.person as string | null) ?? null,
    terminal: (r.hostname as string | null) ?? null,
    data: r.data as Record<string, unknown>,
  }));
}

/** Sanctions whose newest event on a terminal is "applied" or "failed": in force (or meant to be) there. */
export async function sanctionsInForce(store: Store, school: string) {
  const rows = await store.query<Record<string, unknown>>(
    `SELECT DISTINCT ON (e.data->>'sanctionId', e.terminal_id) e.data->>'sanctionId' AS sanction_id,
       e.person, e.kind, e.at, e.data->>'scope' AS scope, e.data->>'error' AS error, t.hostname
     FROM events e LEFT JOIN terminals t ON t.id = e.terminal_id
     WHERE e.school = $1 AND e.kind IN ('sanctionApplied','sanctionLifted','sanctionFailed')
     ORDER BY e.data->>'sanctionId', e.terminal_id, e.at DESC`,
    [school],
  );
  return rows
    .filter((r) => r.kind !== 'sanctionLifted')
    .map((r) => ({
      sanctionId: r.sanction_id as string,
      person: r.person as string,
      scope: r.scope as string,
      state: r.kind === 'sanctionApplied' ? 'applied' : 'failed',
      error: (r.error as string | null) ?? null,
      since: d(r.at),
      terminal: (r.hostname as string | null) ?? null,
    }));
}

export async function concernsReport(store: Store, school: string) {
  const rows = await store.query<Record<string, unknown>>(
    `SELECT c.event_id, c.person, c.raised_at, c.told, c.notified_at, c.notify_problem, c.handled_at,
       c.handled_by, c.handled_note, t.hostname
     FROM concerns c LEFT JOIN terminals t ON t.id = c.terminal_id
     WHERE c.school = $1 ORDER BY (c.handled_at IS NULL) DESC, c.raised_at DESC LIMIT 500`,
    [school],
  );
  return rows.map((r) => ({
    id: r.event_id as string,
    person: (r.person as string | null) ?? null,
    raisedAt: d(r.raised_at),
    terminal: (r.hostname as string | null) ?? null,
    told: r.told as string[],
    notifiedAt: d(r.notified_at),
    notifyProblem: (r.notify_problem as string | null) ?? null,
    handledAt: d(r.handled_at),
    handledBy: (r.handled_by as string | null) ?? null,
    handledNote: (r.handled_note as string | null) ?? null,
  }));
}

export async function personPage(store: Store, school: string, person: string) {
  const p = personKey(person);
  const events = await store.query<Record<string, unknown>>(
    `SELECT e.kind, e.at, e.data, t.hostname FROM events e LEFT JOIN terminals t ON t.id = e.terminal_id
     WHERE e.school = $1 AND e.person = $2 ORDER BY e.at DESC LIMIT 500`,
    [school, p],
  );
  const sanctions = (await sanctionsInForce(store, school)).filter((s) => s.person === p);
  const [pin] = await store.query<{ role: string; set_at: Date }>(
    'SELECT role, set_at FROM pins WHERE school = $1 AND person = $2',
    [school, p],
  );
  return {
    person: p,
    events: events.map((e) => ({
      kind: e.kind as string,
      at: d(e.at),
      terminal: (e.hostname as string | null) ?? null,
      data: e.data as Record<string, unknown>,
    })),
    sanctions,
    pin: pin ? { role: pin.role, setAt: d(pin.set_at) } : null,
  };
}
