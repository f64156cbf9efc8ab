import { defaultConfigSources } from '../../core/config/default-sources';
import type { ConfigSource } from '../../core/config/machine-config';
import { loadWin32 } from './windows-win32';

/** The service's machine-config sources on Windows: config.json, then Group Policy by API. */
export function windowsServiceConfigSources(): ConfigSource[] {
  return defaultConfigSources('win32', loadWin32);
}
