import { createHash } from 'node:crypto';
import type { Agreement, Policy, Role } from '../policy/schema';

/** What was agreed to, pinned to the exact text: a changed text is a new agreement even if IT forgot to bump the version. */
export function agreementHash(agreement: Pick<Agreement, 'title' | 'body' | 'locales'>): string {
  const canonical = JSON.stringify({
    title: agreement.title,
    body: agreement.body,
    locales: Object.keys(agreement.locales)
      .sort()
      .map((k) => [k, agreement.locales[k]!.title, agreement.locales[k]!.body]),
  });
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
}

/** The text in the user's locale, falling back to the policy's own. */
export function localisedAgreement(
  agreement: Agreement,
  locale: string,
): { title: string; body: string } {
  const tr = agreement.locales[locale] ?? agreement.locales[locale.split('-')[0] ?? ''];
  return tr ?? { title: agreement.title, body: agreement.body };
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
): DueAgreement[] {
  const due: DueAgreement[] = [];
  for (const a of policy.agreements) {
    if (!a.roles.includes(role)) continue;
    const hash = agreementHash(a);
    const rec = latest.get(a.id);
    const stale =
      !rec ||
      rec.version !== a.version ||
      rec.hash !== hash ||
      (a.reacceptDays !== undefined &&
        now - Date.parse(rec.acceptedAt) >= a.reacceptDays * 86_400_000);
    if (!stale) continue;
    const text = localisedAgreement(a, locale);
    due.push({
      id: a.id,
      version: a.version,
      hash,
      title: text.title,
      body: text.body,
      acknowledgement: a.acknowledgement,
    });
  }
  return due;
}
