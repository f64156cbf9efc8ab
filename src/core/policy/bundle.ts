import { sign, verify, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { jsonDepthExceeds } from './json-depth';
import { KEY_ID_PATTERN, toPrivateKey, toPublicKey } from './keys';
import { validatePolicyData } from './policy-yaml';
import type { Policy } from './schema';

export const BUNDLE_FORMAT = 'classlock-policy/1';
export const DEFAULT_MAX_POLICY_BYTES = 5 * 1024 * 1024;
/** A real policy nests about six levels deep; anything near this is an attack or a mistake. */
export const MAX_JSON_DEPTH = 64;

/**
 * The signed bundle. The payload is the policy's JSON text itself, not base64: the bytes
 * signed are exactly the bytes carried, and JSON text gzips several times better than
 * base64 on the wire.
 */
export const BundleSchema = z.strictObject({
  format: z.literal(BUNDLE_FORMAT),
  keyId: z.string().regex(KEY_ID_PATTERN, 'is not a key id'),
  payload: z.string().min(1),
  signature: z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/, 'is not base64'),
});
export type PolicyBundle = z.infer<typeof BundleSchema>;

export type BundleFailureCode =
  | 'too-large'
  | 'not-json'
  | 'too-deep'
  | 'unknown-format'
  | 'bad-envelope'
  | 'untrusted-key'
  | 'bad-signature'
  | 'payload-not-json'
  | 'schema'
  | 'serial-rollback';

export type VerifiedBundle = {
  ok: true;
  policy: Policy;
  serial: number;
  keyId: string;
  /** The payload's issuedAt, epoch milliseconds. */
  issuedAt: number;
};
export type BundleFailure = { ok: false; code: BundleFailureCode; message: string };
export type VerifyBundleResult = VerifiedBundle | BundleFailure;

export interface VerifyBundleOptions {
  /** The serial of the bundle already in force; an older one is refused (rollback). */
  minSerial?: number;
  maxBytes?: number;
}

export type TrustedKeys = ReadonlyMap<string, KeyObject | string>;

/** Sign a validated policy with an Ed25519 private key; returns the bundle file's text. */
export function signPolicy(policy: Policy, privateKey: KeyObject | string, keyId: string): string {
  if (!KEY_ID_PATTERN.test(keyId)) {
    throw new Error(`"${keyId}" is not a usable key id (letters, digits, dot, dash, underscore)`);
  }
  const payload = JSON.stringify(policy);
  const signature = sign(null, Buffer.from(payload, 'utf8'), toPrivateKey(privateKey));
  const bundle: PolicyBundle = {
    format: BUNDLE_FORMAT,
    keyId,
    payload,
    signature: signature.toString('base64'),
  };
  return `${JSON.stringify(bundle, null, 2)}\n`;
}

function fail(code: BundleFailureCode, message: string): BundleFailure {
  return { ok: false, code, message };
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KB`;
  return `${n} bytes`;
}

/**
 * Check a bundle exactly as a terminal must before obeying it, cheapest and most
 * hostile-input-proof checks first. Never throws: every failure comes back with a code
 * and a sentence for the tray status and the audit log.
 */
export function verifyBundle(
  bytes: Uint8Array,
  trusted: TrustedKeys,
  opts: VerifyBundleOptions = {},
): VerifyBundleResult {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_POLICY_BYTES;
  if (bytes.byteLength > maxBytes) {
    return fail(
      'too-large',
      `the policy file is ${formatBytes(bytes.byteLength)}, over the limit of ${formatBytes(maxBytes)}`,
    );
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return fail('not-json', 'the policy file is not text (not valid UTF-8); is it the right file?');
  }
  if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) {
    return fail('too-deep', `the policy file is nested more than ${MAX_JSON_DEPTH} levels deep`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    const start = text.trimStart().slice(0, 30).replace(/\s+/g, ' ');
    return fail(
      'not-json',
      `the policy file is not a signed policy (not JSON; it starts "${start}")`,
    );
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return fail('bad-envelope', 'the policy file is JSON but not a signed policy bundle');
  }
  const format = (raw as { format?: unknown }).format;
  if (format !== BUNDLE_FORMAT) {
    return fail(
      'unknown-format',
      format === undefined
        ? `the policy file has no "format" (expected ${BUNDLE_FORMAT}); was it signed with classlock-admin sign?`
        : `the policy file's format "${String(format)}" is not one this terminal reads (${BUNDLE_FORMAT}); update Classlock or sign with a matching classlock-admin`,
    );
  }
  const env = BundleSchema.safeParse(raw);
  if (!env.success) {
    const what = env.error.issues.map((i) => `${i.path.join('.') || 'bundle'}: ${i.message}`);
    return fail('bad-envelope', `the policy bundle is damaged (${what.join('; ')})`);
  }
  const { keyId, payload, signature } = env.data;
  const key = trusted.get(keyId);
  if (key === undefined) {
    const known = [...trusted.keys()];
    return fail(
      'untrusted-key',
      `signed with key ${keyId}, which this terminal does not trust (trusted: ${known.length ? known.join(', ') : 'none'})`,
    );
  }
  let publicKey: KeyObject;
  try {
    publicKey = toPublicKey(key);
  } catch (err) {
    return fail('untrusted-key', `the trusted key ${keyId} ${(err as Error).message}`);
  }
  const sig = Buffer.from(signature, 'base64');
  if (sig.length !== 64 || !verify(null, Buffer.from(payload, 'utf8'), publicKey, sig)) {
    return fail('bad-signature', `signature does not match key ${keyId}`);
  }
  // Signed, so written by IT's tool; the payload is still bounded before parsing.
  if (jsonDepthExceeds(payload, MAX_JSON_DEPTH)) {
    return fail('too-deep', `the signed policy is nested more than ${MAX_JSON_DEPTH} levels deep`);
  }
  let data: unknown;
  try {
    data = JSON.parse(payload);
  } catch {
    return fail('payload-not-json', 'the signed policy text is not JSON');
  }
  const checked = validatePolicyData(data);
  if (!checked.ok) {
    const list = checked.issues.slice(0, 10).map((i) => `${i.path}: ${i.message}`);
    const more = checked.issues.length > 10 ? ` and ${checked.issues.length - 10} more` : '';
    return fail(
      'schema',
      `the signed policy breaks the policy rules: ${list.join('; ')}${more} (this Classlock may be older than the tool that signed it)`,
    );
  }
  const policy = checked.policy;
  if (opts.minSerial !== undefined && policy.serial < opts.minSerial) {
    return fail(
      'serial-rollback',
      `the policy's serial ${policy.serial} is older than the one in force (${opts.minSerial}); an old policy is never re-applied`,
    );
  }
  return { ok: true, policy, serial: policy.serial, keyId, issuedAt: Date.parse(policy.issuedAt) };
}

/** Read the envelope without trusting it, e.g. to name its key id in a message. */
export function peekBundle(bytes: Uint8Array): PolicyBundle | undefined {
  try {
    const text = new TextDecoder().decode(bytes);
    if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) return undefined;
    const r = BundleSchema.safeParse(JSON.parse(text));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}
