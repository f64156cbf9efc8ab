// The machine service is one esbuild bundle except for the packages that cannot be
// bundled (koffi's prebuilt native code; dbus-next is kept whole as the build leaves it
// external). This copies those packages and everything they require, as npm laid them
// out, keeping only the optional per-platform packages that match the target.
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/** Where Node would find `name` when required from the package in `fromDir`. */
function resolvePackageDir(name, fromDir, root) {
  let dir = fromDir;
  for (;;) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === root) return undefined;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

function fits(pkg, platform, arch) {
  const ok = (list, value) =>
    !Array.isArray(list) ||
    (list.some((x) => x.startsWith('!')) ? !list.includes(`!${value}`) : list.includes(value));
  return ok(pkg.os, platform) && ok(pkg.cpu, arch);
}

/**
 * Folders (relative to `root`) of `names` and their dependency closure. Missing required
 * packages are an error; missing or foreign optional ones are skipped.
 */
export function runtimeClosure(
  names,
  { root = process.cwd(), platform = 'linux', arch = 'x64', missing = [] } = {},
) {
  const found = new Map();
  const visit = (name, fromDir, optional) => {
    const dir = resolvePackageDir(name, fromDir, root);
    if (!dir) {
      // npm installs only this machine's optional per-platform packages (koffi's win32
      // build is absent on Linux): recorded for the caller, which says so.
      if (optional) {
        missing.push(name);
        return;
      }
      throw new Error(
        `the machine service needs the npm package "${name}", which is not installed (run npm ci)`,
      );
    }
    if (found.has(dir)) return;
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    if (!fits(pkg, platform, arch)) return;
    found.set(dir, pkg);
    for (const dep of Object.keys(pkg.dependencies ?? {})) visit(dep, dir, false);
    for (const dep of Object.keys(pkg.optionalDependencies ?? {})) visit(dep, dir, true);
  };
  for (const n of names) visit(n, root, false);
  return [...found.keys()].map((d) => relative(root, d)).sort();
}

/** Copies the closure into `dest` (dest/node_modules/...); returns the folders copied. */
export function copyRuntimeModules(names, dest, opts = {}) {
  const root = opts.root ?? process.cwd();
  const missing = [];
  const dirs = runtimeClosure(names, { ...opts, missing });
  const target = `${opts.platform ?? 'linux'}-${opts.arch ?? 'x64'}`;
  const foreign = missing.filter((m) => m.includes(target));
  if (foreign.length > 0) {
    const what = `the machine service for ${target} needs ${foreign.join(', ')}, which npm did not install on this machine (npm install --no-save --os=${opts.platform} --cpu=${opts.arch ?? 'x64'} ${foreign.join(' ')})`;
    // A stand-in build (tests only) goes on without them and says so.
    if (!opts.allowMissing) throw new Error(what);
    console.warn(`note: ${what}; left out of this stand-in build`);
  }
  for (const d of dirs) {
    cpSync(join(root, d), join(dest, d), {
      recursive: true,
      dereference: true,
      // Sources, tests and docs are not needed to run; keep licences.
      filter: (src) =>
        (!/[\\/](test|tests|docs|\.github)$/.test(src) && !/\.(md|ts|map)$/i.test(src)) ||
        /LICEN[SC]E/i.test(src),
    });
  }
  return dirs;
}

/** The packages the bundled service leaves external, read from scripts/build-node.mjs. */
export function serviceExternals() {
  const src = readFileSync('scripts/build-node.mjs', 'utf8');
  const m = /entry: 'src\/service\/classlockd-main\.ts',[\s\S]*?external: \[([^\]]*)\]/.exec(src);
  if (!m) return [];
  return [...m[1].matchAll(/'([^']+)'/g)].map((x) => x[1]);
}
