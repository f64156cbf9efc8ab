import { regexes } from 'zod';
import { SANCTION_KINDS, SCOPES, type Sanction } from './schema';

/**
 * The sanction list checked by hand, for the terminal's hot path. A large school's list
 * runs to ten thousand entries, and walking each through the zod schema (a union of two
 * date formats, trimming, strict keys) costs several times the rest of loading a policy.
 *
 * This accepts exactly what `SanctionSchema` accepts and gives the same output (strings
 * trimmed, `kind` defaulted, fields in the schema's order), plus the list-wide rules of
 * `PolicySchema` (unique ids, an opt-out withdraws internet only). It never explains:
 * anything it refuses goes back through zod, whose words name the field and the problem.
 * A unit test compares the two on valid and broken lists.
 */

const DATE = regexes.date;
const INSTANT = regexes.datetime({ offset: true, local: false, precision: undefined });
const KEYS = new Set(['id', 'user', 'scope', 'kind', 'until', 'reason', 'issuedBy', 'issuedAt']);

function text(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const t = v.trim();
  return t.length > 0 ? t : undefined;
}

/**
 * Date checks remembered for one list: a school's sanctions share a few dozen dates
 * (this week's issue date, the end of term), so most are one Set lookup.
 */
class DateCheck {
  private readonly good = new Set<string>();

  ok(v: unknown): v is string {
    if (typeof v !== 'string') return false;
    if (this.good.has(v)) return true;
    if (!DATE.test(v) && !INSTANT.test(v)) return false;
    if (this.good.size < 4096) this.good.add(v);
    return true;
  }
}

function one(raw: unknown, dates: DateCheck): Sanction | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const o = raw as Record<string, unknown>;
  for (const k in o) if (!KEYS.has(k)) return undefined;
  const id = text(o.id);
  const user = text(o.user);
  const reason = text(o.reason);
  const issuedBy = text(o.issuedBy);
  if (id === undefined || user === undefined || reason === undefined || issuedBy === undefined) {
    return undefined;
  }
  const scope = o.scope;
  if (scope !== SCOPES[0] && scope !== SCOPES[1]) return undefined;
  const kind = o.kind === undefined ? 'sanction' : o.kind;
  if (kind !== SANCTION_KINDS[0] && kind !== SANCTION_KINDS[1]) return undefined;
  if (kind === 'parentalOptOut' && scope !== 'internet') return undefined;
  if (!dates.ok(o.issuedAt)) return undefined;
  if (o.until !== undefined && !dates.ok(o.until)) return undefined;
  // What IT's tool signs is already in this shape: then the parsed object is kept as it
  // is rather than copied, which spares the collector ten thousand objects.
  if (
    kind === o.kind &&
    id === o.id &&
    user === o.user &&
    reason === o.reason &&
    issuedBy === o.issuedBy
  ) {
    return o as Sanction;
  }
  // Fields in the schema's order, as zod would give them.
  return o.until === undefined
    ? { id, user, scope, kind, reason, issuedBy, issuedAt: o.issuedAt }
    : { id, user, scope, kind, until: o.until, reason, issuedBy, issuedAt: o.issuedAt };
}

/** The checked list, or undefined when anything in it would be refused by the schema. */
export function checkSanctionList(raw: unknown): Sanction[] | undefined {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) return undefined;
  const out: Sanction[] = new Array<Sanction>(raw.length);
  const ids = new Set<string>();
  const dates = new DateCheck();
  for (let i = 0; i < raw.length; i++) {
    const s = one(raw[i], dates);
    if (s === undefined || ids.has(s.id)) return undefined;
    ids.add(s.id);
    out[i] = s;
  }
  return out;
}
