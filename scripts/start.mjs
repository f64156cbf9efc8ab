#!/usr/bin/env node
// `npm start`: Classlock in Electron with the embedded default policy. Where Electron's
// binary is not installed (its npm package fetches it from GitHub on first run), say so
// and serve the same screens and core on loopback instead, so the product can be seen.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let electron;
try {
  const pathFile = require.resolve('electron/path.txt');
  const bin = readFileSync(pathFile, 'utf8').trim();
  const full = new URL(`../node_modules/electron/dist/${bin}`, import.meta.url).pathname;
  if (existsSync(full)) electron = full;
} catch {
  // no binary
}

if (electron) {
  const child = spawn(electron, ['.', ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, CLASSLOCK_DEV: '1' },
  });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  console.log(
    'The Electron binary is not installed on this machine, so Classlock opens as a browser preview',
  );
  console.log(
    "(the same screens and session core, on 127.0.0.1). To run the desktop app, install Electron's",
  );
  console.log(
    'binary (npm rebuild electron, with access to its download) and run npm start again.\n',
  );
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/preview/start-without-electron.ts'],
    { stdio: 'inherit' },
  );
  child.on('exit', (code) => process.exit(code ?? 0));
}
