import { mkdir, writeFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import {
  generateSigningKeyPair,
  KEY_ID_PATTERN,
  privateKeyFileName,
  publicKeyFileName,
} from '../core/policy/keys';
import {
  InputError,
  requireString,
  UsageError,
  type Command,
  nowOf,
  fileExists,
} from './cli-support';

export const keygenCommand: Command = {
  name: 'keygen',
  summary: 'make an Ed25519 signing key pair',
  usage: `classlock-admin keygen --out DIR [--id KEYID]

Writes DIR/KEYID.private.pem (readable only by you: keep it off the terminals and
the web server) and DIR/KEYID.public.pem (install it on every terminal as a trusted
key under the id KEYID). KEYID defaults to school-YYYYMMDD.`,
  options: { out: { type: 'string' }, id: { type: 'string' } },
  async run(values, _pos, io) {
    const out = requireString(values, 'out');
    const now = nowOf(io);
    const id =
      typeof values.id === 'string'
        ? values.id
        : `school-${new Date(now).toISOString().slice(0, 10).replace(/-/g, '')}`;
    if (!KEY_ID_PATTERN.test(id)) {
      throw new UsageError(`--id "${id}" may use only letters, digits, dot, dash and underscore`);
    }
    const priv = join(out, privateKeyFileName(id));
    const pub = join(out, publicKeyFileName(id));
    for (const p of [priv, pub]) {
      if (await fileExists(p)) throw new InputError(`${p} already exists; choose another --id`);
    }
    await mkdir(out, { recursive: true });
    const pair = generateSigningKeyPair();
    await writeFile(priv, pair.privatePem, { mode: 0o600, flag: 'wx' });
    await chmod(priv, 0o600); // the umask cannot widen it, but an inherited ACL might
    await writeFile(pub, pair.publicPem, { mode: 0o644, flag: 'wx' });
    const body = pair.publicPem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
    io.stdout.write(
      `Key id:      ${id}\nPrivate key: ${priv} (mode 0600)\nPublic key:  ${pub}\n\n` +
        `For the machine config (config.json):\n  "trustedKeys": { "${id}": ${JSON.stringify(pair.publicPem)} }\n` +
        `For Group Policy: HKLM\\SOFTWARE\\Policies\\Classlock\\TrustedKeys, string value "${id}" = ${body}\n`,
    );
  },
};
