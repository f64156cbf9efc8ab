import type { Policy, Role } from '../core/policy/schema';

/**
 * A made-up account that the policy's own role mapping puts in `role`, so the preview
 * shows what that role really gets rather than a role forced from outside.
 */
export function previewIdentity(policy: Policy, role: Role): { account: string; groups: string[] } {
  for (const rule of policy.roleMapping.rules) {
    if (rule.role !== role) continue;
    if (rule.groups?.[0]) return { account: `preview.${role}`, groups: [rule.groups[0]] };
    if (rule.users?.[0]) return { account: rule.users[0], groups: [] };
    if (rule.usernamePattern)
      return {
        account: rule.usernamePattern.replace(/\*/g, 'preview').replace(/\?/g, 'x'),
        groups: [],
      };
  }
  if (policy.roleMapping.default === role) return { account: `preview.${role}`, groups: [] };
  throw new Error(
    `The policy maps nobody to the ${role} role, so there is nothing to preview for it.`,
  );
}
