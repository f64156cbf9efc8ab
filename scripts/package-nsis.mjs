// Builds the per-machine NSIS installer with Debian's makensis from the staged Windows
// folder and build/win/classlock.nsi. electron-builder's own NSIS route downloads its
// NSIS bundle, which cannot happen here; makensis is the same compiler.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { WIN, stageWindows } from './package-windows-layout.mjs';

/** NSIS has no escape for a double quote inside "..."; our file names never hold one. */
function quoted(s) {
  if (s.includes('"')) throw new Error(`file name with a double quote cannot be packed: ${s}`);
  return `"${s}"`;
}

/** Install and uninstall lists, as macros: folders in order, files from the stage. */
export function fileLists(stage) {
  const install = [];
  const uninstall = [];
  const dirs = [];
  const walk = (dir) => {
    const rel = relative(stage, dir).split(sep).join('\\');
    const target = rel ? `$INSTDIR\\${rel}` : '$INSTDIR';
    const names = readdirSync(dir).sort();
    const files = names.filter((n) => !statSync(join(dir, n)).isDirectory());
    if (files.length > 0) {
      install.push(`SetOutPath ${quoted(target)}`);
      for (const f of files) {
        install.push(`File ${quoted(resolve(dir, f))}`);
        uninstall.push(`Delete ${quoted(`${target}\\${f}`)}`);
      }
    }
    for (const n of names.filter((x) => statSync(join(dir, x)).isDirectory())) {
      walk(join(dir, n));
      dirs.push(`${target}\\${n}`);
    }
  };
  walk(stage);
  // Deepest folders first; RMDir without /r only removes what is empty.
  uninstall.push(...dirs.map((d) => `RMDir ${quoted(d)}`));
  install.push('SetOutPath "$INSTDIR"');
  return { install, uninstall };
}

export async function buildNsis({
  unpacked,
  nodeExe,
  winswExe,
  outDir,
  workDir,
  version,
  standIn = false,
}) {
  const stage = await stageWindows({ unpacked, nodeExe, winswExe, workDir, standIn });
  const { install, uninstall } = fileLists(stage);
  const nsh = join(workDir, 'classlock-files.nsh');
  writeFileSync(
    nsh,
    `!macro CLASSLOCK_FILES_INSTALL\n${install.join('\n')}\n!macroend\n!macro CLASSLOCK_FILES_UNINSTALL\n${uninstall.join('\n')}\n!macroend\n`,
  );
  mkdirSync(outDir, { recursive: true });
  const out = resolve(outDir, `Classlock-Setup-${version}.exe`);
  const byField = Object.fromEntries(WIN.settings.map((s) => [s.property, s.value]));
  const defines = {
    VERSION: version,
    OUTFILE: out,
    APP_EXE: WIN.exe,
    SERVICE_NAME: WIN.service.name,
    SERVICE_DISPLAY: WIN.service.displayName,
    SERVICE_DESCRIPTION: WIN.service.description,
    SERVICE_EXE: WIN.service.exe,
    EVENT_SOURCE: WIN.eventSource,
    RUN_VALUE: WIN.runValue,
    DATA_ROOT: WIN.dataRoot,
    DATA_DIR: WIN.dataDir,
    LEGACY_DATA_DIR: WIN.legacyDataDir,
    VALUE_POLICYURL: byField.POLICYURL,
    VALUE_HUBURL: byField.HUBURL,
    VALUE_ENROLMENTSECRET: byField.ENROLMENTSECRET,
    TRUSTEDKEYS_SUBKEY: WIN.trustedKey.subkey,
    FILES_INSTALL: '!insertmacro CLASSLOCK_FILES_INSTALL',
    FILES_UNINSTALL: '!insertmacro CLASSLOCK_FILES_UNINSTALL',
  };
  const args = [
    '-INPUTCHARSET',
    'UTF8',
    ...Object.entries(defines).map(([k, v]) => `-D${k}=${v}`),
    `-X!include "${nsh}"`,
    resolve('build/win/classlock.nsi'),
  ];
  execFileSync('makensis', ['-V2', '-WX', ...args], { stdio: ['ignore', 'inherit', 'inherit'] });
  // The script with every define and macro resolved, for checking what cannot run here.
  const ppo = execFileSync('makensis', ['-V1', '-PPO', ...args], { maxBuffer: 64 * 1024 * 1024 });
  writeFileSync(join(workDir, 'classlock.preprocessed.nsi'), ppo);
  return out;
}
