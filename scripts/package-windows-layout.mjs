// What both Windows installers (MSI and NSIS) put on a PC, in one place, so they cannot
// drift apart: the files, the machine service, the folders and their rights, the
// registry values. docs/deployment.md explains each one to IT.
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleAdminTool } from './package-deb.mjs';
import { copyRuntimeModules, serviceExternals } from './package-runtime-modules.mjs';

export const WIN = {
  productName: 'Classlock',
  manufacturer: 'Classlock contributors',
  /** Same as the former electron-builder MSI, so a new MSI upgrades an old one. */
  upgradeCode: '6f1c7b4e-2a55-4c35-9d3e-6b1f8a0c2d47',
  exe: 'Classlock.exe',
  service: {
    name: 'classlockd',
    displayName: 'Classlock machine service',
    description:
      "Keeps this computer's Classlock policy, unlock checks, sanctions and audit log; the Classlock window in each session talks to it.",
    /** Relative to the install folder. The service entry answers the service manager itself. */
    exe: 'service\\node.exe',
    args: 'service\\classlockd.cjs',
  },
  eventSource: 'Classlock',
  runKey: 'SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run',
  runValue: 'Classlock',
  policyKey: 'SOFTWARE\\Policies\\Classlock',
  /**
   * Silent-install settings → the Group Policy value the config reader understands
   * (checked against REGISTRY_VALUES by test/unit/installers-windows.test.ts).
   */
  settings: [
    { property: 'POLICYURL', nsis: 'POLICYURL', field: 'policySources', value: 'PolicySources' },
    { property: 'HUBURL', nsis: 'HUBURL', field: 'hubUrl', value: 'HubUrl' },
    {
      property: 'ENROLMENTSECRET',
      nsis: 'ENROLMENTSECRET',
      field: 'hubEnrolmentSecret',
      value: 'HubEnrolmentSecret',
    },
  ],
  /** TRUSTEDKEYID names the value in the TrustedKeys subkey; TRUSTEDKEY is its one-line base64 key. */
  trustedKey: {
    idProperty: 'TRUSTEDKEYID',
    keyProperty: 'TRUSTEDKEY',
    subkey: 'TrustedKeys',
    field: 'trustedKeys',
  },
  /** %ProgramData%\Classlock and its data folder: SYSTEM and Administrators only, not inherited. */
  dataRoot: 'Classlock',
  dataDir: 'data',
  folderSddl: 'D:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)',
};

export const PUBLIC_PROPERTIES = [
  ...WIN.settings.map((s) => s.property),
  WIN.trustedKey.idProperty,
  WIN.trustedKey.keyProperty,
];

/**
 * The install folder's contents: the packed app, plus service\ (node.exe, the service
 * bundle and its runtime packages for win32, the IT tool) and classlock-admin.cmd.
 */
export async function stageWindows({ unpacked, nodeExe, workDir, standIn = false }) {
  const stage = join(workDir, 'win-root');
  rmSync(stage, { recursive: true, force: true });
  cpSync(unpacked, stage, { recursive: true });
  const service = join(stage, 'service');
  mkdirSync(service, { recursive: true });
  cpSync(nodeExe, join(service, 'node.exe'));
  if (existsSync('dist/service')) {
    cpSync('dist/service', service, { recursive: true });
    if (existsSync('dist/service/classlockd.cjs'))
      copyRuntimeModules(serviceExternals(), service, {
        platform: 'win32',
        arch: 'x64',
        allowMissing: standIn,
      });
  }
  await bundleAdminTool(join(service, 'classlock-admin.mjs'));
  writeFileSync(
    join(stage, 'classlock-admin.cmd'),
    '@"%~dp0service\\node.exe" "%~dp0service\\classlock-admin.mjs" %*\r\n',
  );
  return stage;
}
