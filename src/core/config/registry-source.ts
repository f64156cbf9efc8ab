import { execFile } from 'node:child_process';
import type { ConfigSource, MachineConfigInput } from './machine-config';
import {
  POLICY_REGISTRY_KEY,
  REGISTRY_VALUES,
  TRUSTED_KEYS_SUBKEY,
  registryValueByName,
  type RegistryValueSpec,
} from './registry-values';

export { POLICY_REGISTRY_KEY };

export interface RegValue {
  name: string;
  type: string;
  /** As `reg query` prints it: DWORDs in hex (0x3c), REG_MULTI_SZ items joined by a literal \0. */
  data: string;
  /**
   * REG_MULTI_SZ items as the Win32 API returns them. When present they are used instead of
   * splitting `data`, so an item that contains the two characters \0 survives.
   */
  items?: string[];
}

/** `reg query KEY /s` output: registry key path (as printed) → its values. */
export function parseRegQuery(output: string): Map<string, RegValue[]> {
  const keys = new Map<string, RegValue[]>();
  let current: RegValue[] | undefined;
  for (const line of output.split(/\r?\n/)) {
    if (/^HKEY_[A-Z_]+(\\|$)/.test(line)) {
      current = [];
      keys.set(line.trim(), current);
      continue;
    }
    // Four spaces separate indent, name, type and data; names may contain single spaces.
    const m = /^ {4}(.*?) {4}(REG_[A-Z0-9_]+)(?: {4}(.*))?$/.exec(line);
    if (m && current) current.push({ name: m[1]!, type: m[2]!, data: m[3] ?? '' });
  }
  return keys;
}

function expandEnv(s: string, env: NodeJS.ProcessEnv): string {
  return s.replace(/%([^%]+)%/g, (whole, name: string) => {
    const hit = Object.keys(env).find((k) => k.toLowerCase() === name.toLowerCase());
    return hit ? (env[hit] ?? whole) : whole;
  });
}

function multiItems(v: RegValue): string[] {
  return v.items ?? v.data.split('\\0');
}

function asString(v: RegValue, env: NodeJS.ProcessEnv): string {
  if (v.type === 'REG_EXPAND_SZ') return expandEnv(v.data, env);
  if (v.type === 'REG_MULTI_SZ') return multiItems(v).join('\n');
  return v.data;
}

function asNumber(v: RegValue): number {
  if (v.type === 'REG_DWORD' || v.type === 'REG_QWORD') return Number.parseInt(v.data, 16);
  const n = Number(v.data.trim());
  if (!Number.isFinite(n)) throw new Error(`${v.name} is "${v.data}", not a number`);
  return n;
}

function asList(v: RegValue, env: NodeJS.ProcessEnv): string[] {
  const raw = v.type === 'REG_MULTI_SZ' ? multiItems(v) : asString(v, env).split(/[;\n]/);
  return raw.map((s) => s.trim()).filter(Boolean);
}

function decode(spec: RegistryValueSpec, v: RegValue, env: NodeJS.ProcessEnv): unknown {
  switch (spec.shape) {
    case 'number':
      return asNumber(v);
    case 'list':
      return asList(v, env);
    default:
      return asString(v, env).trim();
  }
}

/** Set `a.b` in `out`, creating the parent object. */
function setField(out: Record<string, unknown>, field: string, value: unknown): void {
  const [head, leaf] = field.split('.') as [string, string | undefined];
  if (leaf === undefined) {
    out[head] = value;
    return;
  }
  const parent = (out[head] ??= {}) as Record<string, unknown>;
  parent[leaf] = value;
}

/**
 * Map the Group Policy values to machine config fields through REGISTRY_VALUES, the one
 * table the ADMX templates are also generated from. Value names are matched
 * case-insensitively, as the registry does. Trusted keys live in the TrustedKeys subkey:
 * value name = key id, data = the public key (PEM lines as REG_MULTI_SZ, or the base64
 * body on one line as REG_SZ). A nested field set only in part (a directory service DN
 * without its password file) is passed on incomplete, so the schema names what is missing.
 */
export function regValuesToConfig(
  keys: Map<string, RegValue[]>,
  env: NodeJS.ProcessEnv = {},
): Partial<MachineConfigInput> | undefined {
  const find = (suffix: string) =>
    [...keys.entries()].find(([k]) => k.toLowerCase().endsWith(suffix.toLowerCase()))?.[1];
  const root = find('\\Policies\\Classlock');
  const trusted = find(`\\Policies\\Classlock\\${TRUSTED_KEYS_SUBKEY}`);
  if (!root && !trusted) return undefined;
  const out: Record<string, unknown> = {};
  for (const v of root ?? []) {
    const spec = registryValueByName(v.name);
    // (Default) and values for newer versions are not ours to judge.
    if (spec) setField(out, spec.field, decode(spec, v, env));
  }
  // Fill the half-set nested field with '' so the schema reports the missing half by name.
  for (const spec of REGISTRY_VALUES) {
    const [head, leaf] = spec.field.split('.');
    const parent = out[head!] as Record<string, unknown> | undefined;
    if (leaf && parent && parent[leaf] === undefined) parent[leaf] = '';
  }
  const named = REGISTRY_VALUES.find((r) => r.shape === 'named')!;
  const keyValues = (trusted ?? []).filter((v) => v.name !== '(Default)' && v.name !== '');
  if (keyValues.length > 0) {
    out[named.field] = Object.fromEntries(keyValues.map((v) => [v.name, asString(v, env)]));
  }
  return Object.keys(out).length > 0 ? (out as Partial<MachineConfigInput>) : undefined;
}

export type RegRunner = (
  args: string[],
) => Promise<{ code: number; stdout: string; stderr: string }>;

const runReg: RegRunner = (args) =>
  new Promise((resolve) => {
    execFile('reg', args, { windowsHide: true, timeout: 10_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) || (err?.message ?? '') });
    });
  });

/** Group Policy values under HKLM\SOFTWARE\Policies\Classlock, read with `reg query`. */
export class RegistryConfigSource implements ConfigSource {
  readonly name = `Group Policy (${POLICY_REGISTRY_KEY})`;
  constructor(
    private readonly run: RegRunner = runReg,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  async read(): Promise<Partial<MachineConfigInput> | undefined> {
    const r = await this.run(['query', POLICY_REGISTRY_KEY, '/s']);
    if (r.code !== 0) {
      // reg exits 1 when the key does not exist: no Group Policy for Classlock.
      if (/unable to find/i.test(r.stderr)) return undefined;
      throw new Error(`reg query failed: ${r.stderr.trim() || `exit ${r.code}`}`);
    }
    return regValuesToConfig(parseRegQuery(r.stdout), this.env);
  }
}
