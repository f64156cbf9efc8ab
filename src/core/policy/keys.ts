import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { basename } from 'node:path';

/** Key ids appear in file names, bundles and registry value names: keep them plain. */
export const KEY_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export interface KeyPairPem {
  privatePem: string;
  publicPem: string;
}

export function generateSigningKeyPair(): KeyPairPem {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** keygen writes `<id>.private.pem` and `<id>.public.pem`; the id travels in the name. */
export function privateKeyFileName(keyId: string): string {
  return `${keyId}.private.pem`;
}
export function publicKeyFileName(keyId: string): string {
  return `${keyId}.public.pem`;
}

/** The key id a key file carries in its name, if it follows keygen's naming. */
export function keyIdFromFileName(path: string): string | undefined {
  const m = /^(.+?)\.(private|public)\.pem$/.exec(basename(path));
  return m?.[1] && KEY_ID_PATTERN.test(m[1]) ? m[1] : undefined;
}

/**
 * Accept a PEM (SPKI) public key, or its base64 body alone on one line — the form a Group
 * Policy string value can hold. Throws with words IT understands.
 */
export function toPublicKey(key: KeyObject | string): KeyObject {
  if (typeof key !== 'string') {
    if (key.type !== 'public' || key.asymmetricKeyType !== 'ed25519')
      throw new Error('is not an Ed25519 public key');
    return key;
  }
  const text = key.includes('-----BEGIN')
    ? key
    : `-----BEGIN PUBLIC KEY-----\n${key.replace(/\s+/g, '')}\n-----END PUBLIC KEY-----\n`;
  let k: KeyObject;
  try {
    k = createPublicKey({ key: text, format: 'pem' });
  } catch {
    throw new Error('is not a readable public key (expected a PEM "BEGIN PUBLIC KEY" block)');
  }
  if (k.asymmetricKeyType !== 'ed25519') {
    throw new Error(`is a ${k.asymmetricKeyType ?? 'unknown'} key, not Ed25519`);
  }
  return k;
}

export function toPrivateKey(key: KeyObject | string): KeyObject {
  let k: KeyObject;
  try {
    k = typeof key === 'string' ? createPrivateKey({ key, format: 'pem' }) : key;
  } catch {
    throw new Error('is not a readable private key (expected a PEM "BEGIN PRIVATE KEY" block)');
  }
  if (k.type !== 'private' || k.asymmetricKeyType !== 'ed25519') {
    throw new Error('is not an Ed25519 private key');
  }
  return k;
}
