import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { peekBundle, signPolicy } from '../core/policy/bundle';
import { keyIdFromFileName, KEY_ID_PATTERN, toPrivateKey } from '../core/policy/keys';
import { parsePolicyYaml } from '../core/policy/policy-yaml';
import type { Policy } from '../core/policy/schema';
import { writeFileAtomic } from '../core/storage/atomic-file';
import { loadVerifiedBundle } from './bundle-files';
import {
  InputError,
  onePositional,
  readInput,
  requireString,
  UsageError,
  type CliIo,
  type Command,
  nowOf,
  fileExists,
} from './cli-support';
import { MINIMAL_POLICY_YAML } from './minimal-policy';

/** The package's resources/ folder: two levels up from src/admin/ and from dist/admin/. */
export function packageResourcesDir(): string {
  return fileURLToPath(new URL('../../resources/', import.meta.url));
}

/** Read and validate a policy.yaml, or fail with every problem listed. */
export async function loadPolicyYaml(path: string): Promise<Policy> {
  const text = (await readInput(path, 'the policy')).toString('utf8');
  const r = parsePolicyYaml(text, path);
  if (!r.ok) throw new InputError(`${path} is not a valid policy:\n  ${r.errors.join('\n  ')}`);
  return r.policy;
}

export function policyCounts(p: Policy): string {
  const n = (count: number, one: string, many = `${one}s`) =>
    `${count} ${count === 1 ? one : many}`;
  return [
    n(p.roleMapping.rules.length, 'role rule'),
    n(p.agreements.length, 'agreement'),
    n(p.rules.length, 'rule set'),
    n(p.profiles.length, 'profile'),
    n(p.sanctions.length, 'sanction'),
    n(p.notices.length, 'notice'),
  ].join(', ');
}

export const initCommand: Command = {
  name: 'init',
  summary: 'write an example policy.yaml to start from',
  usage: `classlock-admin init --out policy.yaml [--force]

Writes a complete example policy (agreements, rules, profiles, timeouts, unlock,
sanction settings) to edit. Refuses to overwrite a file unless --force is given.`,
  options: { out: { type: 'string' }, force: { type: 'boolean' } },
  async run(values, _pos, io: CliIo & Required<Pick<CliIo, 'stdout'>>) {
    const out = requireString(values, 'out');
    if (!values.force && (await fileExists(out))) {
      throw new InputError(`${out} already exists; pass --force to overwrite it`);
    }
    const example = join(io.resourcesDir ?? packageResourcesDir(), 'default-policy.yaml');
    const text = (await fileExists(example))
      ? (await readInput(example, 'the example policy')).toString('utf8')
      : MINIMAL_POLICY_YAML;
    await writeFileAtomic(out, text, 0o644);
    io.stdout.write(
      `Wrote ${out}. Next:\n  1. set your organisation, groups and contacts\n  2. classlock-admin override-hash  (set override.hash)\n  3. classlock-admin validate ${out}\n`,
    );
  },
};

export const validateCommand: Command = {
  name: 'validate',
  summary: 'check a policy.yaml and list every problem with its line',
  usage: `classlock-admin validate policy.yaml

Exit code 0 when the policy is valid, 1 with every problem listed otherwise.`,
  options: {},
  async run(_values, positionals, io) {
    const path = onePositional(positionals, 'policy file');
    const p = await loadPolicyYaml(path);
    io.stdout.write(`${path} is valid: serial ${p.serial}, ${policyCounts(p)}\n`);
  },
};

/** issuedAt feeds every terminal's trusted time floor: a future one would end sanctions early. */
const MAX_FUTURE_ISSUED_MS = 24 * 3600 * 1000;

export const signCommand: Command = {
  name: 'sign',
  summary: 'sign a policy.yaml into policy.json for publishing',
  usage: `classlock-admin sign policy.yaml --key KEY.private.pem --out policy.json [--previous OLD.json] [--id KEYID]

Validates the policy, signs it with the private key and writes the bundle terminals
fetch. The key id is taken from the key's file name (KEYID.private.pem) unless --id is
given. With --previous, refuses a serial that is not above the published one.`,
  options: {
    key: { type: 'string' },
    out: { type: 'string' },
    previous: { type: 'string' },
    id: { type: 'string' },
  },
  async run(values, positionals, io) {
    const path = onePositional(positionals, 'policy file');
    const keyPath = requireString(values, 'key');
    const out = requireString(values, 'out');
    const keyId = typeof values.id === 'string' ? values.id : keyIdFromFileName(keyPath);
    if (!keyId) {
      throw new UsageError(
        `cannot tell the key id from the file name ${keyPath}; pass --id KEYID (the id the terminals trust it under)`,
      );
    }
    if (!KEY_ID_PATTERN.test(keyId)) throw new UsageError(`--id "${keyId}" is not a usable key id`);
    const policy = await loadPolicyYaml(path);
    const now = nowOf(io);
    if (Date.parse(policy.issuedAt) > now + MAX_FUTURE_ISSUED_MS) {
      throw new InputError(
        `issuedAt ${policy.issuedAt} is in the future; terminals take it as the time, which would end sanctions early. Set it to now.`,
      );
    }
    if (typeof values.previous === 'string') {
      const prev = peekBundle(await readInput(values.previous, 'the previous bundle'));
      let prevSerial: unknown;
      try {
        prevSerial = prev ? (JSON.parse(prev.payload) as { serial?: unknown }).serial : undefined;
      } catch {
        prevSerial = undefined;
      }
      if (typeof prevSerial !== 'number') {
        throw new InputError(`${values.previous} is not a signed policy bundle`);
      }
      if (policy.serial <= prevSerial) {
        throw new InputError(
          `serial ${policy.serial} is not above the published policy's serial ${prevSerial}; set serial: ${prevSerial + 1} in ${path}`,
        );
      }
    }
    let key;
    try {
      key = toPrivateKey((await readInput(keyPath, 'the private key')).toString('utf8'));
    } catch (err) {
      if (err instanceof InputError) throw err;
      throw new InputError(`${keyPath} ${(err as Error).message}`);
    }
    const text = signPolicy(policy, key, keyId);
    await writeFileAtomic(out, text, 0o644);
    io.stdout.write(
      `Signed serial ${policy.serial} with key ${keyId}: ${out} (${Buffer.byteLength(text)} bytes, ${gzipSync(text).length} gzipped)\n`,
    );
  },
};

export const verifyCommand: Command = {
  name: 'verify',
  summary: 'check a signed policy.json as a terminal would',
  usage: `classlock-admin verify policy.json --pub KEYID.public.pem

Checks the signature and the policy and prints serial, key id, issuedAt and counts.`,
  options: { pub: { type: 'string' } },
  async run(values, positionals, io) {
    const path = onePositional(positionals, 'policy bundle');
    const v = await loadVerifiedBundle(path, requireString(values, 'pub'));
    const p = v.policy;
    io.stdout.write(
      [
        `Signature:    good (key ${v.keyId})`,
        `Serial:       ${v.serial}`,
        `Issued at:    ${p.issuedAt}`,
        `Organisation: ${p.organisation.name}`,
        `Contains:     ${policyCounts(p)}`,
        `Size:         ${v.bytes.length} bytes, ${gzipSync(v.bytes).length} gzipped`,
        '',
      ].join('\n'),
    );
  },
};
