import { join } from 'node:path';

/**
 * The machine-wide data folder: acceptances, PIN hashes, throttle state, the audit log,
 * the policy cache, the machine id. Machine-wide because school PCs often use mandatory or
 * roaming profiles that are wiped at logoff. The installer creates it with the rights
 * docs/deployment.md lists; the machine config's `dataDir` moves it.
 */
export function defaultDataDir(
  platform: NodeJS.Platform,
  env: Readonly<Record<string, string | undefined>>,
): string {
  if (platform === 'win32') return join(env.ProgramData ?? 'C:\\ProgramData', 'Classlock', 'data');
  if (platform === 'darwin') return '/Library/Application Support/Classlock/data';
  return '/var/lib/classlock';
}

/**
 * Folders a test run (an unpackaged build) may point elsewhere. A packaged build ignores
 * these variables, so nobody can start the installed app against a config of their own.
 */
export interface DevOverrides {
  configFile?: string;
  dataDir?: string;
  /** The machine service's socket (a test's own classlockd). */
  serviceSocket?: string;
}

export function devOverrides(
  isPackaged: boolean,
  env: Readonly<Record<string, string | undefined>>,
): DevOverrides {
  if (isPackaged) return {};
  return {
    ...(env.CLASSLOCK_CONFIG ? { configFile: env.CLASSLOCK_CONFIG } : {}),
    ...(env.CLASSLOCK_DATA_DIR ? { dataDir: env.CLASSLOCK_DATA_DIR } : {}),
    ...(env.CLASSLOCK_SOCKET ? { serviceSocket: env.CLASSLOCK_SOCKET } : {}),
  };
}
