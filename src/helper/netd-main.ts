import { readFile } from 'node:fs/promises';
import { defaultConfigSources } from '../core/config/default-sources';
import { loadMachineConfig } from '../core/config/machine-config';
import { DirectNftablesEnforcer, DEFAULT_NETD_SOCKET } from '../core/enforcement/nftables-enforcer';
import type { TrustedKeys } from '../core/policy/bundle';
import { startNetd } from './netd';

/**
 * Entry point of classlock-netd.service. Settings come from the unit's environment:
 * CLASSLOCK_NETD_SOCKET (default /run/classlock/netd.sock), CLASSLOCK_NETD_GROUP (the group
 * whose members may use the socket, default users), CLASSLOCK_NETD_MIN_UID (default 1000),
 * and the state folder for the highest policy serial seen: STATE_DIRECTORY (set by the
 * unit's StateDirectory=), else CLASSLOCK_NETD_STATE_DIR, else /var/lib/classlock-netd.
 * The keys that may sign the policy are the machine config's trustedKeys
 * (/etc/classlock/config.json), the same the desktop app trusts.
 */
const DEFAULT_STATE_DIR = '/var/lib/classlock-netd';

/** Read each time it is needed, so a key IT adds or withdraws counts without a restart. */
async function machineTrustedKeys(): Promise<TrustedKeys> {
  const { config, problems } = await loadMachineConfig(defaultConfigSources('linux'));
  for (const p of problems) console.error(`classlock-netd: ${p}`);
  return new Map(Object.entries(config?.trustedKeys ?? {}));
}

async function groupId(name: string): Promise<number> {
  if (/^\d+$/.test(name)) return Number(name);
  const text = await readFile('/etc/group', 'utf8');
  for (const line of text.split('\n')) {
    const [group, , gid] = line.split(':');
    if (group === name && gid) return Number(gid);
  }
  throw new Error(
    `classlock-netd: the group "${name}" does not exist here; set CLASSLOCK_NETD_GROUP in the unit to a group every pupil is in (a numeric gid works for directory groups).`,
  );
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) {
    throw new Error('classlock-netd must run as root (it is started by classlock-netd.service).');
  }
  const env = process.env;
  const netd = await startNetd({
    socketPath: env.CLASSLOCK_NETD_SOCKET ?? DEFAULT_NETD_SOCKET,
    enforcer: new DirectNftablesEnforcer(),
    minUid: env.CLASSLOCK_NETD_MIN_UID ? Number(env.CLASSLOCK_NETD_MIN_UID) : 1000,
    socketGid: await groupId(env.CLASSLOCK_NETD_GROUP ?? 'users'),
    socketMode: 0o660,
    trustedKeys: machineTrustedKeys,
    // systemd may list several folders separated by colons; the first is ours.
    stateDir:
      env.STATE_DIRECTORY?.split(':')[0] || env.CLASSLOCK_NETD_STATE_DIR || DEFAULT_STATE_DIR,
  });
  console.log(`classlock-netd listening on ${netd.socketPath}`);
  const stop = (): void => {
    void netd.close().finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
