import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Salted scrypt hashes as one self-describing string, `scrypt$N$r$p$salt$hash`, so the
 * cost can be raised later without breaking stored PINs or the policy's override hash.
 */
function scrypt(
  secret: string,
  salt: Buffer,
  keylen: number,
  opts: ScryptOptions,
): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCb(secret.normalize('NFC'), salt, keylen, opts, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

export const DEFAULT_SCRYPT = { N: 16384, r: 8, p: 1 } as const;

export async function hashSecret(
  secret: string,
  params: { N: number; r: number; p: number } = DEFAULT_SCRYPT,
): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(secret, salt, 64, { ...params, maxmem: 256 * params.N * params.r });
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export class MalformedHashError extends Error {}

export async function verifySecret(secret: string, encoded: string): Promise<boolean> {
  const parts = encoded.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt')
    throw new MalformedHashError('not a scrypt$N$r$p$salt$hash string');
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  // Bound the cost a hostile hash could demand before spending memory on it.
  if (
    ![N, r, p].every(Number.isInteger) ||
    N < 2 ||
    N > 2 ** 20 ||
    (N & (N - 1)) !== 0 ||
    r < 1 ||
    r > 32 ||
    p < 1 ||
    p > 16
  ) {
    throw new MalformedHashError('scrypt parameters out of range');
  }
  const salt = Buffer.from(parts[4]!, 'base64');
  const expected = Buffer.from(parts[5]!, 'base64');
  if (salt.length < 8 || expected.length < 16)
    throw new MalformedHashError('scrypt salt or hash too short');
  const key = await scrypt(secret, salt, expected.length, { N, r, p, maxmem: 256 * N * r });
  return timingSafeEqual(key, expected);
}
