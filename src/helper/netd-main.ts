import { readFile } from 'node:fs/promises';
import { DirectNftablesEnforcer, DEFAULT_NETD_SOCKET } from '../core/enforcement/nftables-enforcer';
import { startNetd } from './netd';

/**
 * Entry point of classlock-netd.service. Settings come from the unit's environment:
 * CLASSLOCK_NETD_SOCKET (default /run/classlock/netd.sock), CLASSLOCK_NETD_GROUP (the group
 * whose members may use the socket, default users), CLASSLOCK_NETD_MIN_UID (default 1000).
 */
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
