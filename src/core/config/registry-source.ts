import { execFile } from 'node:child_process';
import type { ConfigSource, MachineConfigInput } from './machine-config';

export const POLICY_REGISTRY_KEY = 'HKLM\\SOFTWARE\\Policies\\Classlock';

export interface RegValue {
  name: string;
  type: string;
  data: string;
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

function asString(v: RegValue, env: NodeJS.ProcessEnv): string {
  if (v.type === 'REG_EXPAND_SZ') return expandEnv(v.data, env);
  if (v.type === 'REG_MULTI_SZ') return v.data.split('\\0').join('\n');
  return v.data;
}

function asNumber(v: RegValue): number {
  if (v.type === 'REG_DWORD' || v.type === 'REG_QWORD') return Number.parseInt(v.data, 16);
  const n = Number(v.data.trim());
  if (!Number.isFinite(n)) throw new Error(`${v.name} is "${v.data}", not a number`);
  return n;
}

function asList(v: RegValue, env: NodeJS.ProcessEnv): string[] {
  const raw = v.type === 'REG_MULTI_SZ' ? v.data.split('\\0') : asString(v, env).split(/[;\n]/);
  return raw.map((s) => s.trim()).filter(Boolean);
}

/**
 * Map the Group Policy values to machine config fields. Value names are matched
 * case-insensitively, as the registry does. Trusted keys live in the TrustedKeys subkey:
 * value name = key id, data = the public key (PEM lines as REG_MULTI_SZ, or the base64
 * body on one line as REG_SZ).
 */
export function regValuesToConfig(
  keys: Map<string, RegValue[]>,
  env: NodeJS.ProcessEnv = {},
): Partial<MachineConfigInput> | undefined {
  const find = (suffix: string) =>
    [...keys.entries()].find(([k]) => k.toLowerCase().endsWith(suffix.toLowerCase()))?.[1];
  const root = find('\\Policies\\Classlock');
  const trusted = find('\\Policies\\Classlock\\TrustedKeys');
  if (!root && !trusted) return undefined;
  const out: Partial<MachineConfigInput> = {};
  let dn: string | undefined;
  let passwordFile: string | undefined;
  for (const v of root ?? []) {
    switch (v.name.toLowerCase()) {
      case 'policysources':
        out.policySources = asList(v, env);
        break;
      case 'pollseconds':
        out.pollSeconds = asNumber(v);
        break;
      case 'profile':
        out.profile = asString(v, env).trim();
        break;
      case 'datadir':
        out.dataDir = asString(v, env).trim();
        break;
      case 'maxpolicybytes':
        out.maxPolicyBytes = asNumber(v);
        break;
      case 'directoryservicedn':
        dn = asString(v, env).trim();
        break;
      case 'directoryservicepasswordfile':
        passwordFile = asString(v, env).trim();
        break;
      default:
        break; // (Default) and values for newer versions
    }
  }
  if (dn || passwordFile)
    out.directoryServiceAccount = { dn: dn ?? '', passwordFile: passwordFile ?? '' };
  if (trusted && trusted.length > 0) {
    out.trustedKeys = Object.fromEntries(
      trusted.filter((v) => v.name !== '(Default)').map((v) => [v.name, asString(v, env)]),
    );
  }
  return Object.keys(out).length > 0 ? out : undefined;
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
