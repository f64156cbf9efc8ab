import { describe, expect, it } from 'vitest';
import { parseUser, sameUser } from '../../src/core/identity/user';
import { resolveRole } from '../../src/core/identity/roles';
import { parseWhoamiGroupsCsv, groupMatches, WindowsGroups } from '../../src/core/identity/groups';

describe('a user in every form the OS reports', () => {
  it.each([
    ['jsmith', 'jsmith', undefined],
    ['SCHOOL\\JSmith', 'jsmith', 'school'],
    ['JSmith@school.local', 'jsmith', 'school.local'],
  ])('%s is user %s in domain %s', (raw, name, domain) => {
    const u = parseUser(raw);
    expect(u.name).toBe(name);
    expect(u.domain).toBe(domain);
  });

  it('a bare name in the policy applies in every domain', () => {
    expect(sameUser('jsmith', parseUser('SCHOOL\\jsmith'))).toBe(true);
    expect(sameUser('jsmith', parseUser('jsmith@other.org'))).toBe(true);
  });

  it('a name with a domain applies only in that domain, NetBIOS and DNS forms alike', () => {
    expect(sameUser('SCHOOL\\jsmith', parseUser('jsmith@school.local'))).toBe(true);
    expect(sameUser('SCHOOL\\jsmith', parseUser('OTHER\\jsmith'))).toBe(false);
    expect(sameUser('SCHOOL\\jsmith', parseUser('jsmith'))).toBe(false);
    expect(sameUser('SCHOOL\\jsmith', parseUser('SCHOOL\\jsmithe'))).toBe(false);
    // Domains compare on their whole first label, not on its first letter.
    expect(sameUser('SALES\\jsmith', parseUser('jsmith@school.local'))).toBe(false);
  });

  it('ignores spaces around a name, and a leading \\ or @ is part of a bare name', () => {
    expect(parseUser('  SCHOOL\\jsmith  ')).toMatchObject({ name: 'jsmith', domain: 'school' });
    expect(parseUser('\\jsmith')).toMatchObject({ name: '\\jsmith', domain: undefined });
    expect(parseUser('@jsmith')).toMatchObject({ name: '@jsmith', domain: undefined });
  });
});

describe('a role rule listing several users or groups', () => {
  const policy = {
    roleMapping: {
      rules: [
        { role: 'staff' as const, users: ['mrs.jones', 'SCHOOL\\mr.patel'] },
        { role: 'visitor' as const, groups: ['Governors', 'Guests'] },
      ],
      default: 'pupil' as const,
    },
  };
  it('matches any one of them, not only someone who is all of them', () => {
    expect(resolveRole(policy, parseUser('SCHOOL\\mr.patel'), []).role).toBe('staff');
    expect(resolveRole(policy, parseUser('mrs.jones'), []).role).toBe('staff');
    expect(resolveRole(policy, parseUser('visitor1'), ['Guests']).role).toBe('visitor');
    expect(resolveRole(policy, parseUser('visitor1'), ['Pupils'])).toEqual({
      role: 'pupil',
      ruleIndex: -1,
    });
  });
});

describe('role mapping', () => {
  const policy = {
    roleMapping: {
      rules: [
        { role: 'staff' as const, groups: ['Teaching Staff'] },
        { role: 'visitor' as const, usernamePattern: 'guest*' },
        { role: 'staff' as const, users: ['SCHOOL\\itadmin'] },
      ],
      default: 'pupil' as const,
    },
  };

  it('a member of a staff group is staff, whatever the case or domain prefix', () => {
    expect(resolveRole(policy, parseUser('mrsjones'), ['SCHOOL\\teaching staff']).role).toBe(
      'staff',
    );
  });
  it('a guest account is a visitor', () => {
    expect(resolveRole(policy, parseUser('Guest07'), []).role).toBe('visitor');
  });
  it('a listed user is matched in UPN form', () => {
    expect(resolveRole(policy, parseUser('itadmin@school.local'), []).role).toBe('staff');
  });
  it('anyone else is a pupil', () => {
    expect(resolveRole(policy, parseUser('y7.student'), ['Domain Users'])).toEqual({
      role: 'pupil',
      ruleIndex: -1,
    });
  });
});

describe('Windows group lists', () => {
  it('reads group names from whoami /groups CSV output', () => {
    const csv =
      '"Everyone","Well-known group","S-1-1-0","Mandatory group"\r\n"SCHOOL\\Teaching Staff","Group","S-1-5-21-1","Mandatory group"\r\n';
    const groups = parseWhoamiGroupsCsv(csv);
    expect(groups).toEqual(['Everyone', 'SCHOOL\\Teaching Staff']);
    expect(groupMatches('Teaching Staff', groups[1]!)).toBe(true);
    expect(groupMatches('OTHER\\Teaching Staff', groups[1]!)).toBe(false);
  });

  it("never answers with the signed-in pupil's groups when asked about a teacher", async () => {
    // whoami only knows the user running it: asked about anyone else it must refuse, so a
    // teacher unlocking a pupil's lock is not judged by the pupil's groups (nor the reverse).
    const source = new WindowsGroups('SCHOOL\\y7.pupil');
    await expect(source.groupsOf('mrs.jones')).rejects.toThrow(/only for the signed-in user/);
    await expect(source.groupsOf('SCHOOL\\mrs.jones')).rejects.toThrow(/mrs\.jones/);
  });
});
