import { describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { MachineConfigSchema, type MachineConfigInput } from '../../src/core/config/machine-config';
import { regValuesToConfig, type RegValue } from '../../src/core/config/registry-source';
import {
  Win32RegistryConfigSource,
  type RegistryCalls,
} from '../../src/core/config/registry-win32';
import {
  POLICY_REGISTRY_KEY,
  POLICY_REGISTRY_SUBKEY,
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
  return field
    .split('.')
    .reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], obj);
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

/** A registry in memory that answers the five advapi32 calls as Windows does. */
class MemoryRegistry implements RegistryCalls {
  readonly keys = new Map<string, { name: string; type: number; data: Buffer }[]>();
  opened = 0;
  closed = 0;
  denied = new Set<string>();
  /** Value names that grow by this many bytes after their size is first asked. */
  growing = new Map<string, number>();
  private readonly handles = new Map<number, string>();

  RegOpenKeyExW(root: unknown, subkey: string, _o: number, sam: number, key: [unknown]): number {
    expect(root).toBe(0x80000002);
    expect(sam & 0x100).toBe(0x100); // the 64-bit view, where Group Policy writes
    const k = subkey.toLowerCase();
    if (this.denied.has(k)) return 5;
    if (!this.keys.has(k)) return 2;
    const h = ++this.opened;
    this.handles.set(h, k);
    key[0] = h;
    return 0;
  }
  private values(key: unknown) {
    return this.keys.get(this.handles.get(key as number)!)!;
  }
  RegQueryInfoKeyW(
    key: unknown,
    _s: [number],
    _m: [number],
    values: [number],
    maxName: [number],
  ): number {
    const v = this.values(key);
    values[0] = v.length;
    maxName[0] = Math.max(0, ...v.map((x) => x.name.length));
    return 0;
  }
  RegEnumValueW(
    key: unknown,
    index: number,
    name: Buffer,
    nameLen: [number],
    type: [number],
  ): number {
    const v = this.values(key)[index];
    if (!v) return 259;
    if (v.name.length + 1 > nameLen[0]) return 234;
    name.write(`${v.name}\0`, 'utf16le');
    nameLen[0] = v.name.length;
    type[0] = v.type;
    return 0;
  }
  RegGetValueW(
    key: unknown,
    _sub: string | null,
    value: string,
    flags: number,
    type: [number],
    data: Buffer | null,
    len: [number],
  ): number {
    expect(flags & 0x10000000).toBe(0x10000000); // RRF_NOEXPAND: expansion happens in one place
    const v = this.values(key).find((x) => x.name.toLowerCase() === value.toLowerCase());
    if (!v) return 2;
    const grow = this.growing.get(v.name);
    if (grow && data === null) {
      this.growing.delete(v.name);
      len[0] = v.data.length;
      v.data = Buffer.concat([
        v.data.subarray(0, v.data.length - 2),
        Buffer.alloc(grow, 0x41),
        Buffer.alloc(2),
      ]);
      type[0] = v.type;
      return 0;
    }
    type[0] = v.type;
    if (data === null || data.length < v.data.length) {
      len[0] = v.data.length;
      return data === null ? 0 : 234;
    }
    v.data.copy(data);
    len[0] = v.data.length;
    return 0;
  }
  RegCloseKey(): number {
    this.closed++;
    return 0;
  }
}

const TYPE = { REG_SZ: 1, REG_EXPAND_SZ: 2, REG_DWORD: 4, REG_MULTI_SZ: 7 } as const;
const sz = (s: string) => Buffer.from(`${s}\0`, 'utf16le');
const multi = (items: string[]) => Buffer.from(`${items.join('\0')}\0\0`, 'utf16le');
function dword(n: number) {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}

/** What Group Policy would leave in the registry for a config, each value in its declared type. */
function memoryRegistryFor(cfg: Record<string, unknown>): MemoryRegistry {
  const reg = new MemoryRegistry();
  const root: { name: string; type: number; data: Buffer }[] = [];
  const trusted: { name: string; type: number; data: Buffer }[] = [];
  for (const row of REGISTRY_VALUES) {
    const v = get(cfg, row.field);
    if (v === undefined) continue;
    const type = TYPE[row.type];
    if (row.shape === 'named') {
      for (const [name, data] of Object.entries(v as Record<string, string>))
        trusted.push({ name, type, data: sz(data) });
    } else if (row.type === 'REG_DWORD')
      root.push({ name: row.valueName, type, data: dword(v as number) });
    else if (row.type === 'REG_MULTI_SZ')
      root.push({ name: row.valueName, type, data: multi(v as string[]) });
    else root.push({ name: row.valueName, type, data: sz(String(v)) });
  }
  root.push({ name: '', type: 1, data: sz('') }); // the (Default) value Windows keeps
  reg.keys.set(POLICY_REGISTRY_SUBKEY.toLowerCase(), root);
  reg.keys.set(`${POLICY_REGISTRY_SUBKEY}\\TrustedKeys`.toLowerCase(), trusted);
  return reg;
}

describe('Group Policy read through the registry API (no reg.exe)', () => {
  it('reads every field back as written, and closes every key it opened', async () => {
    const reg = memoryRegistryFor({ ...FULL, school: 'Ysgol Gymraeg Llanŵ' });
    const cfg = await new Win32RegistryConfigSource(() => reg, {}).read();
    expect(cfg).toEqual({ ...FULL, school: 'Ysgol Gymraeg Llanŵ' });
    expect(reg.closed).toBe(reg.opened);
    expect(reg.opened).toBe(2);
  });

  it('expands %ProgramData% itself, the same way as the reg.exe reader', async () => {
    const reg = memoryRegistryFor({ directoryCaFile: '%ProgramData%\\Classlock\\ca.pem' });
    const cfg = await new Win32RegistryConfigSource(() => reg, {
      ProgramData: 'C:\\ProgramData',
    }).read();
    expect(cfg?.directoryCaFile).toBe('C:\\ProgramData\\Classlock\\ca.pem');
  });

  it('says "no Group Policy" when the key is absent, and names a key it may not read', async () => {
    expect(
      await new Win32RegistryConfigSource(() => new MemoryRegistry(), {}).read(),
    ).toBeUndefined();
    const reg = memoryRegistryFor(FULL);
    reg.denied.add(POLICY_REGISTRY_SUBKEY.toLowerCase());
    await expect(new Win32RegistryConfigSource(() => reg, {}).read()).rejects.toThrow(
      'cannot read HKLM\\SOFTWARE\\Policies\\Classlock: access is denied',
    );
  });

  it('reads a value that grows while it is being read', async () => {
    const reg = memoryRegistryFor(FULL);
    reg.growing.set('Profile', 64);
    const cfg = await new Win32RegistryConfigSource(() => reg, {}).read();
    // 64 more bytes of 0x41: 32 more UTF-16 characters U+4141.
    expect(cfg?.profile).toBe(`library${'\u4141'.repeat(32)}`);
  });

  it('refuses an oversized value instead of reading megabytes (a damaged or hostile key)', async () => {
    const reg = memoryRegistryFor(FULL);
    reg.keys.get(POLICY_REGISTRY_SUBKEY.toLowerCase())!.push({
      name: 'Profile2',
      type: 1,
      data: Buffer.alloc(2 * 1024 * 1024, 0x41),
    });
    await expect(new Win32RegistryConfigSource(() => reg, {}).read()).rejects.toThrow(
      'HKLM\\SOFTWARE\\Policies\\Classlock\\Profile2 is 2097152 bytes, too large to be a Classlock setting',
    );
    expect(reg.closed).toBe(reg.opened);
  });
});
