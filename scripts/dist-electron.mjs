// Packs the app into an unpacked Electron folder with electron-builder (`--dir`), the
// first step of every installer. Where the Electron binary cannot be had (no download
// allowed, as on CI), a stand-in folder takes its place: same file names, a program
// that exits at once, and Electron's fuse wire, so the packing runs for real (asar,
// integrity, fuses) and the installers built from it can be installed and checked.
// The release route is the same code with the real Electron folder.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Electron's fuse sentinel, version 1, eight fuses, in Electron 41's default states. */
const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const STANDIN_FUSES = '10111001';
export const FUSE_NAMES = [
  'runAsNode',
  'enableCookieEncryption',
  'enableNodeOptionsEnvironmentVariable',
  'enableNodeCliInspectArguments',
  'enableEmbeddedAsarIntegrityValidation',
  'onlyLoadAppFromAsar',
  'loadBrowserProcessSpecificV8Snapshot',
  'grantFileProtocolExtraPrivileges',
];

function fuseWire() {
  return Buffer.concat([
    Buffer.from(FUSE_SENTINEL),
    Buffer.from([1, 8]),
    Buffer.from(STANDIN_FUSES),
  ]);
}

/** The fuses as written in a packed binary: name → on/off. */
export function readFuses(binary) {
  const buf = readFileSync(binary);
  const at = buf.indexOf(FUSE_SENTINEL);
  if (at < 0) throw new Error(`${binary} has no Electron fuse wire`);
  const len = buf[at + FUSE_SENTINEL.length + 1];
  const out = {};
  for (let i = 0; i < len; i++) {
    out[FUSE_NAMES[i] ?? `fuse${i}`] = buf[at + FUSE_SENTINEL.length + 2 + i] === 0x31;
  }
  return out;
}

/** A Windows program (PE) that exits at once, compiled with makensis. */
export function makeWindowsStandinExe(outFile, workDir) {
  mkdirSync(workDir, { recursive: true });
  const wire = join(workDir, 'fusewire.bin');
  writeFileSync(wire, fuseWire());
  execFileSync(
    'makensis',
    [
      '-V1',
      `-DOUTFILE=${resolve(outFile)}`,
      `-DFUSEWIRE=${wire}`,
      resolve('build/standin/electron-standin.nsi'),
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
}

/** A stand-in unpacked Electron folder for `platform` ('linux' | 'win'). */
export function makeStandinElectron(platform, dir) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'resources'), { recursive: true });
  mkdirSync(join(dir, 'locales'), { recursive: true });
  writeFileSync(join(dir, 'LICENSE'), 'Stand-in for installer tests; not Electron.\n');
  if (platform === 'linux') {
    const script = Buffer.concat([
      Buffer.from(
        '#!/bin/sh\necho "Electron stand-in (installer test build): not the real client" >&2\nexit 1\n# ',
      ),
      fuseWire(),
      Buffer.from('\n'),
    ]);
    writeFileSync(join(dir, 'electron'), script);
    chmodSync(join(dir, 'electron'), 0o755);
    writeFileSync(join(dir, 'chrome-sandbox'), '#!/bin/sh\nexit 1\n');
    chmodSync(join(dir, 'chrome-sandbox'), 0o755);
  } else {
    makeWindowsStandinExe(join(dir, 'electron.exe'), join(dir, '..', `${platform}-standin-work`));
  }
  return dir;
}

/** The real Electron folder for this platform when it is installed, else undefined. */
export function installedElectron(platform) {
  if (platform !== 'linux' || process.platform !== 'linux') return undefined;
  const dir = resolve('node_modules/electron/dist');
  return existsSync(join(dir, 'electron')) ? dir : undefined;
}

/**
 * electron-builder `--dir` for one platform into `outDir`; returns the unpacked folder.
 * `electronDist` undefined: electron-builder fetches Electron itself (needs the network).
 */
export async function packDir(platform, { electronDist, outDir }) {
  const { build, Platform } = await import('electron-builder');
  // electron-builder reads electron-builder.yml itself and merges these on top (lists
  // would be appended, so only scalar overrides go here).
  const config = { directories: { output: outDir } };
  if (electronDist) config.electronDist = electronDist;
  if (platform === 'win' && process.platform !== 'win32') {
    // Icon and version resources are edited (and the exe signed) by rcedit and signtool
    // on Windows; from Linux they would need Wine. The asar integrity resource and the
    // fuses are still written (pure JavaScript).
    config.win = { signAndEditExecutable: false };
  }
  // Copies, never hard links into the source tree (a later build must not edit sources).
  process.env.USE_HARD_LINKS = 'false';
  const target = platform === 'linux' ? Platform.LINUX : Platform.WINDOWS;
  await build({ targets: target.createTarget('dir', 1 /* x64 */), config, publish: 'never' });
  return join(outDir, platform === 'linux' ? 'linux-unpacked' : 'win-unpacked');
}
