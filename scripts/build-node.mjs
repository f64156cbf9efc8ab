#!/usr/bin/env node
// Bundles the Node-side entry points with esbuild: the Electron main process and preload
// (CommonJS, as a sandboxed preload must be) and the IT command-line tool. Entry points
// that do not exist yet are skipped so a partial checkout still installs.
import { build } from 'esbuild';
import { existsSync, readFileSync } from 'node:fs';

const { version } = JSON.parse(readFileSync('package.json', 'utf8'));

const targets = [
  {
    entry: 'src/main/main.ts',
    outfile: 'dist/main/main.cjs',
    format: 'cjs',
    // koffi ships native binaries per platform (packaged beside the bundle, Windows only);
    // dbus-next is bundled, less its optional add-ons, which it loads only when present.
    external: ['electron', 'koffi', 'x11', 'usocket'],
  },
  {
    entry: 'src/preload/preload.ts',
    outfile: 'dist/preload/preload.cjs',
    format: 'cjs',
    external: ['electron'],
  },
  { entry: 'src/admin/cli.ts', outfile: 'dist/admin/cli.mjs', format: 'esm', packages: 'external' },
  // The machine service, self-contained but for native add-ons (koffi ships per-platform
  // prebuilt binaries, which cannot be bundled): installed as /usr/lib/classlock/classlockd.cjs.
  {
    entry: 'src/service/classlockd-main.ts',
    outfile: 'dist/service/classlockd.cjs',
    format: 'cjs',
    external: ['koffi', 'dbus-next'],
    // The status the service reports names the version installed.
    define: { 'process.env.CLASSLOCK_VERSION': JSON.stringify(version) },
  },
  // The school's hub server.
  {
    entry: 'src/hub/hub-main.ts',
    outfile: 'dist/hub/hub.mjs',
    format: 'esm',
    packages: 'external',
  },
];

for (const t of targets) {
  if (!existsSync(t.entry)) continue;
  await build({
    entryPoints: [t.entry],
    outfile: t.outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: t.format,
    external: t.external ?? [],
    define: t.define ?? {},
    packages: t.packages,
    sourcemap: false,
    logLevel: 'warning',
    legalComments: 'none',
  });
}
