import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Clock } from '../../core/clock';
import { personKey } from '../../shared/hub-protocol';
import { erasePerson, exportPerson } from '../privacy';
import { newSecret, tokenHash } from '../secrets';
import type { Store } from '../store/store';
import { toCsv } from './csv';
import {
  acceptanceReport,
  agreementVersions,
  concernsReport,
  eventsOfKinds,
  personPage,
  sanctionsInForce,
  terminalsReport,
} from './reports';
import { may, ROLES, schoolsOf, type Role, type StaffAuth, type StaffUser } from './staff-auth';

declare module 'fastify' {
  interface FastifyRequest {
    staff?: StaffUser;
  }
}

const ANY: readonly Role[] = ROLES;
const IT: readonly Role[] = ['it'];
const CARE: readonly Role[] = ['it', 'safeguarding'];

type SchoolReq = FastifyRequest<{
  Params: { school: string; id: string; person: string };
  Querystring: Record<string, string | undefined>;
}>;

/**
 * The dashboard's API (and the CLI's, with a token). Every route names its school, and
 * every call is checked against the caller's grants in that school and written to the audit.
 */
export function registerStaffRoutes(
  app: FastifyInstance,
  deps: { store: Store; clock: Clock; auth: StaffAuth; onConcernHandled?: () => void },
): void {
  const { store, auth, clock } = deps;

  async function audit(
    actor: string,
    school: string | null,
    action: string,
    detail: Record<string, unknown>,
  ) {
    await store.query(
      'INSERT INTO audit (actor, school, action, detail) VALUES ($1,$2,$3,$4::jsonb)',
      [actor, school, action, JSON.stringify(detail)],
    );
  }

  app.post('/api/v1/staff/sign-in', async (req, reply) => {
    const body = z
      .object({ username: z.string().max(256), password: z.string().max(1024) })
      .safeParse(req.body);
    if (!body.success) return reply.code(400).send({ error: 'Give a name and a password.' });
    const r = await auth.signIn(body.data.username, body.data.password);
    // The name is audited either way; the password never is.
    await audit(
      body.data.username.slice(0, 256),
      null,
      r.ok ? 'staff.signedIn' : 'staff.signInRefused',
      {},
    );
    if (!r.ok) return reply.code(401).send({ error: r.problem });
    reply.header('set-cookie', auth.cookieFor(r.sessionId));
    return { name: body.data.username.trim(), grants: r.grants, csrf: r.csrf };
  });

  app.post('/api/v1/staff/sign-out', async (req, reply) => {
    const user = await auth.who(req, reply);
    if (!user) return reply;
    await auth.signOut(req);
    await audit(user.name, null, 'staff.signedOut', {});
    reply.header('set-cookie', auth.clearCookie());
    return { ok: true };
  });

  app.get('/api/v1/staff/me', async (req, reply) => {
    const user = await auth.who(req, reply);
    if (!user) return reply;
    const all = await store.query<{ id: string; name: string }>(
      'SELECT id, name FROM schools ORDER BY id',
    );
    const visible = new Set(
      schoolsOf(
        user,
        all.map((s) => s.id),
      ),
    );
    return {
      name: user.name,
      grants: user.grants,
      csrf: user.csrf ?? null,
      schools: all.filter((s) => visible.has(s.id)),
    };
  });

  /** A route in one school for the given roles; the handler runs only for an allowed caller. */
  function route(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    roles: readonly Role[],
    action: string,
    handler: (req: SchoolReq, reply: FastifyReply, user: StaffUser) => Promise<unknown>,
  ): void {
    app.route({
      method,
      url: `/api/v1/staff/schools/:school${path}`,
      handler: async (req: SchoolReq, reply) => {
        const user = await auth.who(req, reply);
        if (!user) return reply;
        const school = req.params.school;
        if (!may(user, school, roles)) {
          await audit(user.name, school, `${action}.refused`, { ...req.params });
          return reply.code(403).send({ error: `Your role at ${school} does not allow this.` });
        }
        await audit(user.name, school, action, { ...req.params, ...(req.query as object) });
        return handler(req, reply, user);
      },
    });
  }

  route('GET', '/terminals', ANY, 'terminals.viewed', async (req) => ({
    terminals: await terminalsReport(store, req.params.school, clock.now()),
  }));

  route('POST', '/terminals/:id/revoke', IT, 'terminal.revoked', async (req, reply, user) => {
    const r = await store.query(
      `UPDATE terminals SET revoked_at = now(), revoked_by = $3 WHERE id::text = $1 AND school = $2
       AND revoked_at IS NULL RETURNING 1`,
      [req.params.id, req.params.school, user.name],
    );
    if (!r.length)
      return reply
        .code(404)
        .send({ error: 'No such terminal in this school, or already revoked.' });
    return { ok: true };
  });

  route('GET', '/overrides', ANY, 'overrides.viewed', async (req) => ({
    uses: await eventsOfKinds(store, req.params.school, ['overrideUsed']),
  }));

  route('GET', '/sanctions', ANY, 'sanctions.viewed', async (req) => ({
    sanctions: await sanctionsInForce(store, req.params.school),
  }));

  route('GET', '/concerns', CARE, 'concerns.viewed', async (req) => ({
    concerns: await concernsReport(store, req.params.school),
  }));

  route('POST', '/concerns/:id/handled', CARE, 'concern.handled', async (req, reply, user) => {
    const note = z.object({ note: z.string().max(2000).optional() }).safeParse(req.body ?? {});
    const r = await store.query(
      `UPDATE concerns SET handled_at = now(), handled_by = $3, handled_note = $4
       WHERE event_id::text = $1 AND school = $2 AND handled_at IS NULL RETURNING 1`,
      [req.params.id, req.params.school, user.name, note.success ? (note.data.note ?? null) : null],
    );
    if (!r.length)
      return reply.code(404).send({ error: 'No open concern with that id in this school.' });
    deps.onConcernHandled?.();
    return { ok: true };
  });

  route('GET', '/agreements', ANY, 'agreements.viewed', async (req) => ({
    versions: (await agreementVersions(store, req.params.school)).map((v) => ({
      agreementId: v.agreement_id,
      version: v.version,
      people: v.people,
    })),
  }));

  route('GET', '/acceptances', ANY, 'acceptances.viewed', async (req, reply) => {
    const { agreement, version, format } = req.query;
    if (!agreement || !version)
      return reply.code(400).send({ error: 'Name the agreement and version.' });
    const r = await acceptanceReport(store, req.params.school, agreement, version);
    if (format !== 'csv') return r;
    const rows = [
      ...r.accepted.map((a) => [a.person, 'accepted', a.acceptedAt, a.typedName, a.terminal]),
      ...r.notYet.map((p) => [p, 'not yet', null, null, null]),
    ];
    reply.header('content-type', 'text/csv; charset=utf-8');
    reply.header(
      'content-disposition',
      `attachment; filename="acceptances-${agreement}-${version}.csv"`.replace(
        /[^\x20-\x7e]/g,
        '_',
      ),
    );
    return toCsv(['person', 'status', 'accepted_at', 'typed_name', 'terminal'], rows);
  });

  route('GET', '/people/:person', CARE, 'person.viewed', async (req) =>
    personPage(store, req.params.school, req.params.person),
  );

  route('GET', '/people/:person/export', IT, 'person.exported', async (req) =>
    exportPerson(store, req.params.school, req.params.person),
  );

  route('DELETE', '/people/:person', IT, 'person.erased', async (req) => ({
    removed: await erasePerson(store, req.params.school, req.params.person),
  }));

  route('DELETE', '/pins/:person', IT, 'pin.reset', async (req, reply) => {
    const r = await store.tx(async (sql) => {
      const gone = await sql.query(
        'DELETE FROM pins WHERE school = $1 AND person = $2 RETURNING 1',
        [req.params.school, personKey(req.params.person)],
      );
      if (gone.length)
        await sql.query('UPDATE schools SET pin_revision = pin_revision + 1 WHERE id = $1', [
          req.params.school,
        ]);
      return gone.length;
    });
    if (!r) return reply.code(404).send({ error: 'That person has no PIN at this school.' });
    return { ok: true };
  });

  route('POST', '/tokens', IT, 'token.issued', async (req, reply, user) => {
    const body = z
      .object({ label: z.string().min(1).max(100), role: z.enum(ROLES).default('readonly') })
      .safeParse(req.body);
    if (!body.success)
      return reply.code(400).send({ error: 'Give the token a label (and a role).' });
    // A session holder may issue tokens; a token may not mint more tokens.
    if (user.via !== 'session')
      return reply.code(403).send({ error: 'Sign in to the dashboard to issue tokens.' });
    const token = newSecret('clh');
    await store.query(
      'INSERT INTO api_tokens (id, token_hash, school, role, label) VALUES ($1,$2,$3,$4,$5)',
      [randomUUID(), tokenHash(token), req.params.school, body.data.role, body.data.label],
    );
    return { token, note: 'Shown once: the hub keeps only its hash.' };
  });

  route('GET', '/audit', IT, 'audit.viewed', async (req) => ({
    entries: (
      await store.query<{ at: Date; actor: string; action: string; detail: unknown }>(
        'SELECT at, actor, action, detail FROM audit WHERE school = $1 OR school IS NULL ORDER BY id DESC LIMIT 300',
        [req.params.school],
      )
    ).map((a) => ({
      at: new Date(a.at).toISOString(),
      actor: a.actor,
      action: a.action,
      detail: a.detail,
    })),
  }));
}
