import type { Logger } from '../core/log';
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { AcceptanceStore } from '../core/agreements/acceptance-store';
import { AuditLog } from '../core/audit/audit-log';
import type { Clock } from '../core/clock';
import type { MachineConfig } from '../core/config/machine-config';
import type { RestrictionEnforcer } from '../core/enforcement/enforcer';
import { PolicyService, type PolicyMeta } from '../core/fetch/policy-service';
import type { GroupSource } from '../core/identity/groups';
import type { Policy } from '../core/policy/schema';
import { SeenSanctions } from '../core/policy/seen-sanctions';
import { SessionRuntime } from '../core/session/runtime';
import { importLegacyLayout } from '../core/storage/legacy-import';
import { TrustedTime } from '../core/time/trusted-time';
import { ldapVerifierFor } from '../core/unlock/ldap-verifier';
import { infrastructureHosts, readDirectoryCa, readServiceAccount } from './machine-setup';
import { resolveMachineId } from './machine-id';
import type { ServiceStatus } from '../shared/service-protocol';
import { prepareDataFolder } from './data-folder';
import type { IdentityResolver } from './identity';
import type { SessionSource } from './os/session-source';
import type { PeerIdentityProvider } from './peer-credentials';
import type { HubLink } from './hub-link/hub-link';
import { SchoolLink } from './school-link';
import { SessionHost } from './session-host';
import { startSocketServer, type SocketServer } from './socket-server';

export interface ClasslockdOptions {
  socketPath: string;
  /** Root-only machine data folder (created if missing, refused if others can write it). */
  dataDir: string;
  /** Who must own the data folder: 0 for the real service. */
  dataDirOwner: number;
  clock: Clock;
  config: MachineConfig | null;
  /** The built-in policy (resources/default-policy.yaml). */
  defaultPolicy: () => Promise<Policy>;
  source: SessionSource;
  peers: PeerIdentityProvider;
  resolveIdentity: IdentityResolver;
  groups: GroupSource;
  hostname: string;
  readOsMachineId: () => string;
  enforcer?: RestrictionEnforcer;
  minUid?: number;
  version?: string;
  /** Socket limits (see startSocketServer). */
  maxPerUser?: number;
  helloTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** How often each session's clock and the watchdog run (default 1 s); 0: only when tick() is called. */
  tickMs?: number;
  /** How often the OS's session list is read again (default 5 s); 0: only on sync(). */
  syncMs?: number;
  log?: (line: string) => void;
  /** Levels and stack traces for what the sessions report (pino in the real service). */
  logger?: Logger;
  /**
   * The data folder of versions before the service (world-writable): its acceptances are
   * imported once, checked against their files' owners, and the old folders removed.
   */
  legacyDir?: string;
  /** The uid of an account name (for the import's ownership check). */
  uidOfAccount?: (account: string) => Promise<number | undefined>;
  /** A clock that only moves forward (default performance.now); tests move it by hand. */
  monotonic?: () => number;
  /**
   * A hub other than the machine config's (the preview's embedded hub). `dataDir`: where
   * the link keeps its key and outbox (default the service's data folder).
   */
  hub?: {
    url: string;
    school: string;
    enrolmentSecret: string;
    dataDir?: string;
    /** The link's clock, when the service's is moved on purpose (the preview's "Go idle"). */
    clock?: Clock;
    /** False: the hub is told of acceptances but not asked (the preview's "Start again"). */
    askAcceptances?: boolean;
  };
  /** PEM of the CA that issued the hub's certificate, when it is not in the OS's store. */
  hubCa?: string | Buffer;
  /** How often the hub hears the PC is alive (default 5 minutes). */
  heartbeatMs?: number;
}

export interface Classlockd {
  readonly socketPath: string;
  readonly host: SessionHost;
  readonly dataDir: string;
  status(): ServiceStatus;
  /** The machine's trusted time (sanction expiry); a hub or time source may feed it. */
  readonly trustedTime: TrustedTime;
  /** The link to the school's hub; undefined when none is configured. */
  readonly hubLink: HubLink | undefined;
  /** Open connections per account (uid or SID). */
  connections(): Map<string, number>;
  /** Run the clocks and the watchdog now (tests; the timer does it every second). */
  tick(): Promise<void>;
  /** Read the OS's session list now. */
  sync(): Promise<void>;
  close(): Promise<void>;
}

/**
 * classlockd's composition root: one per computer. Builds the machine's parts once (data
 * folder, machine id, trusted time, audit log, the policy, the packet filter) and hosts a
 * SessionRuntime for every signed-in session behind the local socket.
 */
export async function startClasslockd(o: ClasslockdOptions): Promise<Classlockd> {
  const log = o.log ?? ((line: string) => console.log(`classlockd: ${line}`));
  const startedAt = o.clock.now();
  const dataDir = await prepareDataFolder(o.dataDir, { ownerUid: o.dataDirOwner });
  const machineId = await resolveMachineId({
    file: join(dataDir, 'machine-id'),
    readOsId: o.readOsMachineId,
  });
  const localAudit = new AuditLog(join(dataDir, 'audit.jsonl'), machineId.id, () => o.clock.now());
  const trustedTime = await TrustedTime.load(join(dataDir, 'state', 'trusted-time.json'), {
    clock: o.clock,
    ...(o.monotonic ? { monotonic: o.monotonic } : {}),
  });
  if (trustedTime.problem) log(trustedTime.problem);
  const config = o.config;
  if (o.legacyDir && (await lstat(o.legacyDir).catch(() => undefined))) {
    await importLegacyLayout({
      legacyDir: o.legacyDir,
      acceptances: new AcceptanceStore(join(dataDir, 'acceptances')),
      markerPath: join(dataDir, 'state', 'legacy-imported.json'),
      uidOf: o.uidOfAccount ?? (async () => undefined),
      audit: localAudit,
      now: () => o.clock.now(),
    }).then(
      (r) => {
        if (!r.alreadyDone)
          log(
            `Imported ${r.imported} acceptance record(s) from ${o.legacyDir}; left out ${r.skipped.length} file(s); removed ${r.removed.length} old folder(s).`,
          );
      },
      (err: unknown) => log(`Could not import the old data folder ${o.legacyDir}: ${String(err)}`),
    );
  }

  let current: { policy: Policy; meta: PolicyMeta } | undefined;
  const late: { host?: SessionHost } = {};
  const school = await SchoolLink.start({
    dataDir: o.hub?.dataDir ?? dataDir,
    hubUrl: o.hub?.url ?? config?.hubUrl,
    enrolmentSecret: o.hub?.enrolmentSecret ?? config?.hubEnrolmentSecret,
    school: o.hub?.school ?? config?.school,
    machineId: machineId.id,
    // Requests are signed with the time: the hub refuses one more than 5 minutes off.
    clock: o.hub?.clock ?? o.clock,
    askAcceptances: o.hub?.askAcceptances ?? true,
    log,
    ...(o.hubCa ? { hubCa: o.hubCa } : {}),
    ...(o.heartbeatMs ? { heartbeatMs: o.heartbeatMs } : {}),
    heartbeat: () => ({
      serial: current?.meta.serial ?? 0,
      enforcement: o.enforcer?.describe() ?? 'none',
      version: o.version ?? '0.0.0',
    }),
  });
  // The one place audit records are written: the hub's share goes on from here.
  const audit = school.forwarding(localAudit, async (entry, told) => {
    const id = typeof entry.osSession === 'string' ? entry.osSession : undefined;
    await (id ? late.host?.get(id)?.runtime.concernNotified(told) : undefined);
  });
  const schoolRecords = school.records();
  // Sanctions the machine has enforced are remembered, so a deleted or damaged policy copy
  // (and the built-in policy that then takes over) never frees anyone early.
  const seen = new SeenSanctions(join(dataDir, 'state', 'seen-sanctions.json'), {
    owner: o.dataDirOwner,
  });
  const onPolicy = async (given: Policy, meta: PolicyMeta) => {
    const reconciled = await seen
      .reconcile(given, meta.origin === 'default' ? null : meta.serial, trustedTime.now())
      .catch((err: unknown) => {
        log(`Could not read the sanctions this machine has seen: ${String(err)}`);
        return { policy: given, kept: [], problem: String(err) };
      });
    if (reconciled.problem) log(reconciled.problem);
    if (reconciled.kept.length)
      await audit
        .append({
          event: 'sanction.remembered',
          sanctionIds: reconciled.kept.map((k) => k.id),
          serial: meta.serial,
        })
        .catch(() => undefined);
    const policy = reconciled.policy;
    current = { policy, meta };
    // The policy says how big the audit log grows and how long rotated files are kept.
    localAudit.setLimits(policy.audit);
    log(`Policy ${meta.serial} in force (${meta.origin}, ${meta.source}).`);
    await late.host?.policyChanged(policy);
  };
  let policyService: PolicyService | undefined;
  if (config) {
    policyService = new PolicyService({
      sources: config.policySources,
      trustedKeys: config.trustedKeys,
      // One copy for the whole computer, in the root-only folder.
      cachePath: join(dataDir, 'state', 'policy-cache.json'),
      pollSeconds: config.pollSeconds,
      maxBytes: config.maxPolicyBytes,
      serialFloor: () => seen.serialFloor(),
      trustedNow: () => trustedTime.now(),
      audit,
      clock: o.clock,
      trustedTime,
      onPolicy,
      defaultPolicy: o.defaultPolicy,
    });
    await policyService.start();
  } else {
    await onPolicy(await o.defaultPolicy(), {
      origin: 'default',
      source: 'default',
      serial: 0,
      keyId: null,
      issuedAt: 0,
    });
  }
  const policy = (): Policy => {
    if (!current) throw new Error('No policy is in force: neither a saved nor the built-in one');
    return current.policy;
  };

  const serviceAccount = await readServiceAccount(config, log);
  const caPem = await readDirectoryCa(config, log);
  const ldap = ldapVerifierFor(policy(), {
    ...(serviceAccount ? { serviceAccount } : {}),
    ...(caPem ? { caPem } : {}),
  });
  if (o.enforcer) {
    // Rules from an earlier run are rebuilt from the sessions signed in now.
    await o.enforcer
      .clearLeftovers()
      .catch((err: unknown) => log(`Could not clear old internet restrictions: ${String(err)}`));
  }

  const status = (): ServiceStatus => {
    const meta = current?.meta;
    return {
      version: o.version ?? '0.0.0',
      machineId: machineId.id,
      startedAt: new Date(startedAt).toISOString(),
      policy: {
        serial: meta?.serial ?? 0,
        origin: meta?.origin ?? 'default',
        source: meta?.source ?? 'default',
        issuedAt: meta?.issuedAt ? new Date(meta.issuedAt).toISOString() : null,
        expires: meta?.expires ? new Date(meta.expires).toISOString() : null,
        stale: policyService?.snapshot().stale ?? false,
        ...policyProblem(policyService),
      },
      timeFloor: trustedTime.floor() > 0 ? new Date(trustedTime.floor()).toISOString() : null,
      enforcement: {
        describe: o.enforcer?.describe() ?? 'no internet enforcement on this computer',
      },
      hub: school.status(),
      // Empty: the machine config names none, and the client uses its own default.
      hotkeys: {
        lockNow: config?.lockNowHotkey ?? '',
        hideScreen: config?.hideScreenHotkey ?? '',
      },
    };
  };

  const host = new SessionHost({
    clock: o.clock,
    source: o.source,
    resolveIdentity: o.resolveIdentity,
    groupsOf: (account) => o.groups.groupsOf(account),
    policy,
    audit,
    ...(o.enforcer ? { enforcer: o.enforcer } : {}),
    minUid: o.minUid ?? 1000,
    log,
    status: async () => ({ ok: true, status: status() }),
    createRuntime: (who, shell, sessionAudit) =>
      SessionRuntime.create({
        clock: o.clock,
        account: who.account,
        groups: who.groups,
        groupSource: o.groups,
        hostname: o.hostname,
        machineId: machineId.id,
        ...(config?.profile ? { profileId: config.profile } : {}),
        policy: policy(),
        dataDir,
        shell,
        audit: sessionAudit,
        ...(ldap ? { verifiers: [ldap] } : {}),
        ...(o.enforcer ? { enforcer: o.enforcer } : {}),
        ...(config?.overrideHash ? { overrideHash: config.overrideHash } : {}),
        ...(who.uid !== undefined ? { uid: who.uid } : {}),
        infrastructureHosts: infrastructureHosts(config, policy()),
        trustedNow: () => trustedTime.now(),
        ...(who.locale ? { locale: who.locale } : {}),
        ...(o.logger ? { log: o.logger } : {}),
        ...(schoolRecords ? { school: schoolRecords } : {}),
      }),
  });
  late.host = host;

  // Sessions signed in before the service started get their sanctions before anyone connects.
  await host
    .sync()
    .catch((err: unknown) => log(`Could not list signed-in sessions: ${String(err)}`));
  const unwatch = o.source.watch?.(() => host.inBackground(host.sync()));

  const server: SocketServer = await startSocketServer({
    path: o.socketPath,
    peers: o.peers,
    handler: host,
    ...(o.maxPerUser !== undefined ? { maxPerUser: o.maxPerUser } : {}),
    ...(o.helloTimeoutMs !== undefined ? { helloTimeoutMs: o.helloTimeoutMs } : {}),
    ...(o.requestTimeoutMs !== undefined ? { requestTimeoutMs: o.requestTimeoutMs } : {}),
    log,
  });

  // One tick at a time: a slow one is not stacked on by the next.
  let ticking: Promise<void> | undefined;
  const tick = (): Promise<void> => {
    ticking ??= host.tick().finally(() => (ticking = undefined));
    return ticking;
  };
  const tickMs = o.tickMs ?? 1000;
  const ticker =
    tickMs > 0 ? setInterval(() => void tick().catch(() => undefined), tickMs) : undefined;
  const syncMs = o.syncMs ?? 5000;
  const syncer =
    syncMs > 0 ? setInterval(() => void host.sync().catch(() => undefined), syncMs) : undefined;
  // Put back a restriction something outside Classlock undid (the enforcer is idempotent).
  const reassert = config
    ? setInterval(() => void host.reassert(), config.pollSeconds * 1000)
    : undefined;
  await audit.append({ event: 'service.started', machineId: machineId.id }).catch(() => undefined);
  school.beat();

  return {
    socketPath: server.path,
    host,
    dataDir,
    status,
    trustedTime,
    hubLink: school.link,
    connections: () => server.connections(),
    tick,
    sync: () => host.sync(),
    close: async () => {
      clearInterval(ticker);
      clearInterval(syncer);
      clearInterval(reassert);
      unwatch?.();
      policyService?.stop();
      await server.close();
      await ticking;
      await host.settled();
      await school.stop();
    },
  };
}

/** Why the policy in force may not be the newest, in IT's words: stale first, then a failed check. */
function policyProblem(service: PolicyService | undefined): { problem?: string } {
  const snap = service?.snapshot();
  if (snap?.staleReason) return { problem: snap.staleReason };
  if (snap?.lastCheck?.ok === false)
    return { problem: snap.lastCheck.message ?? 'the last check failed' };
  return {};
}
