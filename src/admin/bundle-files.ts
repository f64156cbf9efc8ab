import { keyIdFromFileName, toPublicKey } from '../core/policy/keys';
import { peekBundle, verifyBundle, type VerifiedBundle } from '../core/policy/bundle';
import { InputError, readInput } from './cli-support';

/** Read and verify policy.json against one public key file, as a terminal would. */
export async function loadVerifiedBundle(
  bundlePath: string,
  pubPath: string,
): Promise<VerifiedBundle & { bytes: Buffer }> {
  const bytes = await readInput(bundlePath, 'the policy bundle');
  const pem = (await readInput(pubPath, 'the public key')).toString('utf8');
  try {
    toPublicKey(pem);
  } catch (err) {
    throw new InputError(`${pubPath} ${(err as Error).message}`);
  }
  // Trust the key under the id its file name carries; a bundle signed with another
  // key id is then reported as such instead of as a bad signature.
  const keyId = keyIdFromFileName(pubPath) ?? peekBundle(bytes)?.keyId ?? 'unnamed';
  const v = verifyBundle(bytes, new Map([[keyId, pem]]), { maxBytes: 100 * 1024 * 1024 });
  if (!v.ok) throw new InputError(`${bundlePath}: ${v.message}`);
  return { ...v, bytes };
}
