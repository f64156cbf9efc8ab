#!/usr/bin/env node
// `npm run dist`: every installer this machine can build, from one unpacked app per
// platform. Each installer that cannot be built here says why in one line; the command
// exits 0 when every installer it could try was built.
//
//   node scripts/dist.mjs [--targets deb,msi,nsis,admx,appimage] [--out DIR]
//                         [--electron-linux DIR] [--electron-win DIR] [--node-win FILE]
//                         [--winsw FILE]
//                         [--stand-in] [--keep-work]
//
// --electron-linux / --electron-win: an unpacked Electron folder for that platform (the
// release route: Electron's own zip, unpacked). Without one, Linux uses
// node_modules/electron/dist when it is there; otherwise (no download possible) a
// stand-in folder is used and the installers land in DIR/stand-in/, for testing only.
// --node-win: node.exe for the Windows machine service (Node's official Windows build);
// --winsw: WinSW's exe (the service wrapper, docs/windows-service.md).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  installedElectron,
  makeStandinElectron,
  makeWindowsStandinExe,
  packDir,
} from './dist-electron.mjs';
import { buildDeb } from './package-deb.mjs';
import { buildMsi } from './package-msi.mjs';
import { buildNsis } from './package-nsis.mjs';

const ALL = ['deb', 'msi', 'nsis', 'admx', 'appimage'];
const { values } = parseArgs({
  options: {
    targets: { type: 'string', default: ALL.join(',') },
    out: { type: 'string', default: 'release' },
    'electron-linux': { type: 'string' },
    'electron-win': { type: 'string' },
    'node-win': { type: 'string' },
    winsw: { type: 'string' },
    'stand-in': { type: 'boolean', default: false },
    'keep-work': { type: 'boolean', default: false },
  },
});
const targets = values.targets
  .split(',')
  .map((t) => t.trim().toLowerCase())
  .filter(Boolean);
for (const t of targets)
  if (!ALL.includes(t)) throw new Error(`unknown target "${t}" (known: ${ALL.join(', ')})`);

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const version = pkg.version;
const outRoot = resolve(values.out);
const work = join(outRoot, '.work');
mkdirSync(work, { recursive: true });
const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

const results = []; // { target, file?, skipped?, failed? }
const standIn = { linux: false, win: false };

function electronFor(platform) {
  const given = values[`electron-${platform}`];
  if (given && !values['stand-in']) return resolve(given);
  const local = values['stand-in'] ? undefined : installedElectron(platform);
  if (local) return local;
  standIn[platform] = true;
  return makeStandinElectron(platform, join(work, `electron-standin-${platform}`));
}

const unpackedCache = {};
async function unpacked(platform) {
  unpackedCache[platform] ??= await packDir(platform, {
    electronDist: electronFor(platform),
    outDir: join(work, `pack-${platform}`),
  });
  return unpackedCache[platform];
}
const outFor = (platform) => (standIn[platform] ? join(outRoot, 'stand-in') : outRoot);

async function attempt(target, why, fn) {
  if (!targets.includes(target)) return;
  if (why) {
    results.push({ target, skipped: why });
    return;
  }
  const started = performance.now();
  try {
    const file = await fn();
    results.push({ target, file, seconds: (performance.now() - started) / 1000 });
  } catch (err) {
    results.push({ target, failed: err instanceof Error ? err.message : String(err) });
  }
}

if (!existsSync('dist/main/main.cjs')) {
  console.error('dist/ is not built: run `npm run build` first (npm run dist does).');
  process.exit(1);
}

await attempt(
  'deb',
  has('dpkg-deb') ? undefined : 'needs dpkg-deb (apt-get install dpkg)',
  async () => {
    const dir = await unpacked('linux');
    return buildDeb({ unpacked: dir, outDir: outFor('linux'), workDir: work, version, pkg });
  },
);

/** A Windows program given on the command line, or a stand-in (installers for tests only). */
const winInputs = {};
function winInput(option, name) {
  if (winInputs[option]) return winInputs[option];
  if (values[option]) return (winInputs[option] = resolve(values[option]));
  standIn.win = true;
  const file = join(work, `${name}-standin.exe`);
  makeWindowsStandinExe(file, join(work, `${name}-standin`));
  return (winInputs[option] = file);
}
/** What both Windows installers are built from: the unpacked app, node.exe and WinSW. */
async function windowsInputs() {
  return {
    unpacked: await unpacked('win'),
    nodeExe: winInput('node-win', 'node'),
    winswExe: winInput('winsw', 'winsw'),
    outDir: outFor('win'),
    workDir: work,
    version,
    standIn: standIn.win,
  };
}
const winWhy = has('makensis') ? undefined : 'needs makensis (apt-get install nsis)';
await attempt(
  'msi',
  winWhy ?? (has('wixl') ? undefined : 'needs wixl (apt-get install wixl msitools)'),
  async () => buildMsi(await windowsInputs()),
);
await attempt('nsis', winWhy, async () => buildNsis(await windowsInputs()));
await attempt('admx', undefined, async () => {
  const dir = join(outRoot, 'policy-templates');
  execFileSync(process.execPath, ['bin/classlock-admin.mjs', 'policy-templates', '--out', dir], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (!existsSync(join(dir, 'Classlock.admx'))) throw new Error(`no Classlock.admx in ${dir}`);
  return dir;
});
await attempt(
  'appimage',
  process.env.CLASSLOCK_DIST_APPIMAGE === '1'
    ? undefined
    : 'AppImage: electron-builder downloads appimagetool and the Electron zip, which this network cannot reach (set CLASSLOCK_DIST_APPIMAGE=1 where it can)',
  async () => {
    const { build, Platform } = await import('electron-builder');
    await build({ targets: Platform.LINUX.createTarget('AppImage', 1), publish: 'never' });
    return join('release', `Classlock-${version}.AppImage`);
  },
);

// --keep-work: DIR/.work keeps the staged folders, the WiX source and the preprocessed
// NSIS script (the tests read them).
if (!values['keep-work']) rmSync(work, { recursive: true, force: true });
for (const r of results) {
  // Seconds include packing the app for the first installer of each platform.
  if (r.file) console.log(`built    ${r.target}: ${r.file} (${r.seconds.toFixed(1)} s)`);
  else if (r.skipped) console.log(`skipped  ${r.target}: ${r.skipped}`);
  else console.log(`FAILED   ${r.target}: ${r.failed}`);
}
if (standIn.linux || standIn.win) {
  console.log(
    `note: ${[standIn.linux && 'Linux', standIn.win && 'Windows'].filter(Boolean).join(' and ')} installers were built around a stand-in Electron${standIn.win ? ' / node.exe / WinSW' : ''} (in ${join(outRoot, 'stand-in')}): for installer tests only, never for schools. Give --electron-linux / --electron-win / --node-win / --winsw for release builds.`,
  );
}
process.exit(results.some((r) => r.failed) ? 1 : 0);
