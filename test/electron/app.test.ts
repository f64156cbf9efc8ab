/**
 * The packaged shape of Classlock, driven through Playwright's Electron driver: the real
 * main process, preload and renderer, started the way Electron starts an app folder (the
 * repo root, whose package.json names dist/main/main.cjs), so the app path is the repo root
 * and resources/ is found as in a real start. It needs the Electron binary,
 * which downloads from GitHub on first run; where it is missing the suite is reported as
 * skipped, with the reason in its title, never as passed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signPolicy } from '../../src/core/policy/bundle';
import { generateSigningKeyPair } from '../../src/core/policy/keys';
import { readPolicyYamlFile } from '../../src/core/policy/policy-file';
import type { View } from '../../src/shared/view';

const NO_BINARY =
  'the Electron binary is not installed here — it downloads from GitHub on first run, which this network cannot reach';

function findElectron(): { binary: string } | { reason: string } {
  // require('electron') would start the download itself (Electron 42+): look for the
  // file it leaves behind instead.
  let binary: string;
  try {
    const dir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
    const pathFile = join(dir, 'path.txt');
    if (!existsSync(pathFile)) return { reason: NO_BINARY };
    binary = join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
  } catch {
    return { reason: NO_BINARY };
  }
  if (!existsSync(binary)) return { reason: NO_BINARY };
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return { reason: 'no display server (set DISPLAY, e.g. run under xvfb-run)' };
  }
  return { binary };
}

const found = findElectron();
const suite = 'binary' in found ? describe : describe.skip;
const title = 'binary' in found ? 'Electron app' : `Electron app (skipped: ${found.reason})`;

suite(title, () => {
  let dir: string;
  let app: ElectronApplication;
  let page: Page;
  let env: Record<string, string>;
  const binary = 'binary' in found ? found.binary : '';
  const sandboxArgs = process.getuid?.() === 0 ? ['--no-sandbox'] : [];

  const view = () => page.evaluate(() => window.classlock!.getView()) as Promise<View>;
  // The covers only (they load index.html); the on-screen control, where shown, is a data: page.
  const windows = () =>
    app.evaluate(({ BrowserWindow, screen }) =>
      BrowserWindow.getAllWindows()
        .filter((w) => w.webContents.getURL().includes('index.html'))
        .map((w) => ({
          visible: w.isVisible(),
          onTop: w.isAlwaysOnTop(),
          destroyed: w.isDestroyed(),
          fullScreen: w.isFullScreen(),
          focused: w.isFocused(),
          display: screen.getDisplayMatching(w.getBounds()).id,
        })),
    );

  beforeAll(async () => {
    const built = spawnSync(process.execPath, ['scripts/build-node.mjs'], { stdio: 'inherit' });
    expect(built.status, 'bundling the main process failed').toBe(0);
    expect(existsSync('dist/renderer/index.html'), 'run `npx vite build` first').toBe(true);

    dir = await mkdtemp(join(tmpdir(), 'classlock-electron-'));
    const keys = generateSigningKeyPair();
    const policy = await readPolicyYamlFile('resources/default-policy.yaml');
    const bundle = join(dir, 'policy.json');
    await writeFile(bundle, signPolicy({ ...policy, serial: 7 }, keys.privatePem, 'test-key'));
    const config = join(dir, 'config.json');
    await writeFile(
      config,
      JSON.stringify({ policySources: [bundle], trustedKeys: { 'test-key': keys.publicPem } }),
    );

    env = {
      ...process.env,
      CLASSLOCK_CONFIG: config,
      CLASSLOCK_DATA_DIR: join(dir, 'data'),
      ELECTRON_ENABLE_LOGGING: '1',
    } as Record<string, string>;
    app = await _electron.launch({
      executablePath: binary,
      args: [...sandboxArgs, '.'],
      env,
      timeout: 30_000,
    });
    page = await app.firstWindow();
    await page.waitForFunction(() => typeof window.classlock?.getView === 'function');
  });

  afterAll(async () => {
    if (app) {
      // Classlock refuses to quit while it covers the screen; SIGTERM is the OS ending the
      // session, which it honours.
      const proc = app.process();
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('first start shows the agreement, full screen and on top', async () => {
    await expect.poll(async () => (await view()).screen, { timeout: 10_000 }).toBe('agreement');
    const v = await view();
    if (v.screen !== 'agreement') throw new Error('not the agreement');
    await expect
      .poll(() => page.textContent('body'), { timeout: 10_000 })
      .toContain(v.agreement.title);
    const ws = await windows();
    expect(ws.some((w) => w.visible && w.onTop)).toBe(true);
  });

  it('covers each display with its own full-screen window, and the lock has the keyboard', async () => {
    const displays = await app.evaluate(({ screen }) => screen.getAllDisplays().map((d) => d.id));
    await expect
      .poll(async () => (await windows()).filter((w) => w.visible && w.fullScreen).length, {
        timeout: 10_000,
      })
      .toBe(displays.length);
    const ws = await windows();
    expect(ws.map((w) => w.display).sort()).toEqual([...displays].sort());
    await expect
      .poll(async () => (await windows()).some((w) => w.focused), { timeout: 10_000 })
      .toBe(true);
  });

  it('after accepting, the windows hide; lock now covers the screen again', async () => {
    let v = await view();
    while (v.screen === 'agreement') {
      const a = v.agreement;
      v = (await page.evaluate(
        (x) =>
          window.classlock!.send({
            type: 'acceptAgreement',
            agreementId: x.id,
            version: x.version,
          }),
        { id: a.id, version: a.version },
      )) as View;
    }
    expect(v.screen).toBe('none');
    await expect.poll(async () => (await windows()).every((w) => !w.visible)).toBe(true);

    const locked = (await page.evaluate(() => window.classlock!.send({ type: 'lockNow' }))) as View;
    expect(locked.screen).toBe('locked');
    await expect.poll(async () => (await windows()).every((w) => w.visible && w.onTop)).toBe(true);
  });

  it('refuses to close while locked', async () => {
    const stillThere = await app.evaluate(async ({ BrowserWindow }) => {
      const w = BrowserWindow.getAllWindows()[0];
      w?.close();
      await new Promise((r) => setTimeout(r, 300));
      return !!w && !w.isDestroyed() && w.isVisible();
    });
    expect(stillThere).toBe(true);
    expect((await view()).screen).toBe('locked');
  });
});

suite(
  `classlock --self-test${'binary' in found ? '' : ` (skipped: ${'reason' in found ? found.reason : ''})`}`,
  () => {
    it('prints one PASS or FAIL line per check, and exits 0 only when none failed', () => {
      const binary = 'binary' in found ? found.binary : '';
      const r = spawnSync(
        binary,
        [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), '.', '--self-test'],
        {
          encoding: 'utf8',
          timeout: 60_000,
          env: { ...process.env, CLASSLOCK_CONFIG: join(tmpdir(), 'classlock-no-config.json') },
        },
      );
      const lines = r.stdout.split('\n').filter((l) => /^(PASS|FAIL) /.test(l));
      const names = lines.map((l) => l.split(/\s+/)[1]);
      // A Wayland session without the XWayland switch adds a failing 'display' line.
      expect(names.slice(0, 6)).toEqual([
        'covers',
        'focus',
        'sandbox',
        'idle',
        'shortcuts',
        'tray',
      ]);
      const failed = lines.filter((l) => l.startsWith('FAIL'));
      for (const l of failed) expect(l).toMatch(/what to do: /);
      expect(r.status).toBe(failed.length ? 1 : 0);
    });
  },
);
