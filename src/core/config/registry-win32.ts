import type { ConfigSource, MachineConfigInput } from './machine-config';
import { regValuesToConfig, type RegValue } from './registry-source';
import {
  POLICY_REGISTRY_KEY,
  POLICY_REGISTRY_SUBKEY,
  TRUSTED_KEYS_SUBKEY,
} from './registry-values';

/**
 * The five advapi32 calls the reader needs, in koffi's shape (`[n]` arrays are filled by
 * the call). The machine service passes its koffi bindings (src/service/os/windows-win32.ts);
 * tests pass a registry in memory.
 */
export interface RegistryCalls {
  RegOpenKeyExW(
    root: unknown,
    subkey: string,
    options: number,
    sam: number,
    key: [unknown],
  ): number;
  RegQueryInfoKeyW(
    key: unknown,
    subkeys: [number],
    maxSubkeyLen: [number],
    values: [number],
    maxValueNameLen: [number],
    maxValueLen: [number],
  ): number;
  RegEnumValueW(
    key: unknown,
    index: number,
    name: Buffer,
    nameLen: [number],
    type: [number],
  ): number;
  RegGetValueW(
    key: unknown,
    subkey: string | null,
    value: string,
    flags: number,
    type: [number],
    data: Buffer | null,
    dataLen: [number],
  ): number;
  RegCloseKey(key: unknown): number;
}

const HKEY_LOCAL_MACHINE = 0x80000002;
const KEY_READ = 0x20019;
/** Group Policy writes the 64-bit view; ask for it whatever this process's bitness. */
const KEY_WOW64_64KEY = 0x100;
const RRF_RT_ANY = 0xffff;
/** Expansion is done in one place (regValuesToConfig), for every reader alike. */
const RRF_NOEXPAND = 0x10000000;
const ERROR_SUCCESS = 0;
const ERROR_FILE_NOT_FOUND = 2;
const ERROR_ACCESS_DENIED = 5;
const ERROR_MORE_DATA = 234;
const ERROR_NO_MORE_ITEMS = 259;

const TYPE_NAMES: Record<number, string> = {
  0: 'REG_NONE',
  1: 'REG_SZ',
  2: 'REG_EXPAND_SZ',
  3: 'REG_BINARY',
  4: 'REG_DWORD',
  7: 'REG_MULTI_SZ',
  11: 'REG_QWORD',
};

/** How many values a policy key may hold before the reader calls it damaged. */
const MAX_VALUES = 1000;
/** No Classlock value is near this; a larger one is refused rather than read. */
const MAX_VALUE_BYTES = 1024 * 1024;

function utf16z(buf: Buffer): string {
  const s = buf.toString('utf16le');
  const nul = s.indexOf('\0');
  return nul >= 0 ? s.slice(0, nul) : s;
}

/** Turns registry data into the same RegValue the reg.exe reader produces. */
export function decodeRegData(name: string, type: number, data: Buffer): RegValue {
  const typeName = TYPE_NAMES[type] ?? `REG_TYPE_${type}`;
  switch (type) {
    case 1:
    case 2:
      return { name, type: typeName, data: utf16z(data) };
    case 7: {
      const items = data.toString('utf16le').split('\0');
      // The list ends with an empty string and the terminating NUL.
      while (items.length > 0 && items[items.length - 1] === '') items.pop();
      return { name, type: typeName, data: items.join('\\0'), items };
    }
    case 4:
      return {
        name,
        type: typeName,
        data: `0x${(data.length >= 4 ? data.readUInt32LE(0) : 0).toString(16)}`,
      };
    case 11:
      return {
        name,
        type: typeName,
        data: `0x${(data.length >= 8 ? data.readBigUInt64LE(0) : 0n).toString(16)}`,
      };
    default:
      return { name, type: typeName, data: data.toString('hex') };
  }
}

function fail(what: string, rc: number): Error {
  const why = rc === ERROR_ACCESS_DENIED ? 'access is denied' : `Windows error ${rc}`;
  return new Error(`cannot read ${what}: ${why}`);
}

/**
 * Group Policy values under HKLM\SOFTWARE\Policies\Classlock read through the registry API:
 * no reg.exe (which pupils' sessions often may not run) and no output in the display
 * language to parse. Maps through the same table as the reg.exe reader.
 */
export class Win32RegistryConfigSource implements ConfigSource {
  readonly name = `Group Policy (${POLICY_REGISTRY_KEY})`;
  constructor(
    private readonly api: () => RegistryCalls,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  /** The values of one key, or undefined when the key does not exist. */
  private readKey(api: RegistryCalls, subkey: string): RegValue[] | undefined {
    const key: [unknown] = [null];
    const rc = api.RegOpenKeyExW(HKEY_LOCAL_MACHINE, subkey, 0, KEY_READ | KEY_WOW64_64KEY, key);
    if (rc === ERROR_FILE_NOT_FOUND) return undefined;
    if (rc !== ERROR_SUCCESS) throw fail(`HKLM\\${subkey}`, rc);
    try {
      const count: [number] = [0];
      const maxName: [number] = [0];
      const info = api.RegQueryInfoKeyW(key[0], [0], [0], count, maxName, [0]);
      if (info !== ERROR_SUCCESS) throw fail(`HKLM\\${subkey}`, info);
      if (count[0] > MAX_VALUES)
        throw new Error(`HKLM\\${subkey} holds ${count[0]} values; that is not a Classlock policy`);
      const values: RegValue[] = [];
      for (let i = 0; i < count[0]; i++) {
        const nameBuf = Buffer.alloc((maxName[0] + 1) * 2);
        const nameLen: [number] = [maxName[0] + 1];
        const e = api.RegEnumValueW(key[0], i, nameBuf, nameLen, [0]);
        if (e === ERROR_NO_MORE_ITEMS) break; // a value removed while we read
        if (e !== ERROR_SUCCESS) throw fail(`value ${i} of HKLM\\${subkey}`, e);
        const name = nameBuf.toString('utf16le', 0, nameLen[0] * 2);
        const v = this.readValue(api, key[0], subkey, name);
        if (v) values.push(v);
      }
      return values;
    } finally {
      api.RegCloseKey(key[0]);
    }
  }

  private readValue(
    api: RegistryCalls,
    key: unknown,
    subkey: string,
    name: string,
  ): RegValue | undefined {
    const flags = RRF_RT_ANY | RRF_NOEXPAND;
    const type: [number] = [0];
    const size: [number] = [0];
    // Two tries: the value may grow between asking its size and reading it.
    for (let attempt = 0; attempt < 2; attempt++) {
      const q = api.RegGetValueW(key, null, name, flags, type, null, size);
      if (q === ERROR_FILE_NOT_FOUND) return undefined;
      if (q !== ERROR_SUCCESS) throw fail(`HKLM\\${subkey}\\${name}`, q);
      if (size[0] > MAX_VALUE_BYTES)
        throw new Error(
          `HKLM\\${subkey}\\${name} is ${size[0]} bytes, too large to be a Classlock setting`,
        );
      const data = Buffer.alloc(size[0]);
      const r = api.RegGetValueW(key, null, name, flags, type, data, size);
      if (r === ERROR_MORE_DATA) continue;
      if (r === ERROR_FILE_NOT_FOUND) return undefined;
      if (r !== ERROR_SUCCESS) throw fail(`HKLM\\${subkey}\\${name}`, r);
      return decodeRegData(name, type[0], data.subarray(0, size[0]));
    }
    throw new Error(`HKLM\\${subkey}\\${name} kept changing while it was read`);
  }

  async read(): Promise<Partial<MachineConfigInput> | undefined> {
    const api = this.api();
    const keys = new Map<string, RegValue[]>();
    const root = this.readKey(api, POLICY_REGISTRY_SUBKEY);
    if (root) keys.set(`HKEY_LOCAL_MACHINE\\${POLICY_REGISTRY_SUBKEY}`, root);
    const trusted = this.readKey(api, `${POLICY_REGISTRY_SUBKEY}\\${TRUSTED_KEYS_SUBKEY}`);
    if (trusted)
      keys.set(`HKEY_LOCAL_MACHINE\\${POLICY_REGISTRY_SUBKEY}\\${TRUSTED_KEYS_SUBKEY}`, trusted);
    if (keys.size === 0) return undefined;
    return regValuesToConfig(keys, this.env);
  }
}
