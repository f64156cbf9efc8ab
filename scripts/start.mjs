#!/usr/bin/env node
// `npm start`: Classlock in Electron with the embedded default policy. Electron's npm
// package (42 and later) no longer downloads its binary while installing; it fetches it on
// first use. So: use the binary if it is there, try once to fetch it if not, and where that
// fails (no route to the download, or ELECTRON_SKIP_BINARY_DOWNLOAD) serve the same
// screens and session core on loopback instead, saying why in one line.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const FETCH_TIMEOUT_MS = 180_000;
const require = createRequire(import.meta.url);

function electronDir() {
  try {
    return dirname(require.resolve('electron/package.json'));
  } catch {
    return undefined;
  }
}

/** The binary's path when it is installed; never starts a download (unlike require('electron')). */
function installedBinary(dir) {
  const pathFile = join(dir, 'path.txt');
  if (!existsSync(pathFile)) return undefined;
  const full = join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(full) ? full : undefined;
}

/** One short reason from the installer's output, e.g. "fetch failed". */
function firstLine(text) {
  const line = text
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l && !l.startsWith('at '));
  return (line ?? 'no reason given').replace(/^(Type)?Error: /, '').slice(0, 120);
}

function findElectron() {
  const dir = electronDir();
  if (!dir) return { why: 'the electron package is not installed (run npm install)' };
  const found = installedBinary(dir);
  if (found) return { binary: found };
  if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) {
    return { why: "Electron's binary is not installed and ELECTRON_SKIP_BINARY_DOWNLOAD is set" };
  }
  console.log("Fetching Electron's binary (first start only)…");
  const r = spawnSync(process.execPath, [join(dir, 'install.js')], {
    encoding: 'utf8',
    timeout: FETCH_TIMEOUT_MS,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const fetched = installedBinary(dir);
  if (fetched) return { binary: fetched };
  const cause = r.error ? r.error.message : firstLine(`${r.stderr}\n${r.stdout}`);
  return { why: `Electron's binary is not installed and could not be fetched (${cause})` };
}

const found = findElectron();
if (found.binary) {
  const child = spawn(found.binary, ['.', ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, CLASSLOCK_DEV: '1' },
  });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  console.log(`${found.why}, so Classlock opens as a browser preview on 127.0.0.1.`);
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/preview/start-without-electron.ts'],
    { stdio: 'inherit' },
  );
  child.on('exit', (code) => process.exit(code ?? 0));
}
