import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { policyWith, tempDir } from '../support/policy';
import { launchChromium, shownScreen } from './harness';

/**
 * `classlock-admin preview`, run as IT runs it: a child process serving the real screens
 * with the policy's session behind them, opened in Chromium.
 */
let browser: Browser;
let dir: { path: string; remove: () => Promise<void> };
let child: ChildProcess | undefined;

beforeAll(async () => {
  browser = await launchChromium();
  dir = await tempDir('classlock-preview-');
});
afterAll(async () => {
  child?.kill('SIGTERM');
  await browser?.close();
  await dir?.remove();
});

function startPreview(args: string[]): Promise<{ url: string; controls: string }> {
  child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/admin/cli-entry.ts', 'preview', ...args],
    {
      env: { ...process.env, CLASSLOCK_PREVIEW_SECONDS: '60' },
    },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`preview printed no address: ${out}`)), 20_000);
    child!.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const url = /open (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)?.[1];
      const controls = /Controls[^:]*: (\S+)/.exec(out)?.[1];
      if (url && controls) {
        clearTimeout(timer);
        resolve({ url, controls });
      }
    });
    child!.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child!.on('exit', (code) => reject(new Error(`preview exited (${code}): ${out}`)));
  });
}

describe('classlock-admin preview', () => {
  it('shows IT the staff agreement as its policy words it, then the lock, on loopback only', async () => {
    const policy = policyWith((p) => {
      p.agreements.find((a) => a.id === 'staff-aua')!.title = 'Our staff agreement for 2027';
    });
    const file = join(dir.path, 'policy.yaml');
    await writeFile(file, stringify(policy));
    const { url, controls } = await startPreview([file, '--role', 'staff']);
    expect(new URL(url).hostname).toBe('127.0.0.1');

    const page = await browser.newPage();
    await page.goto(url);
    await page
      .getByRole('heading', { name: 'Our staff agreement for 2027' })
      .waitFor({ timeout: 10_000 });
    expect(await shownScreen(page)).toBe('agreement');

    const token = new URLSearchParams(new URL(controls).hash.slice(1)).get('token') ?? '';
    const r = await fetch(new URL('/api/preview/lock', controls), {
      method: 'POST',
      headers: { 'x-classlock-token': token },
    });
    expect(r.ok).toBe(true);
    // Lock now does nothing on an agreement screen: the preview shows what a terminal would.
    expect(((await r.json()) as { screen: string }).screen).toBe('agreement');
    await page.close();
  });

  it('refuses an invalid policy with the YAML path and line', async () => {
    const file = join(dir.path, 'bad.yaml');
    await writeFile(file, 'serial: one\n');
    const p = spawn(process.execPath, [
      '--import',
      'tsx',
      'src/admin/cli-entry.ts',
      'preview',
      file,
    ]);
    let err = '';
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((ok) => p.on('exit', ok));
    expect(code).toBe(1);
    expect(err).toMatch(/serial/);
  });
});
