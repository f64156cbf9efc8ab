import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../../core/storage/atomic-file';

export interface MachineKey {
  privateKey: KeyObject;
  publicKeyPem: string;
}

/**
 * The terminal's Ed25519 identity at the hub, made once at first start. Root-only (0600 in
 * a 0700 folder): a pupil who could read it could post events and ask questions as the PC.
 */
export async function loadOrCreateMachineKey(file: string): Promise<MachineKey> {
  let pem: string | undefined;
  try {
    pem = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (pem === undefined) {
    const { privateKey } = generateKeyPairSync('ed25519');
    pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await writeFileAtomic(file, pem, 0o600);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch {
    throw new Error(
      `The hub machine key ${file} is damaged: delete it and the service will enrol again with a new one.`,
    );
  }
  if (privateKey.asymmetricKeyType !== 'ed25519')
    throw new Error(`The hub machine key ${file} is not an Ed25519 key.`);
  const publicKeyPem = createPublicKey(privateKey)
    .export({ type: 'spki', format: 'pem' })
    .toString();
  return { privateKey, publicKeyPem };
}
