import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonFileConfigSource, machineConfigDir } from '../../src/core/config/file-source';
import { loadMachineConfig, type ConfigSource } from '../../src/core/config/machine-config';
import {
  parseRegQuery,
  regValuesToConfig,
  RegistryConfigSource,
} from '../../src/core/config/registry-source';

const pem = generateKeyPairSync('ed25519')
  .publicKey.export({ type: 'spki', format: 'pem' })
  .toString();
const pemBody = pem.replace(/-----[^-]+-----/g, '').replace(/\s/g, '');
const pemLines = pem.trim().split('\n');

/** What `reg query HKLM\SOFTWARE\Policies\Classlock /s` prints on Windows (CRLF, 4-space columns). */
const REG_OUTPUT = [
  '',
  'HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Classlock',
  '    (Default)    REG_SZ    (value not set)',
  '    PolicySources    REG_MULTI_SZ    https://policy.school.local/classlock/policy.json\\0\\\\fs1\\netlogon\\classlock\\policy.json',
  '    PollSeconds    REG_DWORD    0x3c',
  '    Profile    REG_SZ    classroom',
  '    DataDir    REG_EXPAND_SZ    %ProgramData%\\Classlock\\data',
  '    Directory Service DN    REG_SZ    ignored because unknown',
  '    DirectoryServiceDn    REG_SZ    CN=svc-classlock,OU=Service,DC=school,DC=local',
  '    DirectoryServicePasswordFile    REG_SZ    C:\\ProgramData\\Classlock\\ldap.secret',
  '',
  'HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Classlock\\TrustedKeys',
  `    trust-2026    REG_SZ    ${pemBody}`,
  `    trust-2027    REG_MULTI_SZ    ${pemLines.join('\\0')}`,
  '',
].join('\r\n');

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'classlock-config-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const fixed = (name: string, value: Record<string, unknown> | undefined): ConfigSource => ({
  name,
  read: async () => value,
});

describe('Group Policy values read with reg query', () => {
  it('parses keys, value types and names with spaces', () => {
    const keys = parseRegQuery(REG_OUTPUT);
    expect([...keys.keys()]).toEqual([
      'HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Classlock',
      'HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Classlock\\TrustedKeys',
    ]);
    const root = keys.get('HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Classlock')!;
    expect(root).toContainEqual({ name: 'PollSeconds', type: 'REG_DWORD', data: '0x3c' });
    expect(root).toContainEqual({
      name: 'Directory Service DN',
      type: 'REG_SZ',
      data: 'ignored because unknown',
    });
  });

  it('turns them into machine config fields', () => {
    const cfg = regValuesToConfig(parseRegQuery(REG_OUTPUT), { PROGRAMDATA: 'C:\\ProgramData' });
    expect(cfg).toEqual({
      policySources: [
        'https://policy.school.local/classlock/policy.json',
        '\\\\fs1\\netlogon\\classlock\\policy.json',
      ],
      pollSeconds: 60,
      profile: 'classroom',
      dataDir: 'C:\\ProgramData\\Classlock\\data',
      directoryServiceAccount: {
        dn: 'CN=svc-classlock,OU=Service,DC=school,DC=local',
        passwordFile: 'C:\\ProgramData\\Classlock\\ldap.secret',
      },
      trustedKeys: { 'trust-2026': pemBody, 'trust-2027': pemLines.join('\n') },
    });
  });

  it('treats a missing Classlock key as "no Group Policy" and other failures as problems', async () => {
    const missing = new RegistryConfigSource(async () => ({
      code: 1,
      stdout: '',
      stderr: 'ERROR: The system was unable to find the specified registry key or value.\r\n',
    }));
    expect(await missing.read()).toBeUndefined();
    const denied = new RegistryConfigSource(async () => ({
      code: 1,
      stdout: '',
      stderr: 'ERROR: Access is denied.\r\n',
    }));
    await expect(denied.read()).rejects.toThrow('reg query failed: ERROR: Access is denied.');
    const present = new RegistryConfigSource(
      async () => ({ code: 0, stdout: REG_OUTPUT, stderr: '' }),
      {},
    );
    expect((await present.read())?.pollSeconds).toBe(60);
  });
});

describe('the machine config', () => {
  it("lives in the platform's machine-wide folder", () => {
    expect(machineConfigDir('win32', { ProgramData: 'D:\\PD' })).toBe(join('D:\\PD', 'Classlock'));
    expect(machineConfigDir('linux', {})).toBe('/etc/classlock');
    expect(machineConfigDir('darwin', {})).toBe('/Library/Application Support/Classlock');
  });

  it('reads config.json and fills the defaults', async () => {
    const file = join(dir, 'config.json');
    await writeFile(
      file,
      '\uFEFF' +
        JSON.stringify({
          policySources: ['https://policy.school.local/p.json'],
          trustedKeys: { 'trust-2026': pem },
        }),
    );
    const r = await loadMachineConfig([new JsonFileConfigSource(file)]);
    expect(r.problems).toEqual([]);
    expect(r.config).toMatchObject({ pollSeconds: 30, maxPolicyBytes: 5 * 1024 * 1024 });
  });

  it('lets Group Policy win over the file, field by field', async () => {
    const file = join(dir, 'both.json');
    await writeFile(
      file,
      JSON.stringify({
        policySources: ['/srv/policy.json'],
        trustedKeys: { old: pem },
        pollSeconds: 120,
        profile: 'lab',
      }),
    );
    const gp = new RegistryConfigSource(
      async () => ({ code: 0, stdout: REG_OUTPUT, stderr: '' }),
      {},
    );
    const r = await loadMachineConfig([new JsonFileConfigSource(file), gp]);
    expect(r.problems).toEqual([]);
    expect(r.config?.pollSeconds).toBe(60);
    expect(r.config?.profile).toBe('classroom');
    expect(Object.keys(r.config?.trustedKeys ?? {})).toEqual(['trust-2026', 'trust-2027']);
    expect(r.origins.policySources).toContain('Group Policy');
  });

  it('reports a missing config clearly so the terminal runs the built-in default', async () => {
    const r = await loadMachineConfig([new JsonFileConfigSource(join(dir, 'absent.json'))]);
    expect(r.config).toBeNull();
    expect(r.problems).toEqual([
      `no machine config found (looked in: ${join(dir, 'absent.json')}); running on the built-in default policy`,
    ]);
  });

  it('reports a broken file with its name and still uses Group Policy', async () => {
    const file = join(dir, 'broken.json');
    await writeFile(file, '{ "policySources": [ "https://x/p.json", ] }');
    const gp = fixed('Group Policy', {
      policySources: ['https://policy.school.local/p.json'],
      trustedKeys: { k: pem },
    });
    const r = await loadMachineConfig([new JsonFileConfigSource(file), gp]);
    expect(r.problems).toEqual([
      expect.stringMatching(
        new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: is not valid JSON`),
      ),
    ]);
    expect(r.config?.policySources).toEqual(['https://policy.school.local/p.json']);
  });

  it('names every unusable value and where it came from', async () => {
    const r = await loadMachineConfig([
      fixed('config.json', {
        policySources: ['ftp://policy/p.json'],
        trustedKeys: { 'trust-2026': 'not a key' },
        pollSeconds: 1,
      }),
    ]);
    expect(r.config).toBeNull();
    expect(r.problems).toEqual([
      'machine config policySources.0: is not a policy address (use https://, http://, file://, \\\\server\\share\\... or a full path) (from config.json)',
      'machine config trustedKeys.trust-2026: is not a readable public key (expected a PEM "BEGIN PUBLIC KEY" block) (from config.json)',
      'machine config pollSeconds: must be at least 5 seconds (from config.json)',
      'the machine config is not usable; running on the built-in default policy',
    ]);
  });
});
