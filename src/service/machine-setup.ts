import { readFile } from 'node:fs/promises';
import type { MachineConfig } from '../core/config/machine-config';
import type { Policy } from '../core/policy/schema';

/**
 * Hosts an internet sanction must never cut off: the policy server (or else a lifted
 * sanction could never arrive) and the directory (or else staff could not unlock).
 */
export function infrastructureHosts(config: MachineConfig | null, policy: Policy): string[] {
  const hosts = new Set<string>();
  const add = (url: string) => {
    try {
      const u = new URL(url);
      if (u.hostname) hosts.add(u.hostname.replace(/^\[|\]$/g, ''));
    } catch {
      const unc = /^\\\\([^\\]+)\\/.exec(url);
      if (unc?.[1]) hosts.add(unc[1]);
    }
  };
  for (const s of config?.policySources ?? []) add(s);
  for (const u of policy.directory?.urls ?? []) add(u);
  return [...hosts].sort();
}

/** Node does not read the Windows certificate store: the school's CA comes from the machine config. */
export async function readDirectoryCa(
  config: MachineConfig | null,
  log: (m: string) => void,
): Promise<string | undefined> {
  if (!config?.directoryCaFile) return undefined;
  try {
    return await readFile(config.directoryCaFile, 'utf8');
  } catch (err) {
    log(`Could not read the directory CA file ${config.directoryCaFile}: ${String(err)}`);
    return undefined;
  }
}

export async function readServiceAccount(
  config: MachineConfig | null,
  log: (m: string) => void,
): Promise<{ dn: string; password: string } | undefined> {
  const sa = config?.directoryServiceAccount;
  if (!sa) return undefined;
  try {
    const password = (await readFile(sa.passwordFile, 'utf8')).replace(/\r?\n$/, '');
    return { dn: sa.dn, password };
  } catch (err) {
    log(`Could not read the directory service account's password file: ${String(err)}`);
    return undefined;
  }
}
