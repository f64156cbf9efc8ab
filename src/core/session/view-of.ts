import type { View } from '../../shared/view';
import {
  canEndSession,
  canHideScreen,
  idleLogoffAt,
  unlockBy,
  unlockMethods,
  type SessionState,
} from './controller';

/** What the windows show for a state: a pure projection, recomputed after every event and tick. */
export function viewOf(s: SessionState, now: number): View {
  const f = s.facts;
  const base = {
    locale: f.locale,
    user: { account: f.account, displayName: f.displayName, role: f.role },
    ...(canHideScreen(s)
      ? { hideScreen: f.hideScreenShortcut ? { shortcut: f.hideScreenShortcut } : {} }
      : {}),
  };
  const secondsUntil = (t: number) => Math.max(0, Math.ceil((t - now) / 1000));

  switch (s.phase) {
    case 'starting':
      return { screen: 'none', ...base };
    case 'agreement': {
      const a = s.pending[0]!;
      const count = Math.max(f.agreementsDue.length, s.pending.length);
      return {
        screen: 'agreement',
        ...base,
        agreement: {
          id: a.id,
          version: a.version,
          title: a.title,
          body: a.body,
          ...(a.changes ? { changes: a.changes } : {}),
          ...(a.promises ? { promises: a.promises.map((p) => ({ ...p })) } : {}),
        },
        acknowledgement: a.acknowledgement,
        ...(f.notices.length > 0 ? { notices: f.notices.map((n) => ({ ...n })) } : {}),
        confirmingDecline: s.confirmingDecline,
        position: count - s.pending.length + 1,
        count,
        ...(s.error ? { error: s.error } : {}),
      };
    }
    case 'pinEnrol':
      return {
        screen: 'pinEnrol',
        ...base,
        rules: { ...f.pinRules },
        ...(s.error ? { error: s.error } : {}),
      };
    case 'active': {
      const notice = f.notices.find((n) => n.id === s.noticeShowing);
      if (notice) return { screen: 'notice', ...base, notice: { ...notice } };
      // Under a network sanction the blocked screen has said it all: no second notice.
      if (s.internetNotice && f.internet && !f.network) {
        return {
          screen: 'blocked',
          ...base,
          scope: 'internet',
          kind: f.internet.kind,
          reason: f.internet.reason,
          until: f.internet.until === null ? null : new Date(f.internet.until).toISOString(),
          contact: f.contact,
        };
      }
      if (s.endOfDayNotice && f.endOfDayAt !== null) {
        return {
          screen: 'endOfDay',
          ...base,
          logoffAt: f.endOfDayAt,
          secondsLeft: secondsUntil(f.endOfDayAt),
        };
      }
      return {
        screen: 'none',
        ...base,
        ...(f.notices.length > 0
          ? { notices: f.notices.map((n) => ({ id: n.id, title: n.title })) }
          : {}),
      };
    }
    case 'warning':
      return {
        screen: 'warning',
        ...base,
        lockAt: s.lockAt ?? now,
        secondsLeft: secondsUntil(s.lockAt ?? now),
        canHideScreen: f.role === 'pupil',
      };
    case 'locked': {
      const by = unlockBy(s);
      const waiting = s.waitUntil > now;
      const message = waiting
        ? { key: 'unlock.wait', params: { seconds: secondsUntil(s.waitUntil) } }
        : s.unlockMessage;
      const idleLogoff = idleLogoffAt(s);
      // Once its warning is due, the school day's end is shown too, if it comes first.
      const dayEnding =
        f.endOfDayAt !== null &&
        f.endOfDayWarnAt !== null &&
        now >= f.endOfDayWarnAt &&
        f.endOfDayAt < (idleLogoff ?? Infinity);
      const logoffAt = dayEnding ? f.endOfDayAt! : idleLogoff;
      return {
        screen: 'locked',
        ...base,
        since: new Date(s.lockedAt ?? now).toISOString(),
        rules: f.rules,
        methods: unlockMethods(s),
        ...(waiting ? { waitUntil: s.waitUntil } : {}),
        failedAttempts: s.failedAttempts,
        ...(message ? { message } : {}),
        ...(s.suggestedMethod ? { suggestedMethod: s.suggestedMethod } : {}),
        ...(logoffAt !== undefined
          ? { logoffAt, logoffReason: dayEnding ? ('endOfDay' as const) : ('idle' as const) }
          : {}),
        unlockBy: by,
        canEndSession: canEndSession(s),
        reason: s.lockReason ?? 'idle',
        organisation: { name: f.organisation.name, itContact: f.organisation.itContact },
        ...(s.lockReason === 'concern' && f.organisation.safeguardingContact
          ? { safeguardingContact: f.organisation.safeguardingContact }
          : {}),
        ...(s.lockReason === 'concern' && s.toldWho ? { toldWho: s.toldWho } : {}),
      };
    }
    case 'blocked': {
      const r = f.network!;
      return {
        screen: 'blocked',
        ...base,
        scope: 'network',
        kind: r.kind,
        reason: r.reason,
        until: r.until === null ? null : new Date(r.until).toISOString(),
        contact: f.contact,
        ...(s.blockedLogoffAt !== undefined
          ? { logoffAt: s.blockedLogoffAt, secondsLeft: secondsUntil(s.blockedLogoffAt) }
          : {}),
        ...(s.blockedMidSession ? { canGoBack: true } : {}),
      };
    }
    case 'loggingOff':
      return { screen: 'loggingOff', ...base, reason: s.logoffReason ?? 'idle' };
  }
}
