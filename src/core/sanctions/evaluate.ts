import type { Policy, Sanction, Scope } from '../policy/schema';
import { parseUser, sameUser, type UserIdentity } from '../identity/user';
import { instantAtLocal } from '../time/local-time';

/**
 * One withdrawal of access as the session shows and enforces it.
 *
 * `until` is the instant access returns (epoch ms), or null when it lasts until a member of
 * staff lifts it (a permanent sanction or a parent's opt-out).
 */
export interface ActiveRestriction {
  scope: Scope;
  kind: 'sanction' | 'parentalOptOut';
  reason: string;
  issuedBy: string;
  until: number | null;
  sanctionIds: string[];
}

/**
 * What a user may not do right now.
 *
 * - `network`: the governing network restriction (blocked screen, log off), or null.
 * - `internet`: the effective internet restriction, or null. A network sanction withdraws
 *   the internet too, so this is filled whenever `network` is: it is governed by whichever
 *   internet-or-network sanction ends last, and its `scope` says which kind that was
 *   ('network' when the network sanction outlasts every internet one). Callers asking
 *   "is the internet withdrawn?" look only here.
 * - `active`: every active sanction of the user, one entry each, strictest first.
 * - `nextChangeAt`: the earliest end among them, so the session can lift at that instant
 *   instead of waiting for the next poll; null when nothing active ends by date.
 */
export interface SanctionStatus {
  network: ActiveRestriction | null;
  internet: ActiveRestriction | null;
  active: ActiveRestriction[];
  nextChangeAt: number | null;
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * The instant a sanction ends. A date without a time is the start of that day in the
 * policy's time zone (the pupil has access again that morning); an instant is itself;
 * no date means permanent (null).
 */
export function sanctionEnd(until: string | undefined, timeZone: string): number | null {
  if (until === undefined) return null;
  const m = DATE_ONLY.exec(until);
  if (!m) {
    const t = Date.parse(until);
    if (Number.isNaN(t)) throw new Error(`"${until}" is not a date and time.`);
    return t;
  }
  return instantAtLocal(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])), timeZone);
}

/** A sanction prepared for evaluation: its end computed once. */
interface Prepared {
  sanction: Sanction;
  pattern: UserIdentity;
  end: number | null;
}

function prepare(sanctions: readonly Sanction[], timeZone: string): Prepared[] {
  const ends = new Map<string, number | null>();
  return sanctions.map((s) => {
    let end: number | null = null;
    if (s.until !== undefined) {
      // Many sanctions end on the same day or instant: each is worked out once.
      const known = ends.get(s.until);
      end = known === undefined ? sanctionEnd(s.until, timeZone) : known;
      ends.set(s.until, end);
    }
    return { sanction: s, pattern: parseUser(s.user), end };
  });
}

/** Does a end later than b? Permanent (null) beats any date. */
function endsLater(a: number | null, b: number | null): boolean {
  if (a === null) return b !== null;
  if (b === null) return false;
  return a > b;
}

function restrictionOf(p: Prepared): ActiveRestriction {
  return {
    scope: p.sanction.scope,
    kind: p.sanction.kind,
    reason: p.sanction.reason,
    issuedBy: p.sanction.issuedBy,
    until: p.end,
    sanctionIds: [p.sanction.id],
  };
}

/**
 * The one of several sanctions that governs what the user sees: the latest end wins; on a
 * tie a sanction is shown before a parent's opt-out (it is the one the pupil can act on).
 */
function governing(list: Prepared[]): ActiveRestriction | null {
  let best: Prepared | undefined;
  for (const p of list) {
    if (
      !best ||
      endsLater(p.end, best.end) ||
      (p.end === best.end && p.sanction.kind === 'sanction' && best.sanction.kind !== 'sanction')
    ) {
      best = p;
    }
  }
  if (!best) return null;
  return { ...restrictionOf(best), sanctionIds: list.map((p) => p.sanction.id) };
}

/** Is a sanction ending at `end` (null: until lifted) in force at `at`? Never past its end. */
export function activeAt(end: number | null, at: number): boolean {
  return end === null || at < end;
}

function statusOf(candidates: Prepared[], user: UserIdentity, at: number): SanctionStatus {
  // A sanction issued "later" than a slow PC clock was still published by IT: it applies.
  const active = candidates.filter((p) => sameUser(p.pattern, user) && activeAt(p.end, at));
  const network = active.filter((p) => p.sanction.scope === 'network');
  let nextChangeAt: number | null = null;
  for (const p of active) {
    if (p.end !== null && (nextChangeAt === null || p.end < nextChangeAt)) nextChangeAt = p.end;
  }
  const ordered = [...active].sort((a, b) => {
    if (a.sanction.scope !== b.sanction.scope) return a.sanction.scope === 'network' ? -1 : 1;
    return endsLater(a.end, b.end) ? -1 : endsLater(b.end, a.end) ? 1 : 0;
  });
  return {
    network: governing(network),
    internet: governing(active),
    active: ordered.map(restrictionOf),
    nextChangeAt,
  };
}

/** The user's active sanctions at `at` (the trusted time floor, never the raw PC clock). */
export function sanctionStatus(
  policy: Pick<Policy, 'sanctions' | 'timeZone'>,
  user: UserIdentity,
  at: number,
): SanctionStatus {
  return statusOf(prepare(policy.sanctions, policy.timeZone), user, at);
}

/**
 * Sanctions indexed by bare lower-case user name, built once per policy, so a lookup among
 * tens of thousands of sanctions touches only that user's few.
 */
export class SanctionIndex {
  private readonly byName = new Map<string, Prepared[]>();

  constructor(policy: Pick<Policy, 'sanctions' | 'timeZone'>) {
    for (const p of prepare(policy.sanctions, policy.timeZone)) {
      const list = this.byName.get(p.pattern.name);
      if (list) list.push(p);
      else this.byName.set(p.pattern.name, [p]);
    }
  }

  statusFor(user: UserIdentity, at: number): SanctionStatus {
    return statusOf(this.byName.get(user.name) ?? [], user, at);
  }
}
