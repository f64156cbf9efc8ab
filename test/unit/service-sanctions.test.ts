import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseAuditLines } from '../../src/core/audit/audit-log';
import { DirectNftablesEnforcer } from '../../src/core/enforcement/nftables-enforcer';
import type { Policy } from '../../src/core/policy/schema';
import { FakeNft } from '../support/netd';
import { policyWith, tempDir } from '../support/policy';
import { asAccount, connectClient, startTestService, type TestService } from '../support/service';
import { T0 } from '../support/session';

/**
 * Sanctions and the watchdog are the machine's doing: they happen for a signed-in user
 * whether or not their client is running, at sign-in, on a policy change, at expiry.
 */
let dir: { path: string; remove: () => Promise<void> };
let svc: TestService | undefined;
let nft: FakeNft;

beforeEach(async () => {
  dir = await tempDir('classlock-svc-');
  nft = new FakeNft();
});
afterEach(async () => {
  await svc?.close();
  svc = undefined;
  await dir.remove();
});

const UID = 3901;
const sanction = (scope: 'internet' | 'network', untilMs: number): Policy['sanctions'][number] => ({
  id: `s-${scope}`,
  user: 'y7.pupil',
  scope,
  kind: 'sanction',
  until: new Date(untilMs).toISOString(),
  reason: 'Misuse of the school network',
  issuedBy: 'Mr Patel',
  issuedAt: new Date(T0 - 86_400_000).toISOString(),
});
const policyOf = (sanctions: Policy['sanctions'], change: (p: Policy) => void = () => undefined) =>
  policyWith((p) => {
    p.agreements = [];
    p.sanctions = sanctions;
    change(p);
  });

async function start(policy: Policy): Promise<TestService> {
  svc = await startTestService({
    dir: dir.path,
    policy,
    resolveIdentity: asAccount({ account: 'y7.pupil', uid: UID, groups: [] }),
    enforcer: new DirectNftablesEnforcer(nft, async () => []),
  });
  return svc;
}

const signIn = async (s: TestService, graphical = true) => {
  s.source.add({ id: 'c7', uid: UID, account: 'y7.pupil', graphical });
  await s.service.sync();
};

async function tickFor(s: TestService, seconds: number): Promise<void> {
  for (let i = 0; i < seconds; i++) {
    s.clock.advance(1000);
    await s.service.tick();
  }
}

async function audit(s: TestService) {
  return parseAuditLines(await readFile(join(s.service.dataDir, 'audit.jsonl'), 'utf8'));
}

describe('sanctions applied by the machine', () => {
  it('restricts a user at sign-in with no client, and lifts it at expiry with no client', async () => {
    const s = await start(policyOf([sanction('internet', T0 + 60_000)]));
    // Expiry is judged by trusted time (the policy server's); here it is now.
    await s.service.trustedTime.observe(T0, 'test');
    await signIn(s);
    expect(nft.restricted()).toEqual([UID]);
    await tickFor(s, 61);
    expect(nft.restricted()).toEqual([]);
  });

  it('applies a sanction that arrives with a new policy to a session whose client is gone', async () => {
    const s = await start(policyOf([]));
    await signIn(s);
    expect(nft.restricted()).toEqual([]);
    await s.service.host.policyChanged(policyOf([sanction('internet', T0 + 3_600_000)]));
    expect(nft.restricted()).toEqual([UID]);
  });

  it('ends the session of a user whose network is withdrawn after the countdown, client or not', async () => {
    const s = await start(policyOf([sanction('network', T0 + 3_600_000)]));
    await signIn(s);
    await tickFor(s, 5);
    expect(s.source.terminated).toEqual([]);
    await tickFor(s, 60);
    expect(s.source.terminated).toEqual(['c7']);
  });

  it('lets go of a session the OS says has ended, and removes its rules', async () => {
    const s = await start(policyOf([sanction('internet', T0 + 3_600_000)]));
    await signIn(s);
    s.source.remove('c7');
    await s.service.sync();
    expect(s.service.host.list()).toEqual([]);
    expect(nft.restricted()).toEqual([]);
  });
});

describe('the watchdog', () => {
  it('locks a desktop session whose client never connected, after the policy’s time, and records it', async () => {
    const s = await start(policyOf([]));
    await signIn(s);
    await tickFor(s, 19);
    expect(s.source.locked).toEqual([]);
    await tickFor(s, 1);
    expect(s.source.locked).toEqual(['c7']);
    expect((await audit(s)).filter((r) => r.event === 'watchdog.locked')).toHaveLength(1);
    await tickFor(s, 30);
    // Once, not every second.
    expect(s.source.locked).toEqual(['c7']);
  });

  it('signs the session out later when the policy says so', async () => {
    const s = await start(
      policyOf([], (p) => (p.watchdog = { lockAfterSeconds: 20, signOutAfterSeconds: 60 })),
    );
    await signIn(s);
    await tickFor(s, 79);
    expect(s.source.terminated).toEqual([]);
    await tickFor(s, 1);
    expect(s.source.terminated).toEqual(['c7']);
    expect((await audit(s)).map((r) => r.event)).toContain('watchdog.signedOut');
  });

  it('leaves alone a session whose client is there, and one that is not a desktop (ssh)', async () => {
    const s = await start(policyOf([]));
    await signIn(s);
    const client = await connectClient(s.socketPath);
    s.source.add({ id: 'ssh1', uid: UID, account: 'y7.pupil', graphical: false });
    await s.service.sync();
    for (let i = 1; i <= 30; i++) {
      // A live client reports idle time every second.
      await client.idle(i);
      await tickFor(s, 1);
    }
    expect(s.source.locked).toEqual([]);
    client.close();
  });

  it('treats a client that has stopped talking (paused, hung) as gone: countdowns run and the watchdog locks', async () => {
    const s = await start(policyOf([sanction('network', T0 + 3_600_000)]));
    await signIn(s);
    const client = await connectClient(s.socketPath);
    await tickFor(s, 25);
    expect(s.source.locked).toEqual(['c7']);
    await tickFor(s, 45);
    expect(s.source.terminated).toEqual(['c7']);
    client.close();
  });

  it('a client that comes back finds the session locked by the watchdog', async () => {
    const s = await start(policyOf([]));
    await signIn(s);
    await tickFor(s, 20);
    const client = await connectClient(s.socketPath);
    expect(client.view().screen).toBe('locked');
    client.close();
  });
});
