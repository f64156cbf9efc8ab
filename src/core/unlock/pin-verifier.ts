import { parseUser } from '../identity/user';
import { RoleSchema } from '../policy/schema';
import type { PinStore } from './pin-store';
import { MalformedHashError, verifySecret } from './scrypt-hash';
import type { Verifier, VerifyResult } from './verifier';

export class PinVerifier implements Verifier {
  readonly method = 'pin' as const;
  constructor(
    private readonly store: PinStore,
    /** PINs set on the school's PCs (the hub's synced hashes), so they work here too, offline. */
    private readonly schoolPin?: (
      account: string,
    ) => { hash: string; role: string; setAt: string } | undefined,
  ) {}

  async verify(account: string, secret: string): Promise<VerifyResult> {
    let rec: { user: string; hash: string } | undefined;
    try {
      const local = await this.store.get(parseUser(account));
      const shared = this.schoolPin?.(account);
      // The newest enrolment wins, as at the hub: a PIN set again on another PC replaces this one.
      rec =
        shared && (!local || Date.parse(shared.setAt) > Date.parse(local.setAt))
          ? { user: local?.user ?? account, hash: shared.hash }
          : local;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EACCES' && code !== 'EPERM') throw err;
      return {
        ok: false,
        method: 'pin',
        kind: 'unavailable',
        detail: `${account}'s PIN can only be checked in their own session; use the school password or the IT override here`,
      };
    }
    if (!rec)
      return {
        ok: false,
        method: 'pin',
        kind: 'unavailable',
        detail: `no unlock PIN is set for ${account} on this computer`,
      };
    try {
      if (await verifySecret(secret, rec.hash))
        return { ok: true, method: 'pin', account: rec.user };
    } catch (err) {
      if (err instanceof MalformedHashError)
        return {
          ok: false,
          method: 'pin',
          kind: 'unavailable',
          detail: `the stored PIN for ${account} is damaged (${err.message})`,
        };
      throw err;
    }
    return { ok: false, method: 'pin', kind: 'wrong', detail: 'the PIN does not match' };
  }

  /** Who enrolled, and as which role: a staff PIN may end or authorise other sessions. */
  async roleOf(account: string) {
    const local = (await this.store.get(parseUser(account)).catch(() => undefined))?.role;
    return local ?? RoleSchema.safeParse(this.schoolPin?.(account)?.role).data;
  }
}
