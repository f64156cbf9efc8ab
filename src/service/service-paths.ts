import { join } from 'node:path';

/**
 * Where classlockd keeps its records: a folder of its own, not the world-writable one
 * earlier versions shared with every session (/var/lib/classlock), which is only read once
 * to import acceptances. systemd's StateDirectory=classlockd creates it root-only.
 */
export function defaultServiceDataDir(
  platform: NodeJS.Platform,
  env: Readonly<Record<string, string | undefined>>,
): string {
  if (platform === 'win32')
    return join(env.ProgramData ?? 'C:\\ProgramData', 'Classlock', 'service');
  return env.STATE_DIRECTORY?.split(':')[0] || '/var/lib/classlockd';
}
