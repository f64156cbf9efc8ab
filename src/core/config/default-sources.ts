import { join } from 'node:path';
import { JsonFileConfigSource, machineConfigDir } from './file-source';
import type { ConfigSource } from './machine-config';
import { RegistryConfigSource } from './registry-source';
import { Win32RegistryConfigSource, type RegistryCalls } from './registry-win32';

/**
 * The file first, then (on Windows) Group Policy, which therefore wins field by field.
 * Given the registry API (the machine service passes its koffi bindings), Group Policy is
 * read through it; without, through reg.exe.
 */
export function defaultConfigSources(
  platform: NodeJS.Platform = process.platform,
  registryApi?: () => RegistryCalls,
): ConfigSource[] {
  const sources: ConfigSource[] = [
    new JsonFileConfigSource(join(machineConfigDir(platform), 'config.json')),
  ];
  if (platform === 'win32')
    sources.push(
      registryApi ? new Win32RegistryConfigSource(registryApi) : new RegistryConfigSource(),
    );
  return sources;
}
