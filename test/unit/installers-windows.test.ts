import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MachineConfigSchema } from '../../src/core/config/machine-config';
import { regValuesToConfig, type RegValue } from '../../src/core/config/registry-source';
import { REGISTRY_VALUES } from '../../src/core/config/registry-values';

/**
 * The Windows installers, built here from a stand-in Windows folder (no Electron or
 * node.exe for Windows can be downloaded): the MSI is read back table by table with
 * msiinfo; the NSIS installer is compiled by makensis and its resolved script checked,
 * since neither can run on Linux.
 */
const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const missing = ['wixl', 'msiinfo', 'msibuild', 'makensis', 'xmllint'].filter((c) => !has(c));
const reason = missing.length
  ? `${missing.join(', ')} not installed (apt-get install wixl msitools nsis)`
  : undefined;
const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;

/** `msiinfo export` of one table: rows as objects keyed by column name. */
function table(msi: string, name: string): Record<string, string>[] {
  const r = spawnSync('msiinfo', ['export', msi, name], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`msiinfo export ${name}: ${r.stderr}`);
  const lines = r.stdout.split(/\r?\n/).filter((l) => l !== '');
  const cols = lines[0]!.split('\t');
  return lines.slice(3).map((l) => Object.fromEntries(l.split('\t').map((v, i) => [cols[i]!, v])));
}

const pemBody = generateKeyPairSync('ed25519')
  .publicKey.export({ type: 'spki', format: 'der' })
  .toString('base64');
/** What an IT technician passes on a silent install. */
const SILENT: Record<string, string> = {
  POLICYURL: 'https://policy.school.example/classlock/policy.json',
  HUBURL: 'https://hub.school.example/',
  ENROLMENTSECRET: 'enrol-0123456789abcdef',
  TRUSTEDKEYID: 'school-20260901',
  TRUSTEDKEY: pemBody,
};
const expand = (s: string) => s.replace(/\[([A-Z]+)\]/g, (_, p: string) => SILENT[p] ?? '');

describe.skipIf(reason)(`the Windows installers${reason ? ` (skipped: ${reason})` : ''}`, () => {
  let work = '';
  let msi = '';
  let nsisExe = '';
  let nsi = '';

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'classlock-win-'));
    if (!existsSync('dist/main/main.cjs'))
      expect(spawnSync('node', ['scripts/build-node.mjs']).status).toBe(0);
    const r = spawnSync(
      'node',
      ['scripts/dist.mjs', '--targets', 'msi,nsis', '--stand-in', '--keep-work', '--out', work],
      { encoding: 'utf8', timeout: 240_000 },
    );
    expect(r.status, r.stdout + r.stderr).toBe(0);
    msi = join(work, 'stand-in', `Classlock-${version}-x64.msi`);
    nsisExe = join(work, 'stand-in', `Classlock-Setup-${version}.exe`);
    nsi = readFileSync(join(work, '.work', 'classlock.preprocessed.nsi'), 'utf8');
  }, 300_000);

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  describe('MSI, read back with msiinfo', () => {
    it('installs the app, the machine service and the IT tool', () => {
      const files = table(msi, 'File').map((f) => f.FileName);
      for (const f of [
        'Classlock.exe',
        'app.asar',
        'default-policy.yaml',
        'classlockd-service.exe',
        'classlockd-service.xml',
        'classlockd.exe',
        'classlock-admin.mjs',
      ])
        expect(
          files.some((n) => n?.endsWith(f)),
          f,
        ).toBe(true);
    });

    it('registers classlockd as an automatic LocalSystem service, started on install, removed on uninstall', () => {
      const [svc] = table(msi, 'ServiceInstall');
      expect(svc).toMatchObject({
        Name: 'classlockd',
        StartType: '2',
        StartName: 'LocalSystem',
        ServiceType: '16',
      });
      // The service's program is WinSW (classlockd-service.exe), the component's key file;
      // WinSW runs classlockd.exe as its XML says.
      expect(svc!.Arguments ?? '').toBe('');
      const comp = table(msi, 'Component').find((c) => c.Component === svc!.Component_)!;
      expect(table(msi, 'File').find((f) => f.File === comp.KeyPath)?.FileName).toMatch(
        /classlockd-service\.exe$/,
      );
      const [ctl] = table(msi, 'ServiceControl');
      // msidbServiceControlEvent: 1 start on install, 2 stop on install, 32 stop on
      // uninstall, 128 delete on uninstall.
      expect(Number(ctl!.Event)).toBe(1 | 2 | 32 | 128);
      const [fail] = table(msi, 'MsiServiceConfigFailureActions');
      expect(fail).toMatchObject({ Name: 'classlockd', Actions: '1[~]1[~]1' });
      expect(table(msi, 'InstallExecuteSequence').map((s) => s.Action)).toContain(
        'MsiConfigureServices',
      );
    });

    it('starts the client in every session from the HKLM Run key, which uninstall takes away with the product', () => {
      const run = table(msi, 'Registry').filter((r) => /CurrentVersion\\Run$/.test(r.Key!));
      expect(run).toHaveLength(1);
      expect(run[0]).toMatchObject({
        Root: '2',
        Name: 'Classlock',
        Value: '"[INSTALLDIR]Classlock.exe"',
      });
      // An MSI removes the registry values of its components on uninstall; a value written
      // by a custom action would not be, and there are none.
      expect(table(msi, 'CustomAction').filter((c) => /reg/i.test(c.Target ?? ''))).toEqual([]);
    });

    it('creates the data folders for SYSTEM and Administrators only, with nothing inherited', () => {
      const dirs = table(msi, 'CreateFolder').map((c) => c.Directory_);
      expect(dirs).toEqual(expect.arrayContaining(['CLASSLOCKROOT', 'CLASSLOCKDATA']));
      const locks = table(msi, 'MsiLockPermissionsEx');
      for (const d of ['CLASSLOCKROOT', 'CLASSLOCKDATA']) {
        const lock = locks.find((l) => l.LockObject === d && l.Table === 'CreateFolder');
        expect(lock?.SDDL, d).toBe('D:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)');
      }
      // No entry for Users, Authenticated Users, Everyone or CREATOR OWNER anywhere.
      for (const l of locks) expect(l.SDDL).not.toMatch(/;;;(BU|AU|WD|CO)\)/);
      const folders = table(msi, 'Directory');
      const data = folders.find((d) => d.Directory === 'CLASSLOCKDATA')!;
      expect(data.Directory_Parent).toBe('CLASSLOCKROOT');
      expect(folders.find((d) => d.Directory === 'CLASSLOCKROOT')?.Directory_Parent).toBe(
        'CommonAppDataFolder',
      );
    });

    it('registers the Event Log source', () => {
      const ev = table(msi, 'Registry').filter(
        (r) => r.Key === 'SYSTEM\\CurrentControlSet\\Services\\EventLog\\Application\\Classlock',
      );
      expect(ev.map((r) => r.Name).sort()).toEqual(['EventMessageFile', 'TypesSupported']);
    });

    it('takes POLICYURL, TRUSTEDKEYID, TRUSTEDKEY, HUBURL and ENROLMENTSECRET on a silent install, hiding the secrets from the log', () => {
      const props = Object.fromEntries(table(msi, 'Property').map((p) => [p.Property, p.Value]));
      const secure = props.SecureCustomProperties!.split(';');
      for (const p of Object.keys(SILENT)) expect(secure, p).toContain(p);
      expect(props.MsiHiddenProperties!.split(';')).toEqual(
        expect.arrayContaining(['ENROLMENTSECRET', 'TRUSTEDKEY']),
      );
      // Each value is written only when its property is given.
      const comps = table(msi, 'Component');
      for (const p of ['POLICYURL', 'HUBURL', 'ENROLMENTSECRET'])
        expect(comps.find((c) => c.Component === `Setting_${p}`)?.Condition).toBe(p);
      expect(comps.find((c) => c.Component === 'Setting_TRUSTEDKEY')?.Condition).toBe(
        'TRUSTEDKEYID AND TRUSTEDKEY',
      );
    });

    it('writes those settings where the config reader finds them, and the result is a usable machine config', () => {
      const rows = table(msi, 'Registry').filter((r) =>
        r.Key!.startsWith('SOFTWARE\\Policies\\Classlock'),
      );
      const keys = new Map<string, RegValue[]>();
      for (const r of rows) {
        const k = `HKEY_LOCAL_MACHINE\\${r.Key}`;
        keys.set(k, [
          ...(keys.get(k) ?? []),
          { name: expand(r.Name!), type: 'REG_SZ', data: expand(r.Value!) },
        ]);
      }
      const cfg = regValuesToConfig(keys, {});
      expect(cfg).toEqual({
        policySources: [SILENT.POLICYURL],
        hubUrl: SILENT.HUBURL,
        hubEnrolmentSecret: SILENT.ENROLMENTSECRET,
        trustedKeys: { [SILENT.TRUSTEDKEYID!]: SILENT.TRUSTEDKEY },
      });
      expect(MachineConfigSchema.safeParse(cfg).success).toBe(true);
      // The secret's key is locked to SYSTEM and Administrators (Policies is readable by all).
      const lock = table(msi, 'MsiLockPermissionsEx').find(
        (l) => l.LockObject === 'Reg_ENROLMENTSECRET',
      );
      expect(lock?.SDDL).toBe('D:PAI(A;CI;KA;;;SY)(A;CI;KA;;;BA)');
    });
  });

  it('WinSW runs classlockd.exe on the service bundle, restarts it on failure and logs where only administrators read', () => {
    const xmlFile = join(work, '.work', 'win-root', 'service', 'classlockd-service.xml');
    const lint = spawnSync('xmllint', ['--noout', xmlFile], { encoding: 'utf8' });
    expect(lint.status, lint.stderr).toBe(0);
    const x = readFileSync(xmlFile, 'utf8');
    expect(x).toContain('<id>classlockd</id>');
    expect(x).toContain('<executable>%BASE%\\classlockd.exe</executable>');
    expect(x).toContain('<arguments>"%BASE%\\classlockd.cjs"</arguments>');
    expect(x).toContain('<startmode>Automatic</startmode>');
    expect(x.match(/<onfailure action="restart"/g)).toHaveLength(3);
    expect(x).toContain('<logpath>%ProgramData%\\Classlock\\logs</logpath>');
  });

  describe('NSIS, compiled by makensis; its resolved script checked where it cannot run', () => {
    it('is a Windows program', () => {
      expect(readFileSync(nsisExe).subarray(0, 2).toString()).toBe('MZ');
    });

    it('asks for administrator rights and installs for every user', () => {
      expect(nsi).toMatch(/^RequestExecutionLevel admin$/m);
      expect(nsi).toMatch(/^InstallDir "\$PROGRAMFILES64\\Classlock"$/m);
      expect(nsi).toMatch(/^SetShellVarContext all$/m);
    });

    it('registers, configures and starts the service the same way as the MSI', () => {
      const bin = 'binPath= "\\"$INSTDIR\\service\\classlockd-service.exe\\""';
      expect(nsi).toContain(
        `"$SYSDIR\\sc.exe" create classlockd ${bin} start= auto obj= LocalSystem`,
      );
      expect(nsi).toContain(
        `"$SYSDIR\\sc.exe" config classlockd ${bin} start= auto obj= LocalSystem`,
      );
      expect(nsi).toContain(
        '"$SYSDIR\\sc.exe" failure classlockd reset= 86400 actions= restart/2000/restart/2000/restart/60000',
      );
      expect(nsi).toContain('"$SYSDIR\\sc.exe" start classlockd');
    });

    it('sets the data folders to SYSTEM and Administrators only, by SID', () => {
      for (const dir of ['$APPDATA\\Classlock', '$APPDATA\\Classlock\\service'])
        expect(nsi).toContain(
          `"$SYSDIR\\icacls.exe" "${dir}" /inheritance:r /grant:r "*S-1-5-18:(OI)(CI)F" "*S-1-5-32-544:(OI)(CI)F"`,
        );
      expect(nsi).not.toMatch(/S-1-5-32-545|S-1-5-11|S-1-1-0/);
      // Upgrade from the per-user layout: the old data\ tree takes the root's rights (Windows
      // lets anyone open a path without rights on its parents).
      expect(nsi).toContain('"$SYSDIR\\icacls.exe" "$APPDATA\\Classlock\\data" /reset /T /C /Q');
    });

    it('registers the Event Log source and the HKLM Run value', () => {
      expect(nsi).toMatch(
        /WriteRegExpandStr HKLM "SYSTEM\\CurrentControlSet\\Services\\EventLog\\Application\\Classlock" "EventMessageFile"/,
      );
      expect(nsi).toContain(
        `WriteRegStr HKLM "Software\\Microsoft\\Windows\\CurrentVersion\\Run" "Classlock" '"$INSTDIR\\Classlock.exe"'`,
      );
    });

    it('takes the silent switches and writes each to the value the config reader understands', () => {
      for (const s of Object.keys(SILENT)) expect(nsi).toContain(`Push \`/${s}=\``);
      const byField = Object.fromEntries(REGISTRY_VALUES.map((r) => [r.field, r.valueName]));
      expect(nsi).toContain(
        `WriteRegStr HKLM "SOFTWARE\\Policies\\Classlock" "${byField.policySources}" "$PolicyUrl"`,
      );
      expect(nsi).toContain(
        `WriteRegStr HKLM "SOFTWARE\\Policies\\Classlock" "${byField.hubUrl}" "$HubUrl"`,
      );
      expect(nsi).toContain(
        `WriteRegStr HKLM "SOFTWARE\\Policies\\Classlock" "${byField.hubEnrolmentSecret}" "$EnrolmentSecret"`,
      );
      expect(nsi).toContain(
        'WriteRegStr HKLM "SOFTWARE\\Policies\\Classlock\\TrustedKeys" "$TrustedKeyId" "$TrustedKey"',
      );
    });

    it('uninstall removes the service, every Run value (both registry views) and keeps the data', () => {
      const un = nsi.slice(nsi.indexOf('Section "Uninstall"'));
      expect(un).toContain('"$SYSDIR\\sc.exe" delete classlockd');
      const runDeletes =
        un.match(
          /DeleteRegValue HKLM "Software\\Microsoft\\Windows\\CurrentVersion\\Run" "Classlock"/g,
        ) ?? [];
      expect(runDeletes).toHaveLength(2);
      expect(un.indexOf('SetRegView 32')).toBeGreaterThan(-1);
      expect(un).toContain('Delete "$INSTDIR\\Classlock.exe"');
      // Upgrade and uninstall never touch the school's records.
      expect(nsi).not.toMatch(/RMDir \/r[^\n]*APPDATA|Delete[^\n]*\$APPDATA/);
    });
  });
});
