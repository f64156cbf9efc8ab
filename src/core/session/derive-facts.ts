import { dueAgreements, type AcceptanceRecord } from '../agreements/due';
import { resolveRole } from '../identity/roles';
import type { UserIdentity } from '../identity/user';
import { resolveProfile, timeoutsFor } from '../policy/profile';
import type { Policy, Role, UnlockMethod } from '../policy/schema';
import type { SanctionStatus } from '../sanctions/evaluate';
import { nextEndOfDay } from './end-of-day';
import type { SessionFacts } from './facts';

export interface FactInputs {
  policy: Policy;
  user: UserIdentity;
  groups: readonly string[];
  hostname: string;
  profileId?: string;
  locale: string;
  acceptances: ReadonlyMap<string, AcceptanceRecord>;
  hasPin: boolean;
  sanctions: SanctionStatus;
  now: number;
  sessionStartedAt: number;
  /** The hide-the-screen key in words, as the shell registered it. */
  hideScreenShortcut?: string;
}

/** IT can always get in: the override closes every list of methods. */
function withOverride(methods: readonly UnlockMethod[]): UnlockMethod[] {
  return methods.includes('override') ? [...methods] : [...methods, 'override'];
}

/** May a user of this role unlock their own idle lock? Staff always; pupils where the policy says. */
export function ownerMayUnlock(role: Role, pupilSelfResume: boolean): boolean {
  return role === 'staff' || (role === 'pupil' && pupilSelfResume);
}

export function deriveFacts(i: FactInputs): SessionFacts {
  const { policy, user } = i;
  const decision = resolveRole(policy, user, i.groups);
  const role = decision.role;
  const audience = policy.roleMapping.rules[decision.ruleIndex]?.audience;
  const profile = resolveProfile(policy, i.hostname, i.profileId);
  const methods = policy.unlock.methods;
  const staffMethods = withOverride(methods.staff);
  const ownerMethods =
    role !== 'staff' && ownerMayUnlock(role, policy.unlock.pupilSelfResume)
      ? withOverride(methods.pupil)
      : staffMethods;
  const ruleSet = policy.rules.find((r) => r.role === role);
  const lang = i.locale.split('-')[0] ?? i.locale;
  const rules = ruleSet
    ? (ruleSet.locales[i.locale] ?? ruleSet.locales[lang] ?? ruleSet.items)
    : [];
  const eod = policy.endOfDay;
  const endOfDayAt =
    eod && eod.roles.includes(role)
      ? nextEndOfDay(i.sessionStartedAt, eod.at, policy.timeZone)
      : null;
  return {
    account: user.raw,
    displayName: user.name,
    role,
    locale: i.locale,
    timeouts: timeoutsFor(profile, role),
    agreementsDue: dueAgreements(policy, role, i.acceptances, i.now, i.locale, audience),
    pinRequired: role === 'staff' && methods.staff.includes('pin') && !i.hasPin,
    pinRules: policy.unlock.pin,
    ownerMethods,
    staffMethods,
    rules,
    network: i.sanctions.network,
    internet: i.sanctions.internet,
    contact: policy.sanctionSettings.contact,
    blockedLogoffSeconds: policy.sanctionSettings.blockedLogoffSeconds,
    midSessionGraceSeconds: policy.sanctionSettings.midSessionGraceSeconds,
    lockOs: role === 'staff' && profile.lockOsForStaff,
    pupilSelfResume: policy.unlock.pupilSelfResume,
    visitorNeedsAuthorisation: policy.visitors.requireStaffAuthorisation,
    visitorMaxMs: policy.visitors.maxSessionMinutes * 60_000,
    endOfDayAt,
    endOfDayWarnAt: endOfDayAt !== null && eod ? endOfDayAt - eod.warnMinutes * 60_000 : null,
    organisation: { ...policy.organisation },
    notices: policy.notices
      .filter((n) => n.roles.includes(role))
      .map((n) => {
        const tr = n.locales[i.locale] ?? n.locales[lang];
        return { id: n.id, title: tr?.title ?? n.title, body: tr?.body ?? n.body };
      }),
    freeAttempts: policy.unlock.freeAttempts,
    ...(i.hideScreenShortcut ? { hideScreenShortcut: i.hideScreenShortcut } : {}),
  };
}
