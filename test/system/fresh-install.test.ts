/**
 * README command 1 on a fresh clone: `npm install` with no special variables must succeed
 * on a machine that cannot reach GitHub (this one cannot), because no install step may
 * need Electron's binary. The clone is of the committed HEAD; packages come from npm's
 * cache where it has them.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const INSTALL_TIMEOUT_MS = 8 * 60_000;

function whyNot(): string | undefined {
  if (spawnSync('git', ['--version']).status !== 0) return 'git is not installed';
  const inside = spawnSync('git', ['-C', ROOT, 'rev-parse', '--is-inside-work-tree'], {
    encoding: 'utf8',
  });
  if (inside.stdout.trim() !== 'true') return 'not in a git checkout';
  return undefined;
}

const reason = whyNot();
let dir = '';
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a fresh clone installs without Electron’s download', () => {
  it.skipIf(reason !== undefined)(
    `npm install exits 0 with no special variables${reason ? ` (skipped: ${reason})` : ''}`,
    async () => {
      dir = await mkdtemp(join(tmpdir(), 'classlock-clone-'));
      const clone = join(dir, 'classlock');
      await run('git', ['clone', '--quiet', '--no-hardlinks', ROOT, clone], { timeout: 60_000 });
      const env: NodeJS.ProcessEnv = { ...process.env, npm_config_loglevel: 'error' };
      // The variable README command 1 must not need, and the CI script no longer sets.
      delete env.ELECTRON_SKIP_BINARY_DOWNLOAD;
      for (const k of Object.keys(env))
        if (/^npm_config_(ignore_scripts|offline)$/i.test(k)) delete env[k];
      const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], {
        cwd: clone,
        env,
        encoding: 'utf8',
        timeout: INSTALL_TIMEOUT_MS,
      });
      const tail = `${r.stdout}\n${r.stderr}`.split('\n').slice(-15).join('\n');
      expect(r.error?.message, tail).toBeUndefined();
      expect(r.status, tail).toBe(0);
      // The install left the parts npm start needs: Electron's package and its types.
      expect(existsSync(join(clone, 'node_modules/electron/electron.d.ts'))).toBe(true);
      expect(existsSync(join(clone, 'dist/admin/cli.mjs'))).toBe(true);
    },
    INSTALL_TIMEOUT_MS + 90_000,
  );
});
