/**
 * The one table that ties each machine-config field to its Group Policy registry value.
 * The config readers (reg.exe and Win32) map values through it, and the ADMX/ADML
 * generator writes one policy per row, so a field cannot be readable but unsettable, or
 * settable but ignored.
 */

/** Where Group Policy (and Intune's ADMX ingestion) writes Classlock's machine settings. */
export const POLICY_REGISTRY_KEY = 'HKLM\\SOFTWARE\\Policies\\Classlock';
/** The same key as a Win32 subkey path under HKEY_LOCAL_MACHINE. */
export const POLICY_REGISTRY_SUBKEY = 'SOFTWARE\\Policies\\Classlock';
/** Trusted signing keys: one value per key, value name = key id, data = the public key. */
export const TRUSTED_KEYS_SUBKEY = 'TrustedKeys';

/** The registry data type a policy writes (the readers also accept the other string types). */
export type RegistryDataType = 'REG_SZ' | 'REG_EXPAND_SZ' | 'REG_MULTI_SZ' | 'REG_DWORD';

/**
 * How the data turns into the field:
 * - `text`: one string, trimmed (REG_EXPAND_SZ has %VARIABLES% expanded);
 * - `number`: REG_DWORD, or a string holding a decimal number;
 * - `list`: REG_MULTI_SZ, or one string split on `;` or new lines;
 * - `named`: every value in the subkey, value name → data (ADMX `<list explicitValue>`).
 */
export type RegistryValueShape = 'text' | 'number' | 'list' | 'named';

export interface RegistryValueSpec {
  /** The machine-config field, dotted for a nested one (`directoryServiceAccount.dn`). */
  readonly field: string;
  /** '' for the Classlock key itself, else the subkey under it. */
  readonly subkey: '' | typeof TRUSTED_KEYS_SUBKEY;
  /** The registry value name; `*` for a `named` row, whose value names are the keys. */
  readonly valueName: string;
  readonly type: RegistryDataType;
  readonly shape: RegistryValueShape;
  /** For `number`: the bounds the schema enforces, for ADMX `<decimal minValue maxValue>`. */
  readonly min?: number;
  readonly max?: number;
  /**
   * Worth guarding: HKLM\SOFTWARE\Policies is readable by every signed-in user, so a pupil
   * can read this value (an enrolment secret; an override hash to guess at offline). The
   * template's help text should say so and point to config.json, which only SYSTEM and
   * Administrators can read (see docs/windows-service.md).
   */
  readonly sensitive?: boolean;
}

export const REGISTRY_VALUES = [
  {
    field: 'policySources',
    subkey: '',
    valueName: 'PolicySources',
    type: 'REG_MULTI_SZ',
    shape: 'list',
  },
  {
    field: 'trustedKeys',
    subkey: TRUSTED_KEYS_SUBKEY,
    valueName: '*',
    type: 'REG_SZ',
    shape: 'named',
  },
  {
    field: 'pollSeconds',
    subkey: '',
    valueName: 'PollSeconds',
    type: 'REG_DWORD',
    shape: 'number',
    min: 5,
    max: 86_400,
  },
  { field: 'profile', subkey: '', valueName: 'Profile', type: 'REG_SZ', shape: 'text' },
  { field: 'dataDir', subkey: '', valueName: 'DataDir', type: 'REG_EXPAND_SZ', shape: 'text' },
  {
    field: 'maxPolicyBytes',
    subkey: '',
    valueName: 'MaxPolicyBytes',
    type: 'REG_DWORD',
    shape: 'number',
    min: 1024,
    max: 100 * 1024 * 1024,
  },
  {
    field: 'directoryServiceAccount.dn',
    subkey: '',
    valueName: 'DirectoryServiceDn',
    type: 'REG_SZ',
    shape: 'text',
  },
  {
    field: 'directoryServiceAccount.passwordFile',
    subkey: '',
    valueName: 'DirectoryServicePasswordFile',
    type: 'REG_EXPAND_SZ',
    shape: 'text',
  },
  {
    field: 'directoryCaFile',
    subkey: '',
    valueName: 'DirectoryCaFile',
    type: 'REG_EXPAND_SZ',
    shape: 'text',
  },
  {
    field: 'overrideHash',
    subkey: '',
    valueName: 'OverrideHash',
    type: 'REG_SZ',
    shape: 'text',
    sensitive: true,
  },
  { field: 'hubUrl', subkey: '', valueName: 'HubUrl', type: 'REG_SZ', shape: 'text' },
  {
    field: 'hubEnrolmentSecret',
    subkey: '',
    valueName: 'HubEnrolmentSecret',
    type: 'REG_SZ',
    shape: 'text',
    sensitive: true,
  },
  { field: 'school', subkey: '', valueName: 'School', type: 'REG_SZ', shape: 'text' },
  { field: 'lockNowHotkey', subkey: '', valueName: 'LockNowHotkey', type: 'REG_SZ', shape: 'text' },
  {
    field: 'hideScreenHotkey',
    subkey: '',
    valueName: 'HideScreenHotkey',
    type: 'REG_SZ',
    shape: 'text',
  },
] as const satisfies readonly RegistryValueSpec[];

/** The row for a value name under the Classlock key (case-insensitive, as the registry is). */
export function registryValueByName(valueName: string): RegistryValueSpec | undefined {
  const n = valueName.toLowerCase();
  return REGISTRY_VALUES.find((r) => r.subkey === '' && r.valueName.toLowerCase() === n);
}
