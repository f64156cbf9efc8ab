/**
 * A Windows user arrives as `user`, `DOMAIN\user` or `user@domain` depending on which API
 * reported it; Linux gives a bare name. We keep the bare name and the domain apart and
 * compare case-insensitively, as Windows does.
 */
export interface UserIdentity {
  /** Exactly as the OS reported it. */
  readonly raw: string;
  /** Lower-case bare account name. */
  readonly name: string;
  /** Lower-case domain (NetBIOS or DNS form), or undefined for a bare name. */
  readonly domain: string | undefined;
}

export function parseUser(raw: string): UserIdentity {
  const trimmed = raw.trim();
  const backslash = trimmed.indexOf('\\');
  if (backslash > 0) {
    return {
      raw: trimmed,
      domain: trimmed.slice(0, backslash).toLowerCase(),
      name: trimmed.slice(backslash + 1).toLowerCase(),
    };
  }
  const at = trimmed.lastIndexOf('@');
  if (at > 0) {
    return {
      raw: trimmed,
      name: trimmed.slice(0, at).toLowerCase(),
      domain: trimmed.slice(at + 1).toLowerCase(),
    };
  }
  return { raw: trimmed, name: trimmed.toLowerCase(), domain: undefined };
}

/** First label of a DNS domain, so SCHOOL matches school.local. */
function domainKey(domain: string): string {
  return domain.split('.')[0] ?? domain;
}

/**
 * Does a name written in the policy (`pattern`) refer to this user? A bare name applies in
 * every domain; a name with a domain applies only there. NetBIOS and DNS forms of the same
 * domain match on their first label (SCHOOL ↔ school.local).
 */
export function sameUser(pattern: UserIdentity | string, user: UserIdentity): boolean {
  const p = typeof pattern === 'string' ? parseUser(pattern) : pattern;
  if (p.name !== user.name) return false;
  if (p.domain === undefined) return true;
  if (user.domain === undefined) return false;
  return domainKey(p.domain) === domainKey(user.domain);
}
