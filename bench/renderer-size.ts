// Renderer JavaScript as it travels and loads: every .js under dist/renderer, gzipped at
// level 9. Target: at most 150 KB. Builds the renderer first when there is no build.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

const ROOT = resolve(import.meta.dirname, '..');
const DIR = join(ROOT, 'dist/renderer');
const TARGET_KB = 150;

if (!existsSync(join(DIR, 'index.html'))) {
  const built = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (built.status !== 0) throw new Error('The renderer did not build (npx vite build).');
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

let raw = 0;
let gz = 0;
for (const file of files(DIR).filter((f) => f.endsWith('.js'))) {
  const bytes = readFileSync(file);
  const zipped = gzipSync(bytes, { level: 9 }).length;
  raw += bytes.length;
  gz += zipped;
  console.log(
    `  ${relative(ROOT, file)}: ${(bytes.length / 1024).toFixed(1)} KB, gzip ${(zipped / 1024).toFixed(1)} KB`,
  );
}
const kb = gz / 1024;
console.log(
  `renderer JavaScript: ${(raw / 1024).toFixed(1)} KB, gzip -9 ${kb.toFixed(1)} KB (target ≤ ${TARGET_KB} KB: ${kb <= TARGET_KB ? 'met' : 'MISSED'})`,
);
