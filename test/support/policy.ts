import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePolicyYaml } from '../../src/core/policy/policy-yaml';
import type { Policy } from '../../src/core/policy/schema';
/** scrypt hash of OVERRIDE_CODE: what IT's own policy or machine config would carry. */
export const OVERRIDE_HASH =
  'scrypt$16384$8$1$gf41fjFEkiHvzUB2eZFDiw==$sks9hfld9cvhkAS/tS9HlJorLb4xwm1k/PRdenWxprJpVGrblyrEmMYqtlthJTCrbob/TbAcTWZhLWHBqWbsHg==';

/**
 * The policy Classlock ships with, parsed exactly as a terminal parses it, with the
 * override hash IT would set (the shipped one matches no code at all).
 */
export function defaultPolicy(): Policy {
  const p = shippedPolicy();
  p.override.hash = OVERRIDE_HASH;
  return p;
}

/** The built-in policy exactly as shipped. */
export function shippedPolicy(): Policy {
  const r = parsePolicyYaml(
    readFileSync(new URL('../../resources/default-policy.yaml', import.meta.url), 'utf8'),
  );
  if (!r.ok) throw new Error(`resources/default-policy.yaml is invalid:\n${r.errors.join('\n')}`);
  return r.policy;
}

/** The default policy with some fields changed, still a whole policy. */
export function policyWith(change: (p: Policy) => void): Policy {
  const p = structuredClone(defaultPolicy());
  change(p);
  return p;
}

export const OVERRIDE_CODE = 'change-this-code-now';

export async function tempDir(
  prefix = 'classlock-',
): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}
