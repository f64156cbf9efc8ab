import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// electron-builder has no "validate" command; its own schema check runs without building.
const require = createRequire(import.meta.url);
const { validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
  validateConfiguration: (config: unknown, logger: unknown) => Promise<void>;
};
const { DebugLogger } = require('builder-util') as {
  DebugLogger: new (enabled?: boolean) => unknown;
};

type Config = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const config = parse(readFileSync('electron-builder.yml', 'utf8')) as Config;
const validate = (c: unknown) => validateConfiguration(c, new DebugLogger(false));

describe('electron-builder.yml', () => {
  it("passes electron-builder's own schema", async () => {
    await expect(validate(config)).resolves.toBeUndefined();
  });

  it('the schema check is real: a misspelt option is refused', async () => {
    await expect(
      validate({ ...config, win: { ...config.win, executableNme: 'x' } }),
    ).rejects.toThrow(/Invalid configuration object[\s\S]*configuration\.win/);
  });

  it('packs an unpacked folder per platform: the installers are built from it by scripts/package-*', () => {
    const targets = (list: { target: string }[]) => list.map((t) => t.target);
    expect(targets(config.win.target)).toEqual(['dir']);
    expect(targets(config.linux.target)).toEqual(['dir']);
    // The names the installers' scripts and the autostart entry rely on.
    expect(config.productName).toBe('Classlock');
    expect(config.linux.executableName).toBe('classlock');
    expect(config.win.executableName).toBe('Classlock');
    const desktop = readFileSync('build/linux/classlock.desktop', 'utf8');
    expect(desktop).toContain(`Exec=/opt/${config.productName}/${config.linux.executableName} `);
  });

  it('packaged builds cannot be run as plain Node, inspected or loaded outside the checked asar', () => {
    expect(config.asar).toBe(true);
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    });
  });

  it('ships the default policy where IT can read it, and keeps the service and admin tool out of app.asar', () => {
    expect(config.extraResources).toContainEqual({
      from: 'resources/default-policy.yaml',
      to: 'default-policy.yaml',
    });
    expect(config.files).toContain('!dist/service/**');
    expect(config.files).toContain('!dist/admin/**');
    // The hub is a server of its own, never part of a terminal's client.
    expect(config.files).toContain('!dist/hub/**');
    expect(config.files).toContain('!dist/hub-dashboard/**');
  });
});
