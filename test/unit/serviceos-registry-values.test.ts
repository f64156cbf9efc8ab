import { describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { MachineConfigSchema, type MachineConfigInput } from '../../src/core/config/machine-config';
import { regValuesToConfig, type RegValue } from '../../src/core/config/registry-source';
import {
  POLICY_REGISTRY_KEY,
  REGISTRY_VALUES,
  TRUSTED_KEYS_SUBKEY,
} from '../../src/core/config/registry-values';

const pem = generateKeyPairSync('ed25519')
  .publicKey.export({ type: 'spki', format: 'pem' })
  .toString();
const pemBody = pem.replace(/-----[^-]+-----/g, '').replace(/\s/g, '');

/** A full machine config using every field, as an IT technician would set it. */
const FULL = {
  policySources: ['https://policy.school.example/p.json', '\\\\fs1\\netlogon\\p.json'],
  trustedKeys: { 'trust-2026': pemBody },
  pollSeconds: 45,
  profile: 'library',
  dataDir: 'D:\\Classlock\\data',
  maxPolicyBytes: 2_000_000,
  directoryServiceAccount: {
    dn: 'CN=svc,DC=school,DC=example',
    passwordFile: 'C:\\s\\ldap.secret',
  },
  directoryCaFile: 'C:\\ProgramData\\Classlock\\school-ca.pem',
  overrideHash: 'scrypt$16384$8$1$c2FsdA$aGFzaA',
  hubUrl: 'https://hub.school.example/',
  hubEnrolmentSecret: 'enrol-0123456789abcdef',
  school: 'Ysgol Example',
  lockNowHotkey: 'Ctrl+Alt+L',
  hideScreenHotkey: 'Ctrl+Alt+H',
} satisfies MachineConfigInput;

function get(obj: Record<string, unknown>, field: string): unknown {
  return field.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], obj);
}

/** What a Group Policy would write for a config: one value per table row, in its own type. */
function toRegistry(cfg: Record<string, unknown>): Map<string, RegValue[]> {
  const root: RegValue[] = [];
  const trusted: RegValue[] = [];
  for (const row of REGISTRY_VALUES) {
    const v = get(cfg, row.field);
    if (row.shape === 'named') {
      for (const [name, data] of Object.entries(v as Record<string, string>))
        trusted.push({ name, type: row.type, data });
    } else if (row.type === 'REG_DWORD') {
      root.push({ name: row.valueName, type: row.type, data: `0x${(v as number).toString(16)}` });
    } else if (row.type === 'REG_MULTI_SZ') {
      root.push({ name: row.valueName, type: row.type, data: '', items: v as string[] });
    } else {
      root.push({ name: row.valueName, type: row.type, data: String(v) });
    }
  }
  return new Map([
    ['HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Classlock', root],
    [`HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Classlock\\${TRUSTED_KEYS_SUBKEY}`, trusted],
  ]);
}

describe('REGISTRY_VALUES, the one field ↔ registry value table', () => {
  it('names every machine-config field, and nothing else', () => {
    const tableTop = new Set(REGISTRY_VALUES.map((r) => r.field.split('.')[0]));
    expect([...tableTop].sort()).toEqual(Object.keys(MachineConfigSchema.shape).sort());
    const dsa = MachineConfigSchema.shape.directoryServiceAccount.unwrap().shape;
    const nested = REGISTRY_VALUES.filter((r) => r.field.startsWith('directoryServiceAccount.'));
    expect(nested.map((r) => r.field.split('.')[1]).sort()).toEqual(Object.keys(dsa).sort());
  });

  it('uses each value name once (the registry ignores case) and names the key', () => {
    const names = REGISTRY_VALUES.map((r) => `${r.subkey}\\${r.valueName.toLowerCase()}`);
    expect(new Set(names).size).toBe(names.length);
    expect(POLICY_REGISTRY_KEY).toBe('HKLM\\SOFTWARE\\Policies\\Classlock');
  });

  it("gives number rows the schema's own bounds, which fit a DWORD", () => {
    for (const row of REGISTRY_VALUES.filter((r) => r.shape === 'number')) {
      const parse = (n: number) =>
        MachineConfigSchema.shape[row.field as 'pollSeconds'].safeParse(n).success;
      expect(parse(row.min!), `${row.field} min`).toBe(true);
      expect(parse(row.min! - 1), `${row.field} below min`).toBe(false);
      expect(parse(row.max!), `${row.field} max`).toBe(true);
      expect(parse(row.max! + 1), `${row.field} above max`).toBe(false);
      expect(row.max!).toBeLessThan(2 ** 32);
    }
  });

  it('round-trips every field through the registry form and the schema', () => {
    const back = regValuesToConfig(toRegistry(FULL), {});
    expect(back).toEqual(FULL);
    const parsed = MachineConfigSchema.safeParse(back);
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
  });

  it('keeps a list item that contains the characters \\0 when read through the API', () => {
    const keys = toRegistry({ ...FULL, policySources: ['C:\\0day\\p.json'] });
    expect(regValuesToConfig(keys, {})?.policySources).toEqual(['C:\\0day\\p.json']);
  });

  it('expands %ProgramData% in a path value and matches value names in any case', () => {
    const keys = new Map([
      [
        'HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Classlock',
        [
          {
            name: 'directorycafile',
            type: 'REG_EXPAND_SZ',
            data: '%ProgramData%\\Classlock\\ca.pem',
          },
          { name: 'HUBURL', type: 'REG_SZ', data: ' https://hub.example/ ' },
        ],
      ],
    ]);
    expect(regValuesToConfig(keys, { PROGRAMDATA: 'C:\\ProgramData' })).toEqual({
      directoryCaFile: 'C:\\ProgramData\\Classlock\\ca.pem',
      hubUrl: 'https://hub.example/',
    });
  });

  it('passes a half-set directory account on so the schema names the missing half', () => {
    const keys = new Map([
      [
        'HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Classlock',
        [{ name: 'DirectoryServiceDn', type: 'REG_SZ', data: 'CN=svc,DC=x' }],
      ],
    ]);
    const cfg = regValuesToConfig(keys, {});
    expect(cfg?.directoryServiceAccount).toEqual({ dn: 'CN=svc,DC=x', passwordFile: '' });
    const r = MachineConfigSchema.shape.directoryServiceAccount.safeParse(
      cfg?.directoryServiceAccount,
    );
    expect(r.error?.issues.map((i) => i.path.join('.'))).toEqual(['passwordFile']);
  });
});
