import { createHash } from 'node:crypto';
import type { UserIdentity } from '../identity/user';

/**
 * File name for a user's records in the machine-wide folder. Hashing keeps names safe on
 * every file system (no backslashes, no reserved names) and the same for every form the
 * OS reports (jsmith, SCHOOL\jsmith, jsmith@school.local).
 */
export function userFileKey(user: UserIdentity): string {
  return createHash('sha256').update(user.name, 'utf8').digest('hex').slice(0, 32);
}
