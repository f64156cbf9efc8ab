import { join } from 'node:path';
import { ManualClock, type Clock } from '../../src/core/clock';
import type { RestrictionEnforcer } from '../../src/core/enforcement/enforcer';
import type { GroupSource } from '../../src/core/identity/groups';
import type { Policy } from '../../src/core/policy/schema';
import { ServiceClient } from '../../src/main/service-client';
import {
  startClasslockd,
  type Classlockd,
  type ClasslockdOptions,
} from '../../src/service/classlockd';
import type { ClientIdentity, IdentityResolver } from '../../src/service/identity';
import { ManualSessionSource } from '../../src/service/os/manual-session-source';
import { PeerCredProvider } from '../../src/service/peer-credentials';
import { T0 } from './session';

/** Groups from a table, as the OS would answer for each account. */
export class TableGroups implements GroupSource {
  constructor(private readonly table: Record<string, string[]>) {}
  async groupsOf(account: string): Promise<string[]> {
    return this.table[account] ?? [];
  }
}

export interface TestService {
  service: Classlockd;
  source: ManualSessionSource;
  clock: ManualClock;
  socketPath: string;
  close(): Promise<void>;
}

/**
 * classlockd in this process on a temp socket and data folder, with the kernel's answer
 * about each peer (SO_PEERCRED) and a resolver the test chooses for what that answer means.
 */
export async function startTestService(o: {
  dir: string;
  policy: Policy;
  resolveIdentity: IdentityResolver;
  groups?: GroupSource;
  clock?: Clock;
  enforcer?: RestrictionEnforcer;
  source?: ManualSessionSource;
  over?: Partial<ClasslockdOptions>;
}): Promise<TestService> {
  const clock = o.clock instanceof ManualClock ? o.clock : new ManualClock(T0);
  const source =
    o.source ??
    new ManualSessionSource({
      perform: { lock: async () => undefined, terminate: async () => undefined },
    });
  const socketPath = join(o.dir, 'classlockd.sock');
  const service = await startClasslockd({
    socketPath,
    dataDir: join(o.dir, 'data'),
    dataDirOwner: process.getuid?.() ?? 0,
    clock,
    config: null,
    defaultPolicy: async () => o.policy,
    source,
    peers: new PeerCredProvider(),
    resolveIdentity: o.resolveIdentity,
    groups: o.groups ?? new TableGroups({}),
    hostname: 'ROOM12-LAB-01',
    readOsMachineId: () => 'test-machine-0001',
    ...(o.enforcer ? { enforcer: o.enforcer } : {}),
    monotonic: () => clock.now(),
    tickMs: 0,
    syncMs: 0,
    log: () => undefined,
    ...o.over,
  });
  return { service, source, clock, socketPath, close: () => service.close() };
}

/** Every connection is this one person, whoever the kernel says it is. */
export const asAccount =
  (who: ClientIdentity): IdentityResolver =>
  async () =>
    who;

/** A client connected and attached; fails the test when the service refuses it. */
export async function connectClient(
  socketPath: string,
  account = 'client',
): Promise<ServiceClient> {
  const client = new ServiceClient({
    socketPath,
    clientVersion: 'test',
    account,
    retryFirstMs: 50,
    retryMaxMs: 200,
  });
  await client.start();
  if (!client.isConnected()) throw new Error(`the client could not attach to ${socketPath}`);
  return client;
}
