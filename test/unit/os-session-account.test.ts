import { describe, expect, it } from 'vitest';
import { sessionAccount } from '../../src/main/os/session-account';

describe('the account a session belongs to', () => {
  it('is DOMAIN\\user on Windows and the login name elsewhere', () => {
    expect(sessionAccount('win32', { USERDOMAIN: 'SCHOOL', USERNAME: 'jsmith' }, 'x')).toBe(
      'SCHOOL\\jsmith',
    );
    expect(sessionAccount('win32', { USERNAME: 'jsmith' }, 'x')).toBe('jsmith');
    expect(sessionAccount('linux', { USERNAME: 'ignored' }, 'jsmith')).toBe('jsmith');
  });
});
