/** The dashboard's calls to its own hub: same origin, the session cookie, and the CSRF token on changes. */
let csrf = '';

export function setCsrf(token: string | null): void {
  csrf = token ?? '';
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (method !== 'GET') headers['x-csrf-token'] = csrf;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const r = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const data = (await r.json().catch(() => ({}))) as { error?: string };
  if (!r.ok) throw new ApiError(r.status, data.error ?? `The hub answered ${r.status}.`);
  return data as T;
}

export interface Grant {
  school: string;
  role: 'it' | 'safeguarding' | 'readonly';
}
export interface Me {
  name: string;
  grants: Grant[];
  csrf: string | null;
  schools: { id: string; name: string }[];
}

export function can(me: Me, school: string, roles: Grant['role'][]): boolean {
  return me.grants.some((g) => (g.school === '*' || g.school === school) && roles.includes(g.role));
}
