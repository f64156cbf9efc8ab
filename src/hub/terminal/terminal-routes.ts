import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../../core/clock';
import { verifySecret } from '../../core/unlock/scrypt-hash';
import {
  AcceptanceQuestionSchema,
  EnrolRequestSchema,
  EventBatchSchema,
  HUB_SIGNATURE_HEADERS as H,
  HUB_SIGNATURE_WINDOW_MS,
  personKey,
} from '../../shared/hub-protocol';
import type { Store } from '../store/store';
import { ingestBatch } from './ingest';
import { checkSignature, type SignedHeaders } from './request-signature';

export interface TerminalContext {
  id: string;
  school: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    rawBody?: Buffer;
    terminal?: TerminalContext;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function headersOf(req: FastifyRequest): SignedHeaders | undefined {
  const get = (k: string): string | undefined => {
    const v = req.headers[k];
    return typeof v === 'string' ? v : undefined;
  };
  const terminal = get(H.terminal);
  const time = get(H.time);
  const nonce = get(H.nonce);
  const signature = get(H.signature);
  if (!terminal || !time || !nonce || !signature) return undefined;
  return { terminal, time, nonce, signature };
}

function refuse(reply: FastifyReply, code: number, error: string, reason?: string): FastifyReply {
  return reply.code(code).send({ error, ...(reason ? { reason } : {}) });
}

/**
 * Everything a terminal's machine service may ask. Enrolment proves the school's secret and
 * possession of the key; every later request is signed by that key, inside a time window,
 * with a nonce the hub has not seen from that terminal.
 */
export function registerTerminalRoutes(
  app: FastifyInstance,
  deps: { store: Store; clock: Clock; onNewConcerns: (ids: string[]) => void },
): void {
  const { store, clock } = deps;

  async function authenticate(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const h = headersOf(req);
    if (!h || !UUID.test(h.terminal))
      return void refuse(reply, 401, 'This request is not signed by a terminal.');
    const rows = await store.query<{
      id: string;
      school: string;
      public_key: string;
      revoked_at: Date | null;
    }>('SELECT id, school, public_key, revoked_at FROM terminals WHERE id = $1', [h.terminal]);
    const t = rows[0];
    if (!t)
      return void refuse(
        reply,
        401,
        'This terminal is not enrolled at this hub.',
        'unknown-terminal',
      );
    if (t.revoked_at) return void refuse(reply, 403, 'IT has revoked this terminal at the hub.');
    const check = checkSignature(
      t.public_key,
      req.method,
      req.url,
      req.rawBody ?? Buffer.alloc(0),
      h,
      clock.now(),
    );
    if (!check.ok) return void refuse(reply, 401, `Refused: ${check.problem}.`);
    // The nonce is written only after the signature holds, so nobody can burn another
    // terminal's nonces; the primary key makes a replay fail even across hub processes.
    const fresh = await store.query(
      `INSERT INTO request_nonces (terminal_id, nonce, seen_at) VALUES ($1, $2, $3)
       ON CONFLICT DO NOTHING RETURNING 1`,
      [t.id, h.nonce, new Date(clock.now())],
    );
    if (!fresh.length)
      return void refuse(reply, 401, 'Refused: this request was already received once (replay).');
    req.terminal = { id: t.id, school: t.school };
  }

  app.post('/api/v1/enrol', async (req, reply) => {
    const parsed = EnrolRequestSchema.safeParse(req.body);
    if (!parsed.success)
      return refuse(reply, 400, 'The enrolment request is not in the expected form.');
    const e = parsed.data;
    const h = headersOf(req);
    if (!h || h.terminal !== 'enrol')
      return refuse(reply, 401, 'An enrolment must be signed with the new key.');
    const sig = checkSignature(
      e.publicKey,
      req.method,
      req.url,
      req.rawBody ?? Buffer.alloc(0),
      h,
      clock.now(),
    );
    if (!sig.ok) return refuse(reply, 401, `Refused: ${sig.problem}.`);
    const school = (
      await store.query<{ enrol_secret_hash: string | null }>(
        'SELECT enrol_secret_hash FROM schools WHERE id = $1',
        [e.school],
      )
    )[0];
    // One answer for "no such school" and "wrong secret": the hub does not say which schools exist.
    const good = school?.enrol_secret_hash
      ? await verifySecret(e.secret, school.enrol_secret_hash)
      : false;
    if (!good) return refuse(reply, 403, 'The enrolment secret is not right for this school.');
    const existing = (
      await store.query<{ id: string; revoked_at: Date | null }>(
        'SELECT id, revoked_at FROM terminals WHERE school = $1 AND machine_id = $2',
        [e.school, e.machineId],
      )
    )[0];
    if (existing?.revoked_at)
      return refuse(
        reply,
        403,
        'IT has revoked this terminal; IT must remove it at the hub before it can enrol again.',
      );
    const id = existing?.id ?? randomUUID();
    await store.tx(async (sql) => {
      // A reinstalled PC enrols again with a new key: the old key stops working at once.
      await sql.query(
        `INSERT INTO terminals (id, school, machine_id, hostname, public_key) VALUES ($1,$2,$3,$4,$5)
         ON CONFLICT (school, machine_id) DO UPDATE SET public_key = EXCLUDED.public_key,
           hostname = EXCLUDED.hostname, enrolled_at = now()`,
        [id, e.school, e.machineId, e.hostname ?? null, e.publicKey],
      );
      await sql.query(
        `INSERT INTO audit (actor, school, action, detail) VALUES ($1,$2,$3,$4::jsonb)`,
        [
          `terminal:${e.machineId}`,
          e.school,
          existing ? 'terminal.reenrolled' : 'terminal.enrolled',
          JSON.stringify({ terminalId: id, hostname: e.hostname ?? null }),
        ],
      );
    });
    return { terminalId: id, school: e.school };
  });

  app.register(async (signed) => {
    signed.addHook('preHandler', authenticate);

    signed.post('/api/v1/t/events', async (req, reply) => {
      const parsed = EventBatchSchema.safeParse(req.body);
      if (!parsed.success)
        return refuse(reply, 400, 'A batch is { events: [...] } with 1 to 1000 events.');
      const t = req.terminal as TerminalContext;
      const r = await ingestBatch(store, t, parsed.data.events);
      if (r.newConcerns.length) deps.onNewConcerns(r.newConcerns);
      return { accepted: r.accepted, rejected: r.rejected };
    });

    signed.post('/api/v1/t/acceptances/check', async (req, reply) => {
      const parsed = AcceptanceQuestionSchema.safeParse(req.body);
      if (!parsed.success) return refuse(reply, 400, 'The question is not in the expected form.');
      const q = parsed.data;
      const t = req.terminal as TerminalContext;
      const rows = await store.query<{ accepted_at: Date }>(
        `SELECT accepted_at FROM acceptances WHERE school = $1 AND person = $2 AND agreement_id = $3
           AND version = $4 AND text_hash = $5 ORDER BY accepted_at LIMIT 1`,
        [t.school, personKey(q.person), q.agreementId, q.version, q.textHash],
      );
      const at = rows[0]?.accepted_at;
      return { accepted: !!at, at: at ? new Date(at).toISOString() : null };
    });

    signed.get('/api/v1/t/pins', async (req) => {
      const t = req.terminal as TerminalContext;
      const [school] = await store.query<{ pin_revision: number }>(
        'SELECT pin_revision FROM schools WHERE id = $1',
        [t.school],
      );
      const pins = await store.query<{ person: string; role: string; hash: string; set_at: Date }>(
        'SELECT person, role, hash, set_at FROM pins WHERE school = $1 ORDER BY person',
        [t.school],
      );
      return {
        revision: school?.pin_revision ?? 0,
        pins: pins.map((p) => ({
          person: p.person,
          role: p.role,
          hash: p.hash,
          setAt: new Date(p.set_at).toISOString(),
        })),
      };
    });

    signed.get<{ Params: { id: string } }>('/api/v1/t/concerns/:id', async (req, reply) => {
      const t = req.terminal as TerminalContext;
      if (!UUID.test(req.params.id)) return refuse(reply, 404, 'No such concern.');
      const [c] = await store.query<{
        event_id: string;
        told: string[];
        notified_at: Date | null;
        handled_at: Date | null;
        handled_by: string | null;
      }>(
        'SELECT event_id, told, notified_at, handled_at, handled_by FROM concerns WHERE event_id = $1 AND school = $2',
        [req.params.id, t.school],
      );
      if (!c) return refuse(reply, 404, 'No such concern at this hub (yet).');
      const d = (x: Date | null): string | null => (x ? new Date(x).toISOString() : null);
      return {
        id: c.event_id,
        told: c.told,
        notifiedAt: d(c.notified_at),
        handledAt: d(c.handled_at),
        handledBy: c.handled_by,
      };
    });
  });
}

/** Nonces older than twice the window can never be replayed (the time check refuses them). */
export async function purgeOldNonces(store: Store, now: number): Promise<void> {
  await store.query('DELETE FROM request_nonces WHERE seen_at < $1', [
    new Date(now - 2 * HUB_SIGNATURE_WINDOW_MS),
  ]);
}
