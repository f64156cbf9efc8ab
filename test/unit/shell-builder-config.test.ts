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
      validate({ ...config, nsis: { ...config.nsis, perMachne: true } }),
    ).rejects.toThrow(/Invalid configuration object[\s\S]*configuration\.nsis/);
  });

  it('builds per-machine NSIS and MSI for Windows, deb and AppImage for Linux', () => {
    const targets = (list: { target: string }[]) => list.map((t) => t.target);
    expect(targets(config.win.target)).toEqual(['nsis', 'msi']);
    expect(targets(config.linux.target)).toEqual(['deb', 'AppImage']);
    expect(config.nsis.perMachine).toBe(true);
    expect(config.nsis.oneClick).toBe(false);
    expect(config.msi.perMachine).toBe(true);
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

  it('ships the default policy where IT can read it, and every script the installers run', () => {
    expect(config.extraResources).toContainEqual({
      from: 'resources/default-policy.yaml',
      to: 'default-policy.yaml',
    });
    const shipped = [
      config.nsis.include,
      config.deb.afterInstall,
      config.deb.afterRemove,
      ...config.win.extraResources.map((r: { from: string }) => r.from),
      ...config.linux.extraResources.map((r: { from: string }) => r.from),
    ];
    for (const file of shipped) expect(() => readFileSync(file), file).not.toThrow();
  });

  it('the NSIS installer runs the same machine script as MSI deployments', () => {
    const nsh = readFileSync(config.nsis.include, 'utf8');
    expect(nsh).toContain('prepare-machine.cmd');
    const cmd = readFileSync('build/win/prepare-machine.cmd', 'utf8');
    expect(cmd).toContain('HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run');
    // Every grant is quoted: an unquoted "(OI)" inside a cmd block would end the block.
    for (const grant of cmd.match(/\S*\*S-1-[0-9-]+:\S+/g) ?? []) {
      expect(grant.startsWith('"') && grant.endsWith('"'), grant).toBe(true);
    }
    expect(cmd).toMatch(/\r\n/);
  });

  it('the deb starts Classlock at every login from /etc/xdg/autostart', () => {
    const post = readFileSync(config.deb.afterInstall, 'utf8');
    expect(post).toContain('/etc/xdg/autostart/classlock.desktop');
    const desktop = readFileSync('build/linux/classlock-autostart.desktop', 'utf8');
    expect(desktop).toContain(`Exec=/opt/${config.productName}/${config.linux.executableName}`);
  });
});
