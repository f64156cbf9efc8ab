import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AuditLog } from '../core/audit/audit-log';
import type { Clock } from '../core/clock';
import { defaultConfigSources } from '../core/config/default-sources';
import { JsonFileConfigSource } from '../core/config/file-source';
import {
  loadMachineConfig,
  type ConfigSource,
  type MachineConfig,
} from '../core/config/machine-config';
import type { RestrictionEnforcer } from '../core/enforcement/enforcer';
import { PolicyService, type PolicyMeta } from '../core/fetch/policy-service';
import type { GroupSource } from '../core/identity/groups';
import { readPolicyYamlFile } from '../core/policy/policy-file';
import type { Policy } from '../core/policy/schema';
import { SessionRuntime, type SessionShell } from '../core/session/runtime';
import { TrustedTime } from '../core/time/trusted-time';
import { ldapVerifierFor } from '../core/unlock/ldap-verifier';
import { parseUser } from '../core/identity/user';
import { userFileKey } from '../core/storage/user-file-key';
import { defaultDataDir } from './config/machine-paths';
import { resolveMachineId, type MachineId } from './os/machine-id';

/** Everything the session needs from the machine, handed in so a test can give its own. */
export interface BootstrapOptions {
  platform: NodeJS.Platform;
  env: Readonly<Record<string, string | undefined>>;
  clock: Clock;
  /** As the OS reports it, e.g. SCHOOL\jsmith. */
  account: string;
  /** The bare name groups are looked up by. */
  username: string;
  hostname: string;
  uid?: number;
  groups: GroupSource;
  /** The policy shipped with the app (resources/default-policy.yaml). */
  defaultPolicyPath: string;
  /** Default: the machine config file, then Group Policy on Windows. */
  configSources?: ConfigSource[];
  /** A config.json to read instead of the machine's (unpackaged test runs only). */
  configFile?: string;
  /** Wins over the machine config's dataDir (unpackaged test runs only). */
  dataDir?: string;
  readOsMachineId: () => string;
  shell: SessionShell;
  enforcer?: RestrictionEnforcer;
  log: (message: string) => void;
}

export interface Bootstrapped {
  runtime: SessionRuntime;
  machineConfig: MachineConfig | null;
  machineId: MachineId;
  dataDir: string;
  /** One line for the tray. */
  policyStatus(): string;
  /** The signed bundle in force, as published: the Linux helper needs it to lift early. */
  currentBundle(): string | undefined;
  /** The policy in force now (for the tray's rules). */
  policy(): Policy;
  stop(): void;
}

/**
 * The data folder's layout, which the installers' rights follow (docs/deployment.md):
 * records each user adds to (acceptances/, pins/, throttle/, audit.jsonl), the machine id,
 * and state/ that every session replaces as a whole (policy cache, trusted time).
 *
 * Builds one desktop session from the machine: config (file, then Group Policy), data
 * folder, machine id, trusted time, the policy (cached signed bundle, else the default),
 * and the SessionRuntime wired to the shell. No Electron here, so the whole start-up path
 * runs in a plain Node test.
 */
export async function bootstrapSession(o: BootstrapOptions): Promise<Bootstrapped> {
  const sources = o.configFile
    ? [new JsonFileConfigSource(o.configFile)]
    : (o.configSources ?? defaultConfigSources(o.platform));
  const loaded = await loadMachineConfig(sources);
  for (const p of loaded.problems) o.log(p);
  const config = loaded.config;

  const dataDir = o.dataDir ?? config?.dataDir ?? defaultDataDir(o.platform, o.env);
  const machineId = await resolveMachineId({
    file: join(dataDir, 'machine-id'),
    readOsId: o.readOsMachineId,
  });
  if (machineId.source === 'generated') {
    o.log(`The OS machine id could not be read; using Classlock's own id ${machineId.id}.`);
  }

  const audit = new AuditLog(join(dataDir, 'audit.jsonl'), machineId.id, () => o.clock.now());
  const trustedTime = await TrustedTime.load(join(dataDir, 'state', 'trusted-time.json'), {
    clock: o.clock,
  });
  if (trustedTime.problem) o.log(trustedTime.problem);

  const defaultPolicy = () => readPolicyYamlFile(o.defaultPolicyPath);
  let current: Policy | undefined;
  const inForce = (): Policy => {
    if (!current) throw new Error('No policy is in force: neither a saved nor the built-in one');
    return current;
  };
  // Filled in once the runtime exists; a policy arriving before that is applied after it.
  const late: { runtime?: SessionRuntime } = {};
  let service: PolicyService | undefined;

  const onPolicy = async (policy: Policy, meta: PolicyMeta) => {
    current = policy;
    o.log(`Policy ${meta.serial} in force (${meta.origin}, ${meta.source}).`);
    if (late.runtime) await late.runtime.policyChanged(policy);
  };

  if (config) {
    service = new PolicyService({
      sources: config.policySources,
      trustedKeys: config.trustedKeys,
      ...policyCopies(dataDir, o.account),
      pollSeconds: config.pollSeconds,
      maxBytes: config.maxPolicyBytes,
      audit,
      clock: o.clock,
      trustedTime,
      onPolicy,
      defaultPolicy,
    });
    await service.start();
  } else {
    await onPolicy(await defaultPolicy(), {
      origin: 'default',
      source: 'default',
      serial: 0,
      keyId: null,
      issuedAt: 0,
    });
  }
  // The service puts its saved copy or the built-in policy in force before start() returns.
  const policy = inForce();

  const groups = await o.groups.groupsOf(o.username).catch((err: unknown) => {
    // Without groups the role falls back to the policy's default (pupil): the strictest.
    o.log(`Could not read the user's groups: ${String(err)}`);
    return [] as string[];
  });

  const serviceAccount = await readServiceAccount(config, o.log);
  const caPem = await readDirectoryCa(config, o.log);
  const ldap = ldapVerifierFor(policy, {
    ...(serviceAccount ? { serviceAccount } : {}),
    ...(caPem ? { caPem } : {}),
  });

  if (o.enforcer) {
    await o.enforcer
      .clearLeftovers()
      .catch((err: unknown) => o.log(`Could not clear old internet restrictions: ${String(err)}`));
  }

  const runtime = await SessionRuntime.create({
    clock: o.clock,
    account: o.account,
    groups,
    groupSource: o.groups,
    hostname: o.hostname,
    machineId: machineId.id,
    ...(config?.profile ? { profileId: config.profile } : {}),
    policy,
    dataDir,
    shell: o.shell,
    audit,
    ...(ldap ? { verifiers: [ldap] } : {}),
    ...(o.enforcer ? { enforcer: o.enforcer } : {}),
    ...(o.uid !== undefined ? { uid: o.uid } : {}),
    infrastructureHosts: infrastructureHosts(config, policy),
    trustedNow: () => trustedTime.now(),
  });
  late.runtime = runtime;
  // Put back a restriction something outside Classlock undid (the enforcers are idempotent).
  const reassert = config
    ? setInterval(() => void runtime.reassert(), config.pollSeconds * 1000).unref()
    : undefined;
  // A policy that arrived while the runtime was being built is applied now.
  if (current && current !== policy) await runtime.policyChanged(current);

  return {
    runtime,
    machineConfig: config,
    machineId,
    dataDir,
    policyStatus: () => service?.status() ?? 'Built-in default policy (no machine config)',
    currentBundle: () => service?.currentBundleText(),
    policy: inForce,
    stop: () => {
      service?.stop();
      clearInterval(reassert);
    },
  };
}

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
async function readDirectoryCa(
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

async function readServiceAccount(
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

/**
 * Where the last good policy is kept: one copy per user in `policies/` (each session can
 * rewrite only its own; the newest of all goes in force at start), plus the single shared
 * file of earlier versions, still read so an upgrade starts from it.
 */
function policyCopies(dataDir: string, account: string) {
  const folder = join(dataDir, 'policies');
  return {
    cachePath: join(folder, `${userFileKey(parseUser(account))}.json`),
    otherCaches: async () => [
      join(dataDir, 'state', 'policy-cache.json'),
      ...(await readdir(folder).catch(() => []))
        // Only names a session writes (userFileKey): anything else was not put there by Classlock.
        .filter((name) => /^[0-9a-f]{32}\.json$/.test(name))
        .map((name) => join(folder, name)),
    ],
  };
}
