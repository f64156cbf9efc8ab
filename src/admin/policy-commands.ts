import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { peekBundle, signPolicy, type BundleFormatVersion } from '../core/policy/bundle';
import { isPlaceholderHash } from '../core/unlock/override-verifier';
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
  optionalString,
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
    io.stdout.write(
      `${path} is valid: serial ${p.serial}, ${policyCounts(p)}\n${expiryLine(p)}\n${overrideNote(p)}`,
    );
  },
};

const DAY_MS = 24 * 3600 * 1000;
export const DEFAULT_EXPIRES_DAYS = 30;

/** What `expires` means for this policy, in one line for IT. */
export function expiryLine(p: Policy): string {
  if (p.expires === undefined) {
    return `Expires: not set; sign sets it to ${DEFAULT_EXPIRES_DAYS} days after signing (--expires-days N). After it, terminals keep obeying the policy but report it as stale until a newer one arrives.`;
  }
  const days = Math.round((Date.parse(p.expires) - Date.parse(p.issuedAt)) / DAY_MS);
  return `Expires: ${p.expires} (${days} days after issuedAt). After it, terminals keep obeying this policy but report it as stale until a newer one arrives: publish a new serial before then.`;
}

/** A line when the policy carries the built-in placeholder override hash; empty otherwise. */
function overrideNote(p: Policy): string {
  return isPlaceholderHash(p.override.hash)
    ? 'Override: this policy carries no usable override code (the built-in placeholder). Only terminals whose machine config sets overrideHash have one; set override.hash with classlock-admin override-hash.\n'
    : '';
}

/** The serial inside a bundle file, or undefined when it is not one. */
function serialOf(bytes: Uint8Array): number | undefined {
  const b = peekBundle(bytes);
  try {
    const serial = b ? (JSON.parse(b.payload) as { serial?: unknown }).serial : undefined;
    return typeof serial === 'number' ? serial : undefined;
  } catch {
    return undefined;
  }
}

/** issuedAt feeds every terminal's trusted time floor: a future one would end sanctions early. */
const MAX_FUTURE_ISSUED_MS = 24 * 3600 * 1000;

function bundleFormatOption(value: unknown): BundleFormatVersion {
  if (value === undefined || value === '2') return 2;
  if (value === '1') return 1;
  throw new UsageError(`--format ${String(value)} is not a bundle format (use 1 or 2)`);
}

export const signCommand: Command = {
  name: 'sign',
  summary: 'sign a policy.yaml into policy.json for publishing',
  usage: `classlock-admin sign policy.yaml --key KEY.private.pem --out policy.json [--previous OLD.json] [--id KEYID] [--expires-days N] [--format 1]

Validates the policy, signs it with the private key and writes the bundle terminals
fetch. The key id is taken from the key's file name (KEYID.private.pem) unless --id is
given. With --previous, refuses a serial that is not above the published one; it also
refuses to overwrite --out when that file holds a different bundle with the same or a
higher serial (two policies under one serial are refused by terminals).
The signed policy expires --expires-days after signing (default ${DEFAULT_EXPIRES_DAYS}, or the
policy's own expires when it sets one and the option is not given).
--format 1 writes the older bundle format, for terminals not yet updated to this
version (they read only format 1); this version reads both.`,
  options: {
    'expires-days': { type: 'string' },
    key: { type: 'string' },
    format: { type: 'string' },
    out: { type: 'string' },
    previous: { type: 'string' },
    id: { type: 'string' },
  },
  async run(values, positionals, io) {
    const path = onePositional(positionals, 'policy file');
    const keyPath = requireString(values, 'key');
    const out = requireString(values, 'out');
    const format = bundleFormatOption(values.format);
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
    // Counted from the moment of signing (or issuedAt, if later): a policy whose issuedAt
    // was left unchanged for months must not go out already expired.
    const signedFrom = Math.max(now, Date.parse(policy.issuedAt));
    const daysArg = optionalString(values, 'expires-days');
    if (daysArg !== undefined) {
      const days = Number(daysArg);
      if (!Number.isInteger(days) || days < 1 || days > 3650) {
        throw new UsageError(`--expires-days "${daysArg}" is not a number of days from 1 to 3650`);
      }
      policy.expires = new Date(signedFrom + days * DAY_MS).toISOString();
    } else if (policy.expires === undefined) {
      policy.expires = new Date(signedFrom + DEFAULT_EXPIRES_DAYS * DAY_MS).toISOString();
    }
    if (Date.parse(policy.expires) <= now) {
      throw new InputError(
        `the policy would expire at ${policy.expires}, which is already past: terminals would report it stale at once. Remove expires from the policy file or give --expires-days.`,
      );
    }
    if (typeof values.previous === 'string') {
      const prevSerial = serialOf(await readInput(values.previous, 'the previous bundle'));
      if (prevSerial === undefined) {
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
    const text = signPolicy(policy, key, keyId, { format });
    if (await fileExists(out)) {
      const existing = await readInput(out, 'the existing output');
      const outSerial = serialOf(existing);
      if (
        outSerial !== undefined &&
        outSerial >= policy.serial &&
        !existing.equals(Buffer.from(text))
      ) {
        throw new InputError(
          `${out} already holds a different policy with serial ${outSerial}; terminals refuse a second policy under one serial. Set serial: ${outSerial + 1} in ${path}`,
        );
      }
    }
    await writeFileAtomic(out, text, 0o644);
    io.stdout.write(
      `Signed serial ${policy.serial} with key ${keyId}: ${out} (${Buffer.byteLength(text)} bytes, ${gzipSync(text).length} gzipped)\nExpires ${policy.expires}\n${overrideNote(policy)}`,
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
        `Expires:      ${p.expires ?? 'not set (terminals never report it stale)'}`,
        `Organisation: ${p.organisation.name}`,
        `Contains:     ${policyCounts(p)}`,
        `Size:         ${v.bytes.length} bytes, ${gzipSync(v.bytes).length} gzipped`,
        '',
      ].join('\n'),
    );
  },
};
