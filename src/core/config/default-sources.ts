import { join } from 'node:path';
import { JsonFileConfigSource, machineConfigDir } from './file-source';
import type { ConfigSource } from './machine-config';
import { RegistryConfigSource } from './registry-source';

/** The file first, then (on Windows) Group Policy, which therefore wins field by field. */
export function defaultConfigSources(platform: NodeJS.Platform = process.platform): ConfigSource[] {
  const sources: ConfigSource[] = [
    new JsonFileConfigSource(join(machineConfigDir(platform), 'config.json')),
  ];
  if (platform === 'win32') sources.push(new RegistryConfigSource());
  return sources;
}
