import type { Policy, Role, RoleRule } from '../policy/schema';
import { globMatches } from './glob';
import { groupMatches } from './groups';
import { parseUser, sameUser, type UserIdentity } from './user';

function ruleMatches(rule: RoleRule, user: UserIdentity, groups: readonly string[]): boolean {
  if (rule.users?.some((u) => sameUser(parseUser(u), user))) return true;
  if (rule.usernamePattern && globMatches(rule.usernamePattern, user.name)) return true;
  if (rule.groups?.some((pg) => groups.some((og) => groupMatches(pg, og)))) return true;
  return false;
}

export interface RoleDecision {
  role: Role;
  /** Index of the rule that matched, or -1 for the default. */
  ruleIndex: number;
}

/** First matching rule wins; otherwise the policy's default (pupil unless IT says so). */
export function resolveRole(
  policy: Pick<Policy, 'roleMapping'>,
  user: UserIdentity,
  groups: readonly string[],
): RoleDecision {
  const rules = policy.roleMapping.rules;
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i]!;
    if (ruleMatches(rule, user, groups)) return { role: rule.role, ruleIndex: i };
  }
  return { role: policy.roleMapping.default, ruleIndex: -1 };
}
