/**
 * The packaged shape of Classlock, driven through Playwright's Electron driver: the real
 * main process (dist/main/main.cjs), preload and renderer. It needs the Electron binary,
 * which downloads from GitHub on first run; where it is missing the suite is reported as
 * skipped, with the reason in its title, never as passed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signPolicy } from '../../src/core/policy/bundle';
import { generateSigningKeyPair } from '../../src/core/policy/keys';
import { readPolicyYamlFile } from '../../src/core/policy/policy-file';
import type { View } from '../../src/shared/view';

function findElectron(): { binary: string } | { reason: string } {
  let binary: unknown;
  try {
    // The electron package's main export is the path of the binary it downloaded.
    binary = createRequire(import.meta.url)('electron');
  } catch {
    return {
      reason:
        'the Electron binary is not installed here — it downloads from GitHub on first run, which this network cannot reach',
    };
  }
  if (typeof binary !== 'string' || !existsSync(binary)) {
    return {
      reason:
        'the Electron binary is not installed here — it downloads from GitHub on first run, which this network cannot reach',
    };
  }
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

  const view = () => page.evaluate(() => window.classlock!.getView()) as Promise<View>;
  const windows = () =>
    app.evaluate(({ BrowserWindow }) =>
      BrowserWindow.getAllWindows().map((w) => ({
        visible: w.isVisible(),
        onTop: w.isAlwaysOnTop(),
        destroyed: w.isDestroyed(),
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

    const binary = 'binary' in found ? found.binary : '';
    app = await _electron.launch({
      executablePath: binary,
      args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), 'dist/main/main.cjs'],
      env: {
        ...process.env,
        CLASSLOCK_CONFIG: config,
        CLASSLOCK_DATA_DIR: join(dir, 'data'),
        ELECTRON_ENABLE_LOGGING: '1',
      } as Record<string, string>,
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
