import { sign, verify, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { jsonDepthExceeds } from './json-depth';
import { KEY_ID_PATTERN, toPrivateKey, toPublicKey } from './keys';
import { fastValidatePolicy, validatePolicyData } from './policy-yaml';
import type { Policy } from './schema';

/**
 * Format 2, what `classlock-admin sign` writes: one line of JSON header, a newline, then
 * the policy's JSON exactly as signed. The terminal checks the signature over those bytes
 * and parses them once; gzip sees plain JSON, not JSON escaped inside a JSON string.
 *
 *     {"format":"classlock-policy/2","keyId":"trust-2026","signature":"…"}
 *     {"serial":42,…}
 *
 * The signature covers the payload's bytes up to its last non-space byte.
 */
export const BUNDLE_FORMAT = 'classlock-policy/2';
/**
 * Format 1, still read for one version so terminals keep working while IT updates the
 * admin tool: a JSON envelope with the payload as a JSON string inside it.
 */
export const BUNDLE_FORMAT_V1 = 'classlock-policy/1';
export type BundleFormatVersion = 1 | 2;
export const DEFAULT_MAX_POLICY_BYTES = 5 * 1024 * 1024;
/** A real policy nests about six levels deep; anything near this is an attack or a mistake. */
export const MAX_JSON_DEPTH = 64;
/** The format 2 header is about 150 bytes; a first line longer than this is not one. */
const MAX_HEADER_BYTES = 1024;
const NEWLINE = 0x0a;

const Base64Signature = z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/, 'is not base64');
const KeyIdSchema = z.string().regex(KEY_ID_PATTERN, 'is not a key id');

/** Format 1's envelope: the payload is the policy's JSON text as a string. */
export const BundleSchema = z.strictObject({
  format: z.literal(BUNDLE_FORMAT_V1),
  keyId: KeyIdSchema,
  payload: z.string().min(1),
  signature: Base64Signature,
});
export type PolicyBundleV1 = z.infer<typeof BundleSchema>;

/** Format 2's first line. */
export const BundleHeaderSchema = z.strictObject({
  format: z.literal(BUNDLE_FORMAT),
  keyId: KeyIdSchema,
  signature: Base64Signature,
});

/** What can be read from a bundle without trusting it. */
export interface PeekedBundle {
  format: BundleFormatVersion;
  keyId: string;
  /** The policy's JSON text, unverified. */
  payload: string;
}

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

export interface SignOptions {
  /** 2 (the default) or 1, for terminals still on the version before format 2. */
  format?: BundleFormatVersion;
}

/** Sign a validated policy with an Ed25519 private key; returns the bundle file's text. */
export function signPolicy(
  policy: Policy,
  privateKey: KeyObject | string,
  keyId: string,
  opts: SignOptions = {},
): string {
  if (!KEY_ID_PATTERN.test(keyId)) {
    throw new Error(`"${keyId}" is not a usable key id (letters, digits, dot, dash, underscore)`);
  }
  const payload = JSON.stringify(policy);
  const signature = sign(null, Buffer.from(payload, 'utf8'), toPrivateKey(privateKey)).toString(
    'base64',
  );
  if (opts.format === 1) {
    const bundle: PolicyBundleV1 = { format: BUNDLE_FORMAT_V1, keyId, payload, signature };
    return `${JSON.stringify(bundle, null, 2)}\n`;
  }
  // The header is written by hand in a fixed order so that it is always one short line.
  return `${JSON.stringify({ format: BUNDLE_FORMAT, keyId, signature })}\n${payload}\n`;
}

function fail(code: BundleFailureCode, message: string): BundleFailure {
  return { ok: false, code, message };
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KB`;
  return `${n} bytes`;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** The format 2 header line, when the file starts with one; undefined for anything else. */
function readHeaderLine(bytes: Uint8Array): { header: unknown; payloadStart: number } | undefined {
  const nl = bytes.subarray(0, MAX_HEADER_BYTES).indexOf(NEWLINE);
  if (nl <= 0 || bytes[0] !== 0x7b /* { */) return undefined;
  const text = decodeUtf8(bytes.subarray(0, nl));
  if (text === undefined) return undefined;
  try {
    const header: unknown = JSON.parse(text);
    if ((header as { format?: unknown } | null)?.format !== BUNDLE_FORMAT) return undefined;
    return { header, payloadStart: nl + 1 };
  } catch {
    return undefined;
  }
}

/**
 * Where the signed payload ends: white space after it is not signed, so a copy that gained
 * a final newline (an editor, a transfer tool) still verifies; it cannot change the JSON.
 */
function endOfPayload(bytes: Uint8Array, start: number): number {
  let end = bytes.length;
  for (;;) {
    const b = bytes[end - 1];
    if (end <= start || (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09)) return end;
    end--;
  }
}

function unknownFormat(format: unknown): BundleFailure {
  return fail(
    'unknown-format',
    format === undefined
      ? `the policy file has no "format" (expected ${BUNDLE_FORMAT}); was it signed with classlock-admin sign?`
      : `the policy file's format "${String(format)}" is not one this terminal reads (${BUNDLE_FORMAT} or ${BUNDLE_FORMAT_V1}); update Classlock or sign with a matching classlock-admin`,
  );
}

function damaged(issues: z.core.$ZodIssue[]): BundleFailure {
  const what = issues.map((i) => `${i.path.join('.') || 'bundle'}: ${i.message}`);
  return fail('bad-envelope', `the policy bundle is damaged (${what.join('; ')})`);
}

function checkSignature(
  trusted: TrustedKeys,
  keyId: string,
  signature: string,
  signed: Uint8Array,
): BundleFailure | undefined {
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
  if (sig.length !== 64 || !verify(null, signed, publicKey, sig)) {
    return fail('bad-signature', `signature does not match key ${keyId}`);
  }
  return undefined;
}

/** The signed payload's text, parsed once and checked against the policy rules. */
function acceptPayload(
  payload: string,
  keyId: string,
  opts: VerifyBundleOptions,
): VerifyBundleResult {
  // Signed, so written by IT's tool. V8's JSON.parse does not recurse, and a policy the
  // schema accepts is only a few levels deep, so the nesting is counted only on the way to
  // explaining a refusal, where the words would otherwise walk whatever was sent.
  let data: unknown;
  try {
    data = JSON.parse(payload);
  } catch {
    return fail('payload-not-json', 'the signed policy text is not JSON');
  }
  const fast = fastValidatePolicy(data);
  if (!fast && jsonDepthExceeds(payload, MAX_JSON_DEPTH)) {
    return fail('too-deep', `the signed policy is nested more than ${MAX_JSON_DEPTH} levels deep`);
  }
  const checked = fast ? { ok: true as const, policy: fast } : validatePolicyData(data);
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
  const v2 = readHeaderLine(bytes);
  if (v2) {
    const head = BundleHeaderSchema.safeParse(v2.header);
    if (!head.success) return damaged(head.error.issues);
    const signed = bytes.subarray(v2.payloadStart, endOfPayload(bytes, v2.payloadStart));
    const refused = checkSignature(trusted, head.data.keyId, head.data.signature, signed);
    if (refused) return refused;
    const payload = decodeUtf8(signed);
    if (payload === undefined) {
      return fail('payload-not-json', 'the signed policy text is not valid UTF-8');
    }
    return acceptPayload(payload, head.data.keyId, opts);
  }
  return verifyV1(bytes, trusted, opts);
}

function verifyV1(
  bytes: Uint8Array,
  trusted: TrustedKeys,
  opts: VerifyBundleOptions,
): VerifyBundleResult {
  const text = decodeUtf8(bytes);
  if (text === undefined) {
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
  if (format === BUNDLE_FORMAT) {
    return fail(
      'bad-envelope',
      `the policy bundle is damaged (a ${BUNDLE_FORMAT} file starts with one header line, then the policy)`,
    );
  }
  if (format !== BUNDLE_FORMAT_V1) return unknownFormat(format);
  const env = BundleSchema.safeParse(raw);
  if (!env.success) return damaged(env.error.issues);
  const { keyId, payload, signature } = env.data;
  const refused = checkSignature(trusted, keyId, signature, Buffer.from(payload, 'utf8'));
  if (refused) return refused;
  return acceptPayload(payload, keyId, opts);
}

/** Read the envelope without trusting it, e.g. to name its key id in a message. */
export function peekBundle(bytes: Uint8Array): PeekedBundle | undefined {
  const v2 = readHeaderLine(bytes);
  if (v2) {
    const head = BundleHeaderSchema.safeParse(v2.header);
    const payload = decodeUtf8(
      bytes.subarray(v2.payloadStart, endOfPayload(bytes, v2.payloadStart)),
    );
    if (!head.success || payload === undefined) return undefined;
    return { format: 2, keyId: head.data.keyId, payload };
  }
  try {
    const text = new TextDecoder().decode(bytes);
    if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) return undefined;
    const r = BundleSchema.safeParse(JSON.parse(text));
    return r.success ? { format: 1, keyId: r.data.keyId, payload: r.data.payload } : undefined;
  } catch {
    return undefined;
  }
}
