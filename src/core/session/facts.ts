import type { DueAgreement } from '../agreements/due';
import type { PinRules, Role, Timeouts, UnlockMethod } from '../policy/schema';
import type { ActiveRestriction } from '../sanctions/evaluate';

/** A withdrawal of access in force for this user now, as src/core/sanctions works it out. */
export type Restriction = ActiveRestriction;

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
  /** Also lock the OS session when this session locks (staff sessions on some profiles). */
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
  /** The school's name and whom to call, as the policy's organisation says. */
  organisation: { name: string; itContact: string; safeguardingContact?: string };
  /** The policy's notices for this role (the monitoring notice), in the user's locale. */
  notices: SessionNotice[];
  /** Wrong tries before the first wait. */
  freeAttempts: number;
  /** The key that hides the screen, in words ("Ctrl+Alt+H"), when the shell has one. */
  hideScreenShortcut?: string;
}

export interface SessionNotice {
  id: string;
  title: string;
  body: string;
}

export type LockReason = 'idle' | 'lockNow' | 'suspend' | 'concern' | 'visitorAuthorisation';
