import { createHash } from 'node:crypto';
import type { Agreement, Policy, Role } from '../policy/schema';

/** What was agreed to, pinned to the exact text: a changed text is a new agreement even if IT forgot to bump the version. */
export function agreementHash(
  agreement: Pick<Agreement, 'title' | 'body' | 'locales'> & Partial<Pick<Agreement, 'promises'>>,
): string {
  const locales = Object.keys(agreement.locales)
    .sort()
    .map((k) => {
      const l = agreement.locales[k]!;
      return l.promises ? [k, l.title, l.body, l.promises] : [k, l.title, l.body];
    });
  // Promises join the text only when there are some, so older agreements keep their hash.
  const canonical = JSON.stringify(
    agreement.promises
      ? { title: agreement.title, body: agreement.body, locales, promises: agreement.promises }
      : { title: agreement.title, body: agreement.body, locales },
  );
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

export interface AcceptanceRecord {
  user: string;
  role: Role;
  agreementId: string;
  version: string;
  hash: string;
  /** ISO instant. */
  acceptedAt: string;
  /** Staff agreements: the full name the user typed. */
  typedName?: string;
  machineId: string;
}

export interface DueAgreement {
  id: string;
  version: string;
  hash: string;
  title: string;
  body: string;
  acknowledgement: Agreement['acknowledgement'];
  /** What is new since the version this user accepted (absent on a first reading). */
  changes?: string;
  /** The youngest pupils' promises, each with the name of its picture. */
  promises?: { text: string; picture: string }[];
}

/** The text in the user's locale, falling back to the policy's own. */
export function localisedAgreement(
  agreement: Agreement,
  locale: string,
): { title: string; body: string; changes?: string; promises?: DueAgreement['promises'] } {
  const tr = agreement.locales[locale] ?? agreement.locales[locale.split('-')[0] ?? ''];
  const promises = agreement.promises?.map((p, i) => ({
    text: tr?.promises?.[i] ?? p.text,
    picture: p.picture,
  }));
  const changes = tr ? (tr.changes ?? agreement.changes) : agreement.changes;
  return {
    title: tr?.title ?? agreement.title,
    body: tr?.body ?? agreement.body,
    ...(changes ? { changes } : {}),
    ...(promises ? { promises } : {}),
  };
}

/**
 * The agreements for this role and audience: those written for the user's audience when
 * there are any, otherwise the role's agreements written for no audience in particular.
 */
export function agreementsFor(
  policy: Pick<Policy, 'agreements'>,
  role: Role,
  audience: string | undefined,
): Agreement[] {
  const forRole = policy.agreements.filter((a) => a.roles.includes(role));
  const forAudience = audience ? forRole.filter((a) => a.audience === audience) : [];
  return forAudience.length > 0 ? forAudience : forRole.filter((a) => !a.audience);
}

/**
 * Agreements this user must accept before using the terminal, in policy order: never
 * accepted, accepted at another version or text, or older than the re-acceptance interval.
 */
export function dueAgreements(
  policy: Pick<Policy, 'agreements'>,
  role: Role,
  latest: ReadonlyMap<string, AcceptanceRecord>,
  now: number,
  locale: string,
  audience?: string,
): DueAgreement[] {
  const due: DueAgreement[] = [];
  for (const a of agreementsFor(policy, role, audience)) {
    const hash = agreementHash(a);
    const rec = latest.get(a.id);
    const stale =
      !rec ||
      rec.version !== a.version ||
      rec.hash !== hash ||
      (a.reacceptDays !== undefined &&
        now - Date.parse(rec.acceptedAt) >= a.reacceptDays * 86_400_000);
    if (!stale) continue;
    const { changes, ...text } = localisedAgreement(a, locale);
    due.push({
      id: a.id,
      version: a.version,
      hash,
      ...text,
      acknowledgement: a.acknowledgement,
      // "What changed" is for someone who accepted another version, not a first reader.
      ...(changes && rec && rec.version !== a.version ? { changes } : {}),
    });
  }
  return due;
}
