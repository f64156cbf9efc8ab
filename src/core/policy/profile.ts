import { globMatches } from '../identity/glob';
import type { Policy, Profile, Role, Timeouts } from './schema';

/**
 * Which terminal profile this machine is: the machine config's choice if it names one the
 * policy knows, else the first profile whose hostname globs match, else the default.
 */
export function resolveProfile(
  policy: Pick<Policy, 'profiles' | 'defaultProfile'>,
  hostname: string,
  configured?: string,
): Profile {
  const byId = (id: string) => policy.profiles.find((p) => p.id === id);
  if (configured) {
    const p = byId(configured);
    if (p) return p;
  }
  const matched = policy.profiles.find((p) => p.hostnames.some((h) => globMatches(h, hostname)));
  return matched ?? byId(policy.defaultProfile) ?? policy.profiles[0]!;
}

export function timeoutsFor(profile: Profile, role: Role): Timeouts {
  return profile.timeouts[role];
}
