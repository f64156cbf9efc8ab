import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { HUB_SIGNATURE_WINDOW_MS, signedText } from '../../shared/hub-protocol';

export interface SignedHeaders {
  terminal: string;
  time: string;
  nonce: string;
  signature: string;
}

export type SignatureCheck = { ok: true } | { ok: false; problem: string };

const NONCE = /^[A-Za-z0-9_-]{16,64}$/;

/** Parsed keys by PEM: parsing costs more than verifying. The PEM still comes from the
 * database on every request, so a revoked or re-enrolled terminal is seen at once. */
const keys = new Map<string, KeyObject>();
function keyOf(pem: string): KeyObject {
  let k = keys.get(pem);
  if (!k) {
    k = createPublicKey(pem);
    if (keys.size >= 50_000) keys.clear();
    keys.set(pem, k);
  }
  return k;
}

/**
 * Checks one request's signature against a terminal's public key, and that its time is
 * inside the window. Whether the nonce was seen before is the caller's (database's) job.
 */
export function checkSignature(
  publicKeyPem: string,
  method: string,
  path: string,
  body: Buffer,
  h: SignedHeaders,
  now: number,
): SignatureCheck {
  const t = Date.parse(h.time);
  if (!Number.isFinite(t)) return { ok: false, problem: 'the request has no readable time' };
  if (Math.abs(t - now) > HUB_SIGNATURE_WINDOW_MS)
    return {
      ok: false,
      problem:
        "the request's time is more than 5 minutes from the hub's clock (check the terminal's clock)",
    };
  if (!NONCE.test(h.nonce)) return { ok: false, problem: 'the request has no usable nonce' };
  const bodyHash = createHash('sha256').update(body).digest('hex');
  let good: boolean;
  try {
    const key = keyOf(publicKeyPem);
    if (key.asymmetricKeyType !== 'ed25519')
      return { ok: false, problem: 'the key is not Ed25519' };
    good = verify(
      null,
      Buffer.from(signedText(method, path, h.time, h.nonce, bodyHash)),
      key,
      Buffer.from(h.signature, 'base64'),
    );
  } catch {
    good = false;
  }
  return good
    ? { ok: true }
    : { ok: false, problem: 'the signature does not match the terminal key' };
}
