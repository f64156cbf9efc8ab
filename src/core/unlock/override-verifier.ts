import { MalformedHashError, verifySecret } from './scrypt-hash';
import type { Verifier, VerifyResult } from './verifier';

/**
 * The override hash of the built-in fallback policy. It was not made from any code: the
 * "hash" is 64 zero bytes. A code that matched it would be an scrypt preimage of all
 * zeros, which nobody can find, so a terminal that falls back to the built-in policy has
 * no override anyone could know from reading the source. The real code's hash comes from
 * the machine config (overrideHash) or from IT's signed policy.
 */
export const NO_OVERRIDE_HASH = `scrypt$16384$8$1$${Buffer.from('no-override-code').toString('base64')}$${Buffer.alloc(64).toString('base64')}`;

/** A hash whose key part is all zeros: a placeholder, never a code's hash. */
export function isPlaceholderHash(hash: string): boolean {
  const key = hash.split('$')[5];
  if (key === undefined) return false;
  const bytes = Buffer.from(key, 'base64');
  return bytes.length > 0 && bytes.every((b) => b === 0);
}

/** The IT override code, checked against the machine's or the signed policy's hash. Every use is audited by the session. */
export class OverrideVerifier implements Verifier {
  readonly method = 'override' as const;
  constructor(private readonly hash: () => string) {}

  async verify(account: string, secret: string): Promise<VerifyResult> {
    const hash = this.hash();
    if (isPlaceholderHash(hash)) {
      return {
        ok: false,
        method: 'override',
        kind: 'unavailable',
        detail:
          'no IT override code is set on this computer (set overrideHash in the machine config, or override.hash in the signed policy)',
      };
    }
    try {
      if (await verifySecret(secret, hash)) return { ok: true, method: 'override', account };
    } catch (err) {
      if (err instanceof MalformedHashError)
        return {
          ok: false,
          method: 'override',
          kind: 'unavailable',
          detail: `the override hash is unusable (${err.message})`,
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
