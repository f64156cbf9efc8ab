import { createHash, randomBytes } from 'node:crypto';

/** A new secret for a person to copy (enrolment secret, API token): 32 random bytes, URL-safe. */
export function newSecret(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

/**
 * Tokens and session ids are 256 random bits, so a plain SHA-256 is enough to keep them
 * useless to someone who reads the database; a slow hash would only slow every request.
 */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
