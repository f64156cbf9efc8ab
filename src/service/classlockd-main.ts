import { machineIdSync } from 'node-machine-id';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../core/clock';
import { defaultConfigSources } from '../core/config/default-sources';
import { loadMachineConfig } from '../core/config/machine-config';
import { DirectNftablesEnforcer } from '../core/enforcement/nftables-enforcer';
import { PosixGroups } from '../core/identity/groups';
import { readPolicyYamlFile } from '../core/policy/policy-file';
import { DEFAULT_SERVICE_SOCKET } from '../shared/service-protocol';
import { startClasslockd } from './classlockd';
import { osIdentityResolver } from './identity';
import { linuxSessionSource } from './os/logind-choose';
import { accountOfUid, PeerCredProvider, uidOfAccount } from './peer-credentials';
import { createLogger } from '../log/pino-logger';
import { defaultServiceDataDir } from './service-paths';

/**
 * Entry point of classlockd.service (Linux, root). Settings: the machine config
 * (/etc/classlock/config.json; its dataDir moves the data folder), and from the unit's
 * environment CLASSLOCK_SOCKET (default /run/classlock/classlockd.sock),
 * CLASSLOCK_DATA_DIR (wins over the config's dataDir), CLASSLOCK_MIN_UID (default 1000)
 * and CLASSLOCK_DEFAULT_POLICY (the built-in policy file,
 * default /usr/lib/classlock/default-policy.yaml).
 */
const LEGACY_DATA_DIR = '/var/lib/classlock';

async function main(): Promise<void> {
  if (process.platform !== 'linux')
    throw new Error(
      'This entry point is the Linux service; Windows hosting is described in docs/windows-service.md.',
    );
  if (process.getuid?.() !== 0)
    throw new Error('classlockd must run as root (it is started by classlockd.service).');
  const env = process.env;
  // One line per event on stderr, which systemd's journal keeps with its level.
  const logger = createLogger({ name: 'classlockd' });
  const loaded = await loadMachineConfig(defaultConfigSources('linux'));
  for (const p of loaded.problems) console.error(`classlockd: ${p}`);
  const config = loaded.config;
  const defaultPolicyPath =
    env.CLASSLOCK_DEFAULT_POLICY ?? join('/usr/lib/classlock', 'default-policy.yaml');
  const minUid = env.CLASSLOCK_MIN_UID ? Number(env.CLASSLOCK_MIN_UID) : 1000;
  const groups = new PosixGroups();
  const service = await startClasslockd({
    socketPath: env.CLASSLOCK_SOCKET ?? DEFAULT_SERVICE_SOCKET.linux,
    dataDir: env.CLASSLOCK_DATA_DIR ?? config?.dataDir ?? defaultServiceDataDir('linux', env),
    dataDirOwner: 0,
    clock: systemClock,
    config,
    defaultPolicy: () => readPolicyYamlFile(defaultPolicyPath),
    source: await linuxSessionSource({ onFallback: (why) => console.error(`classlockd: ${why}`) }),
    peers: new PeerCredProvider(),
    resolveIdentity: osIdentityResolver({ accountOfUid, groups, minUid, log: console.error }),
    groups,
    hostname: hostname(),
    readOsMachineId: () => machineIdSync(),
    enforcer: new DirectNftablesEnforcer(),
    minUid,
    version: process.env.CLASSLOCK_VERSION ?? '0.0.0',
    log: (line) => logger.info(line),
    logger,
    // The world-writable folder of versions before the service is imported once (and
    // removed) only when the unit asks: the packages keep it until purge for now.
    ...(env.CLASSLOCK_IMPORT_LEGACY === '1'
      ? {
          legacyDir: LEGACY_DATA_DIR,
          uidOfAccount: async (account: string) => uidOfAccount(account),
        }
      : {}),
  });
  console.log(`classlockd listening on ${service.socketPath} (data in ${service.dataDir})`);
  const stop = (): void => {
    void service.close().finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  console.error(`classlockd: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
