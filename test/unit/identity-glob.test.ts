import { describe, expect, it } from 'vitest';
import { globMatches, MAX_GLOB_LENGTH, MAX_GLOB_STARS } from '../../src/core/identity/glob';
import { resolveProfile } from '../../src/core/policy/profile';
import { parsePolicyYaml } from '../../src/core/policy/policy-yaml';
import { MINIMAL_POLICY_YAML } from '../../src/admin/minimal-policy';

/** What the patterns meant before: an anchored, case-insensitive regular expression. */
function byRegExp(glob: string, name: string): boolean {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i').test(name);
}

describe('name patterns', () => {
  it.each([
    ['CLASS-*', 'class-12', true],
    ['CLASS-*', 'CLASS-', true],
    ['CLASS-*', 'XCLASS-1', false],
    ['LAB-??-*', 'lab-02-pc7', true],
    ['LAB-??-*', 'lab-2-pc7', false],
    ['staff.*', 'staff.jones', true],
    ['staff.*', 'staffxjones', false],
    ['*', '', true],
    ['?', '', false],
    ['a*b*c', 'abc', true],
    ['a*b*c', 'aXbYcZ', false],
    ['*.local', 'dc1.school.local', true],
    ['guest*', 'Guest42', true],
  ])('%s against %s is %s', (pattern, name, expected) => {
    expect(globMatches(pattern, name)).toBe(expected);
    expect(byRegExp(pattern, name)).toBe(expected);
  });

  it('agrees with the regular expressions it replaces on every short pattern and name', () => {
    const alphabet = ['a', 'B', '*', '?', '.'];
    const all = (len: number): string[] =>
      len === 0 ? [''] : all(len - 1).flatMap((s) => alphabet.map((c) => s + c));
    const patterns = [0, 1, 2, 3, 4].flatMap(all);
    const names = [0, 1, 2, 3, 4].flatMap(all).filter((n) => !/[*?]/.test(n));
    let compared = 0;
    for (const p of patterns) {
      for (const n of names) {
        if (globMatches(p, n) !== byRegExp(p, n)) throw new Error(`"${p}" vs "${n}" disagree`);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(90_000);
  });

  it('answers the pattern that took a regular expression seconds (no match, as it should)', () => {
    const name = 'a'.repeat(40);
    expect(globMatches('*a*a*a*a*a*a*a*ab', name)).toBe(false);
    expect(globMatches('*a*a*a*a*a*a*a*a', name)).toBe(true);
  });
});

describe('pattern limits in the policy', () => {
  const withPatterns = (usernamePattern: string, hostname: string) =>
    parsePolicyYaml(
      MINIMAL_POLICY_YAML.replace('hostnames: ["CLASS-*"]', `hostnames: ["${hostname}"]`).replace(
        'roleMapping:\n  rules:\n',
        `roleMapping:\n  rules:\n    - role: visitor\n      usernamePattern: "${usernamePattern}"\n`,
      ),
    );

  it('accepts usual patterns and the longest and starriest allowed', () => {
    const r = withPatterns('guest*', `${'*x'.repeat(MAX_GLOB_STARS)}`.padEnd(MAX_GLOB_LENGTH, 'y'));
    expect(r.ok ? 'ok' : r.errors).toBe('ok');
  });

  it('refuses a pattern with too many * or too long, saying which and what the limit is', () => {
    const r = withPatterns('*a'.repeat(MAX_GLOB_STARS + 1), 'C'.repeat(MAX_GLOB_LENGTH + 1));
    expect(r.ok).toBe(false);
    const errors = r.ok ? '' : r.errors.join('\n');
    expect(errors).toMatch(
      new RegExp(
        `usernamePattern: has ${MAX_GLOB_STARS + 1} "\\*"; a name pattern can have at most ${MAX_GLOB_STARS}`,
      ),
    );
    expect(errors).toMatch(
      new RegExp(
        `hostnames\\[0\\]: is ${MAX_GLOB_LENGTH + 1} characters long; a name pattern can be at most ${MAX_GLOB_LENGTH}`,
      ),
    );
  });

  it('chooses the profile by hostname pattern, case-insensitively', () => {
    const r = parsePolicyYaml(MINIMAL_POLICY_YAML);
    if (!r.ok) throw new Error(r.errors.join('\n'));
    expect(resolveProfile(r.policy, 'lab-07').id).toBe('lab');
    expect(resolveProfile(r.policy, 'class-3').id).toBe('classroom');
    expect(resolveProfile(r.policy, 'XCLASS-3').id).toBe('lab'); // the default
  });
});
