import type { DueAgreement } from '../agreements/due';
import type { AuditEntry } from '../audit/audit-log';
import type { UnlockMethod } from '../policy/schema';
import { checkPin } from '../unlock/pin-rules';
import { isSignatureName, normaliseTypedName } from '../../shared/typed-name';
import type { Message } from '../../shared/view';
import type { LockReason, SessionFacts } from './facts';
import { ownerMayUnlock } from './derive-facts';

/**
 * The session controller: one per desktop session, a pure function of (state, event, now).
 * It reads like the school's policy: agreements before use, a warning then a lock when
 * idle, only the right person unlocks, a withdrawn network ends the session.
 */

export type Phase =
  | 'starting'
  | 'agreement'
  | 'pinEnrol'
  | 'active'
  | 'warning'
  | 'locked'
  | 'blocked'
  | 'loggingOff';

export type LogoffReason =
  'declined' | 'sanction' | 'idle' | 'endOfDay' | 'visitorTimeUp' | 'endedByStaff';

export interface SessionState {
  phase: Phase;
  facts: SessionFacts;
  /** Agreements still to accept this session, in order. */
  pending: DueAgreement[];
  confirmingDecline: boolean;
  error?: Message;
  /** Last input seen by our own windows (the OS idle counter may lag behind it). */
  activityAt: number;
  /** warning: when the lock falls. */
  lockAt?: number;
  lockedAt?: number;
  lockReason?: LockReason;
  unlockMessage?: Message;
  /** locked: the method to offer first, when the one just tried could not be checked. */
  suggestedMethod?: UnlockMethod;
  failedAttempts: number;
  waitUntil: number;
  /** A network sanction: when the logoff happens (kept while the user goes back to save work). */
  blockedLogoffAt?: number;
  /** The network sanction arrived during the session: the user may go back and save work. */
  blockedMidSession: boolean;
  /** Where "go back" leads: the desktop, or the lock it interrupted (never past a lock). */
  blockedReturnTo?: 'active' | 'locked';
  /** The blocked screen came back for the last minute of that grace. */
  blockedFinalWarned: boolean;
  /** A policy notice opened from the tray, by id. */
  noticeShowing?: string;
  /** A hidden screen: the person the hub has told, once it says so. */
  toldWho?: string;
  /** Internet restriction currently enforced on this machine for this user. */
  internetEnforced: boolean;
  /** The once-a-session internet notice is showing. */
  internetNotice: boolean;
  /** The end-of-day logoff the user has been warned of (a policy may move it; then warn again). */
  endOfDayWarnedFor?: number;
  /** The end-of-day notice is showing. */
  endOfDayNotice: boolean;
  visitorEndsAt?: number;
  logoffReason?: LogoffReason;
}

export type UnlockOutcome = 'ok' | 'wrong' | 'unavailable' | 'refused' | 'throttled' | 'notAllowed';

export type SessionEvent =
  | { type: 'started'; facts: SessionFacts }
  | { type: 'factsChanged'; facts: SessionFacts }
  | { type: 'idle'; seconds: number }
  | { type: 'activity' }
  | { type: 'lockNow' }
  | { type: 'suspend' }
  | { type: 'resume' }
  | { type: 'hideScreen' }
  | { type: 'acceptAgreement'; agreementId: string; version: string; typedName?: string }
  | { type: 'declineAgreement'; agreementId: string }
  | { type: 'cancelDecline' }
  | { type: 'dismissNotice'; notice: 'internet' | 'endOfDay' | 'network' | 'policy' }
  | { type: 'showNotice'; id: string }
  /** The hub has told someone about a hidden screen. */
  | { type: 'concernNotified'; toldWho: string }
  | { type: 'enrolPin'; pin: string; confirm: string }
  | { type: 'persistFailed'; what: 'acceptance'; agreement: DueAgreement }
  | { type: 'persistFailed'; what: 'pin' }
  | {
      type: 'unlockChecked';
      purpose: CredentialPurpose;
      outcome: UnlockOutcome;
      method: UnlockMethod;
      /** Whose credential was tried. */
      actor: string;
      failedAttempts: number;
      waitUntil: number;
      detail?: string;
    };

export type Effect =
  | { type: 'persistAcceptance'; agreement: DueAgreement; typedName?: string }
  | { type: 'storePin'; pin: string }
  | { type: 'audit'; entry: AuditEntry }
  | { type: 'lockOs' }
  | { type: 'logoff'; reason: LogoffReason }
  | { type: 'enforceInternet'; on: boolean };

export interface Decision {
  state: SessionState;
  effects: Effect[];
}

export function initialState(facts: SessionFacts): SessionState {
  return {
    phase: 'starting',
    facts,
    pending: [],
    confirmingDecline: false,
    activityAt: 0,
    failedAttempts: 0,
    waitUntil: 0,
    internetEnforced: false,
    internetNotice: false,
    endOfDayNotice: false,
    blockedMidSession: false,
    blockedFinalWarned: false,
  };
}

/** The last stretch of a mid-session network grace, when the blocked screen comes back. */
const FINAL_WARNING_MS = 60_000;

/** Phases in which the desktop is in use and idle time counts towards a lock. */
const IN_USE: ReadonlySet<Phase> = new Set(['active', 'warning']);

export function decide(state: SessionState, event: SessionEvent, now: number): Decision {
  const d: Decision = { state, effects: [] };
  switch (event.type) {
    case 'started':
      d.state = {
        ...state,
        facts: event.facts,
        pending: event.facts.agreementsDue,
        activityAt: now,
      };
      syncInternet(d);
      return proceed(d, now);

    case 'factsChanged':
      return onFactsChanged(d, event.facts, now);

    case 'idle':
      return onTick(d, event.seconds, now);

    case 'activity':
      d.state = { ...state, activityAt: now };
      if (state.phase === 'warning') d.state = { ...d.state, phase: 'active', lockAt: undefined };
      return d;

    case 'lockNow':
      return IN_USE.has(state.phase) ? lock(d, 'lockNow', now) : d;

    case 'suspend':
    case 'resume':
      // A closed lid or a sleeping PC is an unattended one.
      return IN_USE.has(state.phase) ? lock(d, 'suspend', now) : d;

    case 'hideScreen':
      if (!canHideScreen(state)) return d;
      d.effects.push(audit('concern.raised', state, {}));
      return lock(d, 'concern', now);

    case 'acceptAgreement':
      return onAccept(d, event, now);

    case 'declineAgreement': {
      const current = state.pending[0];
      if (state.phase !== 'agreement' || !current || current.id !== event.agreementId) return d;
      if (!state.confirmingDecline) {
        d.state = { ...state, confirmingDecline: true, error: undefined };
        return d;
      }
      d.effects.push(
        audit('agreement.declined', state, { agreementId: current.id, version: current.version }),
      );
      return logoff(d, 'declined');
    }

    case 'cancelDecline':
      d.state = { ...state, confirmingDecline: false };
      return d;

    case 'dismissNotice':
      return onDismiss(d, event.notice, now);

    case 'showNotice':
      if (state.phase !== 'active' || !state.facts.notices.some((n) => n.id === event.id)) return d;
      d.state = { ...state, noticeShowing: event.id };
      return d;

    case 'concernNotified':
      if (state.phase !== 'locked' || state.lockReason !== 'concern') return d;
      d.state = { ...state, toldWho: event.toldWho };
      return d;

    case 'enrolPin': {
      if (state.phase !== 'pinEnrol') return d;
      const problem = checkPin(event.pin, event.confirm, state.facts.pinRules);
      if (problem) {
        d.state = { ...state, error: problem };
        return d;
      }
      d.effects.push({ type: 'storePin', pin: event.pin }, audit('pin.enrolled', state, {}));
      d.state = { ...state, error: undefined, facts: { ...state.facts, pinRequired: false } };
      return proceed(d, now);
    }

    case 'persistFailed':
      if (event.what === 'acceptance') {
        d.state = {
          ...state,
          phase: 'agreement',
          pending: [event.agreement, ...state.pending.filter((a) => a.id !== event.agreement.id)],
          error: { key: 'agreement.saveFailed', params: {} },
        };
      } else {
        d.state = {
          ...state,
          phase: 'pinEnrol',
          facts: { ...state.facts, pinRequired: true },
          error: { key: 'pin.saveFailed', params: {} },
        };
      }
      return d;

    case 'unlockChecked':
      return onUnlockChecked(d, event, now);
  }
}

/** Where a session goes when nothing holds it back: the first requirement not yet met. */
function proceed(d: Decision, now: number): Decision {
  const s = d.state;
  if (s.facts.network) return block(d, now + s.facts.blockedLogoffSeconds * 1000);
  if (s.pending.length > 0) {
    d.state = { ...s, phase: 'agreement', confirmingDecline: false };
    return d;
  }
  if (s.facts.pinRequired) {
    d.state = { ...s, phase: 'pinEnrol' };
    return d;
  }
  // A visit's clock starts when its desktop first opens: at a member of staff's word where
  // the policy asks for one (set by the unlock), otherwise now.
  let visitorEndsAt = s.visitorEndsAt;
  if (s.facts.role === 'visitor' && visitorEndsAt === undefined) {
    if (s.facts.visitorNeedsAuthorisation) return lock(d, 'visitorAuthorisation', now);
    visitorEndsAt = now + s.facts.visitorMaxMs;
  }
  d.state = {
    ...s,
    ...(visitorEndsAt !== undefined ? { visitorEndsAt } : {}),
    phase: 'active',
    activityAt: now,
    lockAt: undefined,
    error: undefined,
    unlockMessage: undefined,
  };
  return d;
}

/**
 * Show the withdrawn network and set the logoff. Mid-session the user may go back and save
 * their work first; a logoff already set is never put off by showing the screen again.
 */
function block(
  d: Decision,
  logoffAt: number,
  midSession = false,
  returnTo: 'active' | 'locked' = 'active',
): Decision {
  const s = d.state;
  const r = s.facts.network!;
  if (s.blockedLogoffAt === undefined) {
    d.effects.push(
      audit('sanction.blocked', s, {
        sanctionIds: r.sanctionIds,
        until: r.until === null ? null : new Date(r.until).toISOString(),
      }),
    );
  }
  d.state = {
    ...s,
    phase: 'blocked',
    blockedLogoffAt: Math.min(logoffAt, s.blockedLogoffAt ?? Infinity),
    blockedMidSession: s.blockedMidSession || midSession,
    blockedReturnTo: returnTo,
    noticeShowing: undefined,
  };
  return d;
}

function onDismiss(
  d: Decision,
  notice: Extract<SessionEvent, { type: 'dismissNotice' }>['notice'],
  now: number,
): Decision {
  const s = d.state;
  switch (notice) {
    case 'internet':
      d.state = { ...s, internetNotice: false };
      return d;
    case 'endOfDay':
      d.state = { ...s, endOfDayNotice: false };
      return d;
    case 'policy':
      d.state = { ...s, noticeShowing: undefined };
      return d;
    case 'network':
      // Only a sanction that arrived mid-session leaves time to save work; the logoff stands.
      if (s.phase !== 'blocked' || !s.blockedMidSession) return d;
      // A session that was locked goes back to its lock: the way back never opens a desktop.
      d.state =
        s.blockedReturnTo === 'locked'
          ? { ...s, phase: 'locked' }
          : { ...s, phase: 'active', activityAt: now, lockAt: undefined };
      return d;
  }
}

function lock(d: Decision, reason: LockReason, now: number): Decision {
  const s = d.state;
  d.effects.push(audit('session.locked', s, { reason }));
  if (s.facts.lockOs) d.effects.push({ type: 'lockOs' });
  d.state = {
    ...s,
    phase: 'locked',
    lockedAt: now,
    lockReason: reason,
    lockAt: undefined,
    unlockMessage: undefined,
    suggestedMethod: undefined,
    error: undefined,
    noticeShowing: undefined,
    toldWho: undefined,
  };
  return d;
}

function logoff(d: Decision, reason: LogoffReason): Decision {
  d.effects.push({ type: 'logoff', reason });
  d.state = { ...d.state, phase: 'loggingOff', logoffReason: reason };
  return d;
}

/** Internet enforcement follows the facts whatever the phase; the notice shows once a session. */
function syncInternet(d: Decision): void {
  const s = d.state;
  const wanted = s.facts.internet !== null;
  if (wanted === s.internetEnforced) return;
  d.effects.push({ type: 'enforceInternet', on: wanted });
  const r = s.facts.internet;
  d.effects.push(
    wanted
      ? audit('sanction.internetWithdrawn', s, { sanctionIds: r!.sanctionIds, kind: r!.kind })
      : audit('sanction.internetRestored', s, {}),
  );
  d.state = { ...s, internetEnforced: wanted, internetNotice: wanted };
}

function onFactsChanged(d: Decision, facts: SessionFacts, now: number): Decision {
  const before = d.state.facts;
  // Agreements accepted this session stay accepted; a new version or a new agreement joins the queue.
  d.state = { ...d.state, facts, pending: facts.agreementsDue };
  syncInternet(d);
  const s = d.state;
  if (s.phase === 'loggingOff' || s.phase === 'starting') return d;
  const pending = s.blockedLogoffAt !== undefined;
  if (facts.network && !pending) {
    // Work to save exists only once the desktop has been open (not on the agreement).
    const hadDesktop = IN_USE.has(s.phase) || s.phase === 'locked';
    const waitingVisitor = s.phase === 'locked' && s.lockReason === 'visitorAuthorisation';
    return block(
      d,
      now + facts.midSessionGraceSeconds * 1000,
      hadDesktop && !waitingVisitor,
      s.phase === 'locked' ? 'locked' : 'active',
    );
  }
  if (!facts.network && pending) {
    d.effects.push(audit('sanction.lifted', s, { sanctionIds: before.network?.sanctionIds ?? [] }));
    d.state = {
      ...d.state,
      blockedLogoffAt: undefined,
      blockedMidSession: false,
      blockedFinalWarned: false,
      blockedReturnTo: undefined,
    };
    if (s.phase !== 'blocked') return d;
    // Lifted over a lock it interrupted: back to that lock, not to an open desktop.
    if (s.blockedReturnTo === 'locked') {
      d.state = { ...d.state, phase: 'locked' };
      return d;
    }
    return proceed(d, now);
  }
  // On the agreement screen the new list applies at once; in use it waits for the next unlock or login.
  if (s.phase === 'agreement') return proceed(d, now);
  return d;
}

function onTick(d: Decision, osIdleSeconds: number, now: number): Decision {
  const s = d.state;
  const f = s.facts;
  if (s.phase === 'loggingOff' || s.phase === 'starting') return d;

  if (f.endOfDayAt !== null && now >= f.endOfDayAt) {
    d.effects.push(audit('session.endOfDay', s, {}));
    return logoff(d, 'endOfDay');
  }
  if (
    f.endOfDayWarnAt !== null &&
    now >= f.endOfDayWarnAt &&
    s.endOfDayWarnedFor !== f.endOfDayAt
  ) {
    // Told once, whatever is on screen: a locked or blocked session shows it when it returns.
    d.effects.push(
      audit('session.endOfDayWarned', s, { logoffAt: new Date(f.endOfDayAt!).toISOString() }),
    );
    d.state = { ...s, endOfDayWarnedFor: f.endOfDayAt!, endOfDayNotice: true };
    return onTick(d, osIdleSeconds, now);
  }
  if (s.visitorEndsAt !== undefined && now >= s.visitorEndsAt) {
    d.effects.push(audit('session.visitorTimeUp', s, {}));
    return logoff(d, 'visitorTimeUp');
  }
  if (s.blockedLogoffAt !== undefined && now >= s.blockedLogoffAt) return logoff(d, 'sanction');
  if (s.phase === 'blocked') return d;
  if (
    s.blockedLogoffAt !== undefined &&
    !s.blockedFinalWarned &&
    IN_USE.has(s.phase) &&
    now >= s.blockedLogoffAt - FINAL_WARNING_MS
  ) {
    // Gone back to save work: the screen returns for the last minute, once.
    d.state = { ...s, blockedFinalWarned: true };
    return block(d, s.blockedLogoffAt);
  }
  if (s.phase === 'locked') {
    const logoffAt = idleLogoffAt(s);
    if (logoffAt !== undefined && now >= logoffAt) {
      d.effects.push(audit('session.loggedOffIdle', s, {}));
      return logoff(d, 'idle');
    }
    return d;
  }
  if (!IN_USE.has(s.phase)) return d;

  const idle = Math.min(osIdleSeconds, Math.floor((now - s.activityAt) / 1000));
  const { warnSeconds, lockSeconds } = f.timeouts;
  if (idle >= lockSeconds) return lock(d, 'idle', now);
  if (s.phase === 'warning' && holdsWarning(s)) {
    // A pupil reaching for "Hide the screen" moves the mouse: only an answer on the
    // warning itself (or its own button) ends it, so the button cannot vanish under them.
    return s.lockAt !== undefined && now >= s.lockAt ? lock(d, 'idle', now) : d;
  }
  if (warnSeconds > 0 && idle >= lockSeconds - warnSeconds) {
    d.state = { ...s, phase: 'warning', lockAt: now + (lockSeconds - idle) * 1000 };
    return d;
  }
  if (s.phase === 'warning') d.state = { ...s, phase: 'active', lockAt: undefined };
  return d;
}

function onAccept(
  d: Decision,
  e: Extract<SessionEvent, { type: 'acceptAgreement' }>,
  now: number,
): Decision {
  const s = d.state;
  const current = s.pending[0];
  // A stale screen (the policy changed under it) must not accept a text the user did not see.
  if (
    s.phase !== 'agreement' ||
    !current ||
    current.id !== e.agreementId ||
    current.version !== e.version
  )
    return d;
  let typedName: string | undefined;
  if (current.acknowledgement === 'typedName') {
    typedName = normaliseTypedName(e.typedName);
    if (!isSignatureName(typedName)) {
      d.state = { ...s, error: { key: 'agreement.nameRequired', params: {} } };
      return d;
    }
  }
  d.effects.push(
    { type: 'persistAcceptance', agreement: current, ...(typedName ? { typedName } : {}) },
    audit('agreement.accepted', s, {
      agreementId: current.id,
      version: current.version,
      hash: current.hash,
      ...(typedName ? { typedName } : {}),
    }),
  );
  d.state = { ...s, pending: s.pending.slice(1), confirmingDecline: false, error: undefined };
  return proceed(d, now);
}

function onUnlockChecked(
  d: Decision,
  e: Extract<SessionEvent, { type: 'unlockChecked' }>,
  now: number,
): Decision {
  const s = d.state;
  if (s.phase !== 'locked') return d;
  // A suggestion answers one "could not be checked"; the next answer replaces it.
  d.state = {
    ...s,
    failedAttempts: e.failedAttempts,
    waitUntil: e.waitUntil,
    suggestedMethod: undefined,
  };
  const detail = { method: e.method, actor: e.actor, purpose: e.purpose };
  switch (e.outcome) {
    case 'ok':
      if (e.method === 'override') d.effects.push(audit('override.used', s, detail));
      if (e.purpose === 'endSession') {
        d.effects.push(audit('session.endedByStaff', s, detail));
        return logoff(d, 'endedByStaff');
      }
      d.effects.push(
        audit(
          s.lockReason === 'visitorAuthorisation' ? 'visitor.authorised' : 'session.unlocked',
          s,
          detail,
        ),
      );
      d.state = {
        ...d.state,
        failedAttempts: 0,
        waitUntil: 0,
        lockedAt: undefined,
        lockReason: undefined,
      };
      if (s.lockReason === 'visitorAuthorisation') {
        d.state = {
          ...d.state,
          visitorEndsAt: now + s.facts.visitorMaxMs,
        };
      }
      return proceed(d, now);
    case 'wrong':
      d.effects.push(audit('unlock.failed', s, { ...detail, failedAttempts: e.failedAttempts }));
      d.state = {
        ...d.state,
        unlockMessage: wrongMessage(s.facts.freeAttempts - e.failedAttempts),
      };
      return d;
    case 'throttled':
      d.state = { ...d.state, unlockMessage: undefined };
      return d;
    case 'unavailable': {
      // Never an open door: the next method the policy allows, in its order, is offered.
      const next = nextMethod(unlockMethods(s), e.method);
      d.effects.push(
        audit('unlock.unavailable', s, {
          ...detail,
          detail: e.detail ?? '',
          offered: next ?? null,
        }),
      );
      d.state = {
        ...d.state,
        // The override closes every list, so only the override itself can be the last.
        unlockMessage: next
          ? { key: UNAVAILABLE_MESSAGE[e.method], params: { method: e.method, next } }
          : { key: 'unlock.unavailable.noOther', params: { method: e.method } },
        suggestedMethod: next,
      };
      return d;
    }
    case 'refused':
      d.effects.push(audit('unlock.refused', s, detail));
      d.state = { ...d.state, unlockMessage: { key: 'unlock.refused', params: {} } };
      return d;
    case 'notAllowed':
      d.effects.push(audit('unlock.notAllowed', s, detail));
      d.state = { ...d.state, unlockMessage: { key: 'unlock.notAllowed', params: {} } };
      return d;
  }
}

/** "N more tries before you must wait" while there are free tries left; plain after that. */
function wrongMessage(triesLeft: number): Message {
  return { key: 'unlock.wrong', params: triesLeft > 0 ? { triesLeft } : {} };
}

/** Does this warning stay up until it is answered on screen (pupils: the safety button is on it)? */
export function holdsWarning(s: SessionState): boolean {
  return s.facts.role === 'pupil';
}

/** May the user hide the screen now (a pupil with the desktop in use)? */
export function canHideScreen(s: SessionState): boolean {
  return s.facts.role === 'pupil' && IN_USE.has(s.phase);
}

function audit(event: string, s: SessionState, extra: Record<string, unknown>): Effect {
  return { type: 'audit', entry: { event, user: s.facts.account, role: s.facts.role, ...extra } };
}

/**
 * When a locked pupil or visitor session left alone is logged off to free the PC; undefined
 * for staff, for locks only staff can lift anyway, and for profiles without the timeout.
 */
export function idleLogoffAt(s: SessionState): number | undefined {
  const after = s.facts.timeouts.logoffAfterLockSeconds;
  const idleLock =
    s.lockReason === 'idle' || s.lockReason === 'lockNow' || s.lockReason === 'suspend';
  return after !== undefined && s.facts.role !== 'staff' && idleLock && s.lockedAt !== undefined
    ? s.lockedAt + after * 1000
    : undefined;
}

/** May staff end this locked session (not their own, and not a visitor still waiting)? */
export function canEndSession(s: SessionState): boolean {
  return s.facts.role !== 'staff' && s.lockReason !== 'visitorAuthorisation';
}

export type CredentialPurpose = 'unlock' | 'endSession';

/** Who may use a credential on a locked session, given why it locked and what for. */
export function unlockBy(
  s: SessionState,
  purpose: CredentialPurpose = 'unlock',
): 'owner' | 'staff' {
  if (purpose === 'endSession') return 'staff';
  const r = s.lockReason;
  if (r === 'concern' || r === 'visitorAuthorisation') return 'staff';
  return ownerMayUnlock(s.facts.role, s.facts.pupilSelfResume) ? 'owner' : 'staff';
}

/** Why a method could not be checked, in the words that fit it. */
const UNAVAILABLE_MESSAGE: Record<UnlockMethod, string> = {
  ldap: 'unlock.directoryDown',
  pin: 'unlock.pinUnavailable',
  override: 'unlock.unavailable',
};

/** The method after `failed` in the policy's order, wrapping round; none if it was the only one. */
function nextMethod(methods: UnlockMethod[], failed: UnlockMethod): UnlockMethod | undefined {
  const i = methods.indexOf(failed);
  return [...methods.slice(i + 1), ...methods.slice(0, Math.max(i, 0))].find((m) => m !== failed);
}

/** The credential methods offered on the lock, in policy order. */
export function unlockMethods(
  s: SessionState,
  purpose: CredentialPurpose = 'unlock',
): UnlockMethod[] {
  return unlockBy(s, purpose) === 'owner' ? s.facts.ownerMethods : s.facts.staffMethods;
}
