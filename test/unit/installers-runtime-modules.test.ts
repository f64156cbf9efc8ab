import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The machine service's unbundled packages are copied into each installer with everything
 * they require, for the target platform. Run through Node, as `npm run dist` runs it.
 */
function run(code: string): { code: number; out: string; err: string } {
  const r = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const m = await import('./scripts/package-runtime-modules.mjs');\n${code}`,
    ],
    { encoding: 'utf8' },
  );
  return { code: r.status ?? 1, out: r.stdout, err: r.stderr };
}

describe('the service runtime packages', () => {
  it('follows dependencies as npm laid them out', () => {
    // ldapts needs strict-event-emitter-types, whatwg-url and more: all must come along.
    const r = run(`console.log(JSON.stringify(m.runtimeClosure(['ldapts'])))`);
    expect(r.code, r.err).toBe(0);
    const dirs = JSON.parse(r.out) as string[];
    expect(dirs).toContain('node_modules/ldapts');
    const pkg = JSON.parse(
      spawnSync(
        process.execPath,
        ['-p', "JSON.stringify(require('./node_modules/ldapts/package.json').dependencies)"],
        {
          encoding: 'utf8',
        },
      ).stdout,
    ) as Record<string, string>;
    for (const dep of Object.keys(pkg))
      expect(
        dirs.some((d) => d.endsWith(`node_modules/${dep}`)),
        dep,
      ).toBe(true);
  });

  it('refuses a missing required package by name', () => {
    const r = run(`m.runtimeClosure(['no-such-package-classlock'])`);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(
      /needs the npm package "no-such-package-classlock", which is not installed/,
    );
  });

  it("stops a Windows build that lacks a package's Windows binary, unless it is a stand-in build", async () => {
    // esbuild's per-platform binary for win32-x64 is an optional package npm skips on Linux.
    const dest = await mkdtemp(join(tmpdir(), 'classlock-rt-'));
    try {
      const strict = run(
        `m.copyRuntimeModules(['esbuild'], ${JSON.stringify(dest)}, { platform: 'win32', arch: 'x64' })`,
      );
      expect(strict.code).not.toBe(0);
      expect(strict.err).toMatch(/for win32-x64 needs @esbuild\/win32-x64/);
      const loose = run(
        `m.copyRuntimeModules(['esbuild'], ${JSON.stringify(dest)}, { platform: 'win32', arch: 'x64', allowMissing: true })`,
      );
      expect(loose.code, loose.err).toBe(0);
      expect(loose.err).toMatch(/left out of this stand-in build/);
      expect(existsSync(join(dest, 'node_modules/esbuild/package.json'))).toBe(true);
      // Linux packages are never copied into a Windows build.
      expect(existsSync(join(dest, 'node_modules/@esbuild/linux-x64'))).toBe(false);
    } finally {
      await rm(dest, { recursive: true, force: true });
    }
  });
});
