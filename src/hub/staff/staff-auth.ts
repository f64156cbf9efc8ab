import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Clock } from '../../core/clock';
import { DirectorySchema } from '../../core/policy/schema';
import { LdapVerifier, type LdapMachineOptions } from '../../core/unlock/ldap-verifier';
import { verifySecret } from '../../core/unlock/scrypt-hash';
import { tokenHash } from '../secrets';
import type { Store } from '../store/store';

export const ROLES = ['it', 'safeguarding', 'readonly'] as const;
export type Role = (typeof ROLES)[number];
/** What one person may do where: `school` '*' is every school of the trust. */
export interface Grant {
  school: string;
  role: Role;
}
export interface StaffUser {
  name: string;
  grants: Grant[];
  via: 'session' | 'token';
  csrf?: string;
}

export const StaffDirectorySchema = z.strictObject({
  directory: DirectorySchema,
  /** Directory group (its CN, compared case-insensitively) to a hub role in one school. */
  roleMap: z
    .array(
      z.strictObject({ group: z.string().min(1), school: z.string().min(1), role: z.enum(ROLES) }),
    )
    .min(1),
});
export type StaffDirectory = z.infer<typeof StaffDirectorySchema>;

export const SESSION_COOKIE = 'classlock_hub_session';
const SESSION_HOURS = 8;

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim()] = decodeURIComponent(part.slice(i + 1).trim());
  }
  return out;
}

/**
 * Who is asking the dashboard API: a signed-in member of staff (cookie, plus the CSRF token
 * on anything that changes something) or a tool with an IT API token (Bearer).
 */
export class StaffAuth {
  private readonly ldap: LdapVerifier | undefined;
  /** Failed sign-ins per name, this process only: slows guessing without a database write per try. */
  private readonly failures = new Map<string, { count: number; until: number }>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly directory: StaffDirectory | undefined,
    private readonly secureCookies: boolean,
    ldapMachine: LdapMachineOptions = {},
  ) {
    this.ldap = directory ? new LdapVerifier(directory.directory, ldapMachine) : undefined;
  }

  async signIn(
    username: string,
    password: string,
  ): Promise<
    { ok: true; grants: Grant[]; sessionId: string; csrf: string } | { ok: false; problem: string }
  > {
    const key = username.trim().toLowerCase();
    const f = this.failures.get(key);
    if (f && f.until > this.clock.now())
      return {
        ok: false,
        problem: 'Too many wrong passwords for this name: wait a minute and try again.',
      };
    const grants = await this.check(username.trim(), password);
    if (!grants) {
      const count = (f?.count ?? 0) + 1;
      this.failures.set(key, { count, until: count >= 5 ? this.clock.now() + 60_000 : 0 });
      return {
        ok: false,
        problem: 'That name and password were not accepted, or give no role at this hub.',
      };
    }
    this.failures.delete(key);
    const sessionId = randomBytes(32).toString('base64url');
    const csrf = randomBytes(24).toString('base64url');
    await this.store.query(
      'INSERT INTO sessions (id_hash, username, roles, csrf, expires_at) VALUES ($1,$2,$3::jsonb,$4,$5)',
      [
        tokenHash(sessionId),
        username.trim(),
        JSON.stringify(grants),
        csrf,
        new Date(this.clock.now() + SESSION_HOURS * 3600_000),
      ],
    );
    return { ok: true, grants, sessionId, csrf };
  }

  private async check(username: string, password: string): Promise<Grant[] | undefined> {
    if (!username || !password || password.length > 1024) return undefined;
    const [admin] = await this.store.query<{ password_hash: string }>(
      'SELECT password_hash FROM local_admins WHERE username = $1',
      [username],
    );
    if (admin)
      return (await verifySecret(password, admin.password_hash))
        ? [{ school: '*', role: 'it' }]
        : undefined;
    if (!this.ldap || !this.directory) return undefined;
    const r = await this.ldap.verify(username, password);
    if (!r.ok) return undefined;
    const groups = new Set((r.groups ?? []).map((g) => g.toLowerCase()));
    const grants = this.directory.roleMap
      .filter((m) => groups.has(m.group.toLowerCase()))
      .map((m) => ({ school: m.school, role: m.role }));
    return grants.length ? grants : undefined;
  }

  cookieFor(sessionId: string): string {
    return `${SESSION_COOKIE}=${sessionId}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${SESSION_HOURS * 3600}${
      this.secureCookies ? '; Secure' : ''
    }`;
  }

  clearCookie(): string {
    return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${this.secureCookies ? '; Secure' : ''}`;
  }

  async signOut(req: FastifyRequest): Promise<void> {
    const id = parseCookies(req.headers.cookie)[SESSION_COOKIE];
    if (id) await this.store.query('DELETE FROM sessions WHERE id_hash = $1', [tokenHash(id)]);
  }

  /** The caller, or undefined (and the reply sent) when they may not use the API. */
  async who(req: FastifyRequest, reply: FastifyReply): Promise<StaffUser | undefined> {
    const auth = req.headers.authorization;
    if (auth?.startsWith('Bearer ')) {
      const [t] = await this.store.query<{ label: string; school: string | null; role: Role }>(
        'SELECT label, school, role FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL',
        [tokenHash(auth.slice(7).trim())],
      );
      if (!t) {
        reply.code(401).send({ error: 'That API token is not known here or has been revoked.' });
        return undefined;
      }
      return {
        name: `token:${t.label}`,
        grants: [{ school: t.school ?? '*', role: t.role }],
        via: 'token',
      };
    }
    const id = parseCookies(req.headers.cookie)[SESSION_COOKIE];
    const [s] = id
      ? await this.store.query<{ username: string; roles: Grant[]; csrf: string }>(
          'SELECT username, roles, csrf FROM sessions WHERE id_hash = $1 AND expires_at > $2',
          [tokenHash(id), new Date(this.clock.now())],
        )
      : [];
    if (!s) {
      reply.code(401).send({ error: 'Sign in first.' });
      return undefined;
    }
    if (req.method !== 'GET' && req.headers['x-csrf-token'] !== s.csrf) {
      reply
        .code(403)
        .send({ error: 'This change did not come from the dashboard page (missing CSRF token).' });
      return undefined;
    }
    return { name: s.username, grants: s.roles, via: 'session', csrf: s.csrf };
  }
}

/** Whether `user` holds one of `roles` in `school`. */
export function may(user: StaffUser, school: string, roles: readonly Role[]): boolean {
  return user.grants.some(
    (g) => (g.school === '*' || g.school === school) && roles.includes(g.role),
  );
}

export function schoolsOf(user: StaffUser, all: string[]): string[] {
  if (user.grants.some((g) => g.school === '*')) return all;
  return all.filter((s) => user.grants.some((g) => g.school === s));
}
