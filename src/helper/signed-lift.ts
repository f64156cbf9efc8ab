import type { CommandRunner } from '../core/enforcement/enforcer';
import { parseUser } from '../core/identity/user';
import {
  DEFAULT_MAX_POLICY_BYTES,
  verifyBundle,
  type TrustedKeys,
  type VerifyBundleResult,
} from '../core/policy/bundle';
import type { Policy } from '../core/policy/schema';
import { sanctionStatus, type ActiveRestriction } from '../core/sanctions/evaluate';
import type { AcceptedSerial } from './accepted-serial';

/**
 * Check a signed policy handed to classlock-netd. It proves nothing about who sent it (any
 * pupil can fetch the published policy), only what IT signed, so it is accepted only if it
 * is signed by a key the machine config trusts and is not older than any policy the helper
 * has already seen. Its serial then becomes the floor for every later one.
 */
export async function acceptBundle(
  text: string,
  keys: TrustedKeys,
  serials: AcceptedSerial,
): Promise<VerifyBundleResult> {
  if (keys.size === 0) {
    return {
      ok: false,
      code: 'untrusted-key',
      message:
        'classlock-netd trusts no policy signing key (trustedKeys in /etc/classlock/config.json is missing or unusable)',
    };
  }
  const result = verifyBundle(Buffer.from(text, 'utf8'), keys, {
    minSerial: serials.highest,
    maxBytes: DEFAULT_MAX_POLICY_BYTES,
  });
  if (result.ok) await serials.raise(result.serial);
  return result;
}

/** The account name of a uid, as the system's user database (files, SSSD, winbind) says. */
export async function userNameOf(uid: number, runner: CommandRunner): Promise<string | undefined> {
  const res = await runner.run('id', ['-nu', String(uid)]);
  const name = res.stdout.trim();
  return res.code === 0 && name !== '' && !/\s/.test(name) ? name : undefined;
}

/**
 * The internet restriction the signed policy still places on a local account at `at`, or
 * null. Read strictly: Linux usually reports a bare name, and a bare name is taken to be
 * every domain's account of that name, so a sanction written as SCHOOL\jsmith still keeps
 * the local jsmith restricted. Erring this way only delays a lift until logoff.
 */
export function internetRestriction(
  policy: Pick<Policy, 'sanctions' | 'timeZone'>,
  userName: string,
  at: number,
): ActiveRestriction | null {
  const user = parseUser(userName);
  const sanctions =
    user.domain === undefined
      ? policy.sanctions.map((s) => ({ ...s, user: parseUser(s.user).name }))
      : policy.sanctions;
  return sanctionStatus({ sanctions, timeZone: policy.timeZone }, user, at).internet;
}
