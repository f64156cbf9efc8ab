// Builds the Debian package from the unpacked Linux app with Debian's own dpkg-deb (no
// fpm, nothing downloaded). Layout, maintainer scripts and what stays after removal are
// described in docs/deployment.md; test/system/package-deb.test.ts installs the result.
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join, relative } from 'node:path';
import { copyRuntimeModules, serviceExternals } from './package-runtime-modules.mjs';

/** Debian's names for what Electron links against, with the t64 names of newer releases. */
export const DEB_DEPENDS = [
  'nodejs (>= 20)',
  'nftables',
  'libgtk-3-0 | libgtk-3-0t64',
  'libnss3',
  'libxss1',
  'libxtst6',
  'libatspi2.0-0 | libatspi2.0-0t64',
  'libuuid1',
  'libgbm1',
  'libdrm2',
  'libasound2 | libasound2t64',
  'xdg-utils',
];
export const DEB_RECOMMENDS = ['libnotify4', 'libsecret-1-0', 'dbus', 'systemd'];
export const DEB_CONFFILES = ['/etc/classlock/config.example.json'];

/** Copies `src` (a file in the repository) to `path` in the package, with `mode`. */
function put(stage, path, src, mode) {
  const dest = join(stage, path);
  mkdirSync(dirname(dest), { recursive: true });
  copyFileSync(src, dest);
  chmodSync(dest, mode);
}

function putText(stage, path, text, mode) {
  const dest = join(stage, path);
  mkdirSync(dirname(dest), { recursive: true });
  writeFileSync(dest, text);
  chmodSync(dest, mode);
}

/** Every folder 0755, every file 0644 or 0755 (executable bit kept), links untouched. */
function normaliseModes(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = lstatSync(p);
    if (st.isSymbolicLink()) continue;
    if (st.isDirectory()) {
      chmodSync(p, 0o755);
      normaliseModes(p);
    } else chmodSync(p, st.mode & 0o111 ? 0o755 : 0o644);
  }
}

function walkFiles(dir, base = dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = lstatSync(p);
    if (st.isDirectory()) walkFiles(p, base, out);
    else if (st.isFile()) out.push(relative(base, p));
  }
  return out;
}

function duKiB(dir) {
  let bytes = 0;
  for (const f of walkFiles(dir)) bytes += lstatSync(join(dir, f)).size;
  return Math.ceil(bytes / 1024);
}

/** Bundles the IT tool into one file that needs only Node (classlock-admin on terminals). */
export async function bundleAdminTool(outfile) {
  const { build } = await import('esbuild');
  await build({
    entryPoints: ['src/admin/cli-entry.ts'],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    banner: {
      js: "import { createRequire as __classlockRequire } from 'node:module'; const require = __classlockRequire(import.meta.url);",
    },
    logLevel: 'warning',
    legalComments: 'none',
  });
}

/**
 * @param {{ unpacked: string, outDir: string, workDir: string, version: string, pkg: object }} o
 * @returns {Promise<string>} the .deb's path
 */
export async function buildDeb({ unpacked, outDir, workDir, version, pkg }) {
  const stage = join(workDir, 'deb-root');
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });

  // The app, as electron-builder packed it.
  cpSync(unpacked, join(stage, 'opt/Classlock'), { recursive: true, verbatimSymlinks: true });
  put(stage, 'opt/Classlock/resources/apparmor-profile', 'build/linux/apparmor-profile', 0o644);
  mkdirSync(join(stage, 'usr/bin'), { recursive: true });
  symlinkSync('/opt/Classlock/classlock', join(stage, 'usr/bin/classlock'));

  // The machine service: its bundle and the packages it loads at run time.
  const lib = join(stage, 'usr/lib/classlock');
  mkdirSync(lib, { recursive: true });
  if (existsSync('dist/service')) {
    cpSync('dist/service', lib, { recursive: true });
    if (existsSync('dist/service/classlockd.cjs'))
      copyRuntimeModules(serviceExternals(), lib, { platform: 'linux', arch: 'x64' });
  }
  // The built-in policy the service falls back on (CLASSLOCK_DEFAULT_POLICY's default).
  put(stage, 'usr/lib/classlock/default-policy.yaml', 'resources/default-policy.yaml', 0o644);
  await bundleAdminTool(join(lib, 'classlock-admin.mjs'));
  putText(
    stage,
    'usr/bin/classlock-admin',
    '#!/bin/sh\nexec /usr/bin/node /usr/lib/classlock/classlock-admin.mjs "$@"\n',
    0o755,
  );
  put(stage, 'lib/systemd/system/classlockd.service', 'build/linux/classlockd.service', 0o644);

  // Start in every desktop session; configuration example; docs.
  put(stage, 'etc/xdg/autostart/classlock.desktop', 'build/linux/classlock.desktop', 0o644);
  put(stage, 'opt/Classlock/resources/classlock.desktop', 'build/linux/classlock.desktop', 0o644);
  put(stage, 'etc/classlock/config.example.json', 'build/config.example.json', 0o644);
  put(stage, 'usr/share/pixmaps/classlock.png', 'build/icon.png', 0o644);
  put(stage, 'usr/share/doc/classlock/deployment.md', 'docs/deployment.md', 0o644);
  putText(
    stage,
    'usr/share/doc/classlock/copyright',
    `Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\nUpstream-Name: Classlock\n\nFiles: *\nCopyright: Classlock contributors\nLicense: ${pkg.license}\n`,
    0o644,
  );
  normaliseModes(stage);

  // Package metadata and maintainer scripts.
  const debian = join(stage, 'DEBIAN');
  mkdirSync(debian, { recursive: true });
  const author =
    typeof pkg.author === 'string' ? pkg.author : `${pkg.author.name} <${pkg.author.email}>`;
  const control = [
    'Package: classlock',
    `Version: ${version}`,
    'Architecture: amd64',
    `Maintainer: ${author}`,
    `Installed-Size: ${duKiB(stage)}`,
    `Depends: ${DEB_DEPENDS.join(', ')}`,
    `Recommends: ${DEB_RECOMMENDS.join(', ')}`,
    'Section: education',
    'Priority: optional',
    ...(pkg.homepage ? [`Homepage: ${pkg.homepage}`] : []),
    'Description: agreement, idle lock and staff unlock for shared school computers',
    " Classlock shows a school's acceptable-use agreement at sign-in, locks idle",
    ' sessions, lets staff unlock with a PIN and applies sanctions (such as no',
    ' internet) from one signed policy. A machine service (classlockd) holds every',
    " decision and the school's records; the client in each session only shows and",
    ' senses.',
    '',
  ].join('\n');
  writeFileSync(join(debian, 'control'), control);
  writeFileSync(join(debian, 'conffiles'), `${DEB_CONFFILES.join('\n')}\n`);
  const sums = walkFiles(stage)
    .filter((f) => !f.startsWith('DEBIAN/'))
    .sort()
    .map(
      (f) =>
        `${createHash('md5')
          .update(readFileSync(join(stage, f)))
          .digest('hex')}  ${f}`,
    );
  writeFileSync(join(debian, 'md5sums'), `${sums.join('\n')}\n`);
  for (const s of ['postinst', 'prerm', 'postrm'])
    put(stage, `DEBIAN/${s}`, `build/linux/debian/${s}`, 0o755);
  chmodSync(debian, 0o755);
  for (const f of ['control', 'conffiles', 'md5sums']) chmodSync(join(debian, f), 0o644);

  mkdirSync(outDir, { recursive: true });
  const deb = join(outDir, `classlock_${version}_amd64.deb`);
  execFileSync('dpkg-deb', ['--root-owner-group', '-Zxz', '--build', stage, deb], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return deb;
}
