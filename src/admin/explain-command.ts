import { resolveRole } from '../core/identity/roles';
import { parseUser } from '../core/identity/user';
import { resolveProfile } from '../core/policy/profile';
import { sanctionStatus, type ActiveRestriction } from '../core/sanctions/evaluate';
import { deriveFacts, ownerMayUnlock } from '../core/session/derive-facts';
import { loadVerifiedBundle } from './bundle-files';
import {
  describeInstant,
  onePositional,
  requireString,
  type Command,
  optionalString,
  atArg,
} from './cli-support';

function describeRule(
  rule: { groups?: string[]; usernamePattern?: string; users?: string[] } | undefined,
): string {
  if (!rule) return '';
  const parts: string[] = [];
  if (rule.users?.length) parts.push(`users ${rule.users.join(', ')}`);
  if (rule.usernamePattern) parts.push(`user name like ${rule.usernamePattern}`);
  if (rule.groups?.length) parts.push(`groups ${rule.groups.join(', ')}`);
  return parts.join('; ');
}

export const explainCommand: Command = {
  name: 'explain',
  summary: 'show what a terminal would do for a user under a signed policy',
  usage: `classlock-admin explain policy.json --pub KEYID.public.pem --user USER
    [--groups G1,G2] [--host HOSTNAME] [--profile ID] [--locale L] [--at DATE] [--json]

USER in any form the OS reports (jsmith, SCHOOL\\jsmith, jsmith@school.local).
--groups are the user's OS / directory groups; --host picks the terminal profile by
hostname, --profile as a terminal's machine config does; --locale picks the language of
the agreements and rules; --at evaluates it all at that date or instant instead of now,
as a first login then.`,
  options: {
    pub: { type: 'string' },
    user: { type: 'string' },
    groups: { type: 'string' },
    host: { type: 'string' },
    profile: { type: 'string' },
    locale: { type: 'string' },
    at: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(values, positionals, io) {
    const path = onePositional(positionals, 'policy bundle');
    const pub = requireString(values, 'pub');
    const account = requireString(values, 'user');
    const v = await loadVerifiedBundle(path, pub);
    const policy = v.policy;
    const tz = policy.timeZone;
    const groups =
      typeof values.groups === 'string'
        ? values.groups
            .split(',')
            .map((g) => g.trim())
            .filter(Boolean)
        : [];
    const host = optionalString(values, 'host');
    const at = atArg(values, tz, io);
    const profileId = optionalString(values, 'profile');
    const user = parseUser(account);
    const status = sanctionStatus(policy, user, at);
    // The terminal's own derivation, for a first login at `at`: what it shows is what this says.
    const facts = deriveFacts({
      policy,
      user,
      groups,
      hostname: host ?? '',
      ...(profileId ? { profileId } : {}),
      locale: optionalString(values, 'locale') ?? policy.defaultLocale,
      acceptances: new Map(),
      hasPin: false,
      sanctions: status,
      now: at,
      sessionStartedAt: at,
    });
    const decision = resolveRole(policy, user, groups);
    const profile = resolveProfile(policy, host ?? '', profileId);
    const { timeouts, rules } = facts;
    const agreements = facts.agreementsDue.map((a) => ({
      ...a,
      reacceptDays: policy.agreements.find((p) => p.id === a.id)?.reacceptDays,
    }));
    const notices = policy.notices.filter((n) => n.roles.includes(facts.role));
    const unlock = facts.ownerMethods;
    const sanctionsOut = status.active.map((r: ActiveRestriction) => ({
      scope: r.scope,
      kind: r.kind,
      reason: r.reason,
      issuedBy: r.issuedBy,
      until: r.until === null ? null : new Date(r.until).toISOString(),
      ids: r.sanctionIds,
    }));

    if (values.json) {
      io.stdout.write(
        `${JSON.stringify(
          {
            policy: { serial: v.serial, keyId: v.keyId, issuedAt: policy.issuedAt },
            at: new Date(at).toISOString(),
            user: { account, name: user.name, domain: user.domain ?? null, groups },
            role: facts.role,
            roleRule: decision.ruleIndex,
            profile: profile.id,
            timeouts,
            lockOs: facts.lockOs,
            unlock,
            staffUnlock: facts.staffMethods,
            agreements: agreements.map((a) => ({
              id: a.id,
              version: a.version,
              title: a.title,
              acknowledgement: a.acknowledgement,
              reacceptDays: a.reacceptDays ?? null,
            })),
            rules,
            endOfDay: facts.endOfDayAt === null ? null : new Date(facts.endOfDayAt).toISOString(),
            notices: notices.map((n) => n.id),
            sanctions: sanctionsOut,
            network: status.network ? 'blocked' : 'allowed',
            internet: status.internet ? 'withdrawn' : 'allowed',
          },
          null,
          2,
        )}\n`,
      );
      return;
    }

    const lines: string[] = [];
    lines.push(`Policy ${v.serial} (key ${v.keyId}, issued ${policy.issuedAt})`);
    lines.push(
      `User:        ${account} (name ${user.name}${user.domain ? `, domain ${user.domain}` : ', any domain'})${groups.length ? `; groups ${groups.join(', ')}` : ''}`,
    );
    const rule = policy.roleMapping.rules[decision.ruleIndex];
    lines.push(
      `Role:        ${decision.role} (${decision.ruleIndex < 0 ? 'no rule matched: the default role' : `role rule ${decision.ruleIndex + 1}: ${describeRule(rule)}`})`,
    );
    lines.push(
      `Profile:     ${profile.id}${profileId ? ` (--profile ${profileId})` : host === undefined ? ' (no --host given)' : ` (host ${host})`}`,
    );
    const warn = timeouts.warnSeconds > 0 ? `a ${timeouts.warnSeconds} s warning, then ` : '';
    const logoff =
      timeouts.logoffAfterLockSeconds !== undefined
        ? `; logged off ${timeouts.logoffAfterLockSeconds} s after the lock`
        : '';
    lines.push(
      `Idle:        ${warn}locked after ${timeouts.lockSeconds} s idle${logoff}${facts.lockOs ? '; the OS session is locked too' : ''}`,
    );
    const byOwner = ownerMayUnlock(facts.role, facts.pupilSelfResume);
    lines.push(
      byOwner
        ? `Unlock:      by the user: ${unlock.join(', then ')}`
        : `Unlock:      only by a member of staff: ${facts.staffMethods.join(', then ')}`,
    );
    if (byOwner && facts.role !== 'staff') {
      lines.push(`             or by a member of staff: ${facts.staffMethods.join(', then ')}`);
    }
    lines.push(`Agreements:  ${agreements.length ? '' : 'none'}`);
    for (const a of agreements) {
      lines.push(
        `  - ${a.id} version ${a.version}: "${a.title}" (${a.acknowledgement === 'typedName' ? 'signed with the typed full name' : 'tick box'}${a.reacceptDays ? `, again every ${a.reacceptDays} days` : ''})`,
      );
    }
    lines.push(`Rules:       ${rules.length} shown`);
    if (notices.length) lines.push(`Notices:     ${notices.map((n) => n.title).join('; ')}`);
    if (facts.endOfDayAt !== null) {
      lines.push(`End of day:  signed out at ${describeInstant(facts.endOfDayAt, tz)}`);
    }
    lines.push(`Sanctions at ${describeInstant(at, tz)}:`);
    lines.push(
      `  network:  ${status.network ? 'BLOCKED (blocked screen, then logged off)' : 'allowed'}`,
    );
    lines.push(`  internet: ${status.internet ? 'WITHDRAWN' : 'allowed'}`);
    for (const r of status.active) {
      lines.push(
        `  - ${r.scope}${r.kind === 'parentalOptOut' ? ' (parental opt-out)' : ''} [${r.sanctionIds.join(', ')}]: ${r.reason} (by ${r.issuedBy}); ${r.until === null ? 'permanent until lifted' : `ends ${describeInstant(r.until, tz)}`}`,
      );
    }
    io.stdout.write(`${lines.join('\n')}\n`);
  },
};
