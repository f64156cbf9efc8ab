import { MalformedHashError, verifySecret } from './scrypt-hash';
import type { Verifier, VerifyResult } from './verifier';

/** The IT override code, checked against the hash in the signed policy. Every use is audited by the session. */
export class OverrideVerifier implements Verifier {
  readonly method = 'override' as const;
  constructor(private readonly hash: () => string) {}

  async verify(account: string, secret: string): Promise<VerifyResult> {
    try {
      if (await verifySecret(secret, this.hash())) return { ok: true, method: 'override', account };
    } catch (err) {
      if (err instanceof MalformedHashError)
        return {
          ok: false,
          method: 'override',
          kind: 'unavailable',
          detail: `the policy's override hash is unusable (${err.message})`,
        };
      throw err;
    }
    return {
      ok: false,
      method: 'override',
      kind: 'wrong',
      detail: 'the override code does not match',
    };
  }
}
