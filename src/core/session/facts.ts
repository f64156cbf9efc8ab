import type { DueAgreement } from '../agreements/due';
import type { PinRules, Role, Scope, Timeouts, UnlockMethod } from '../policy/schema';

/** A withdrawal of access in force for this user now (see src/core/sanctions). */
export interface Restriction {
  scope: Scope;
  kind: 'sanction' | 'parentalOptOut';
  reason: string;
  issuedBy: string;
  /** Epoch ms access returns, or null for "until a member of staff lifts it". */
  until: number | null;
  sanctionIds: string[];
}

/**
 * Everything the controller needs to know about this session, worked out from the policy,
 * the user and what is stored on the machine. The runtime recomputes it when the policy
 * changes or a sanction expires and hands it over with the event; the controller itself
 * never reads a policy, a file or a clock.
 */
export interface SessionFacts {
  account: string;
  displayName: string;
  role: Role;
  locale: string;
  timeouts: Timeouts;
  agreementsDue: DueAgreement[];
  /** Staff whose unlock methods include a PIN and who have none yet. */
  pinRequired: boolean;
  pinRules: PinRules;
  /** How the session's owner unlocks (always ending with the IT override). */
  ownerMethods: UnlockMethod[];
  /** How a member of staff unlocks, ends or authorises someone else's session. */
  staffMethods: UnlockMethod[];
  rules: string[];
  network: Restriction | null;
  internet: Restriction | null;
  contact: string;
  blockedLogoffSeconds: number;
  midSessionGraceSeconds: number;
  /** Also lock the OS session when this session locks. */
  lockOs: boolean;
  /** May a locked pupil resume their own session? */
  pupilSelfResume: boolean;
  /** Visitors wait for a member of staff before the session opens. */
  visitorNeedsAuthorisation: boolean;
  visitorMaxMs: number;
  /** Epoch ms of the next end-of-day logoff for this role, or null. */
  endOfDayAt: number | null;
  /** Epoch ms from which the user is warned of it (the policy's warnMinutes before). */
  endOfDayWarnAt: number | null;
}

export type LockReason = 'idle' | 'lockNow' | 'suspend' | 'concern' | 'visitorAuthorisation';
