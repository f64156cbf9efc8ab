import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ServiceClient } from '../../src/main/service-client';
import { defaultPolicy, policyWith, tempDir } from '../support/policy';
import { asAccount, connectClient, startTestService, type TestService } from '../support/service';

/**
 * The client and the service over a real Unix socket: the client decides nothing, the
 * service's session answers, and a missing service leaves a full lock cover.
 */
let dir: { path: string; remove: () => Promise<void> };
let svc: TestService | undefined;
const clients: ServiceClient[] = [];

beforeEach(async () => {
  dir = await tempDir('classlock-svc-');
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await svc?.close();
  svc = undefined;
  await dir.remove();
});

const pupil = { account: 'y7.pupil', groups: ['Domain Users'] };

describe('client ↔ classlockd', () => {
  it("shows the session's agreement, and accepting it goes through the service", async () => {
    svc = await startTestService({
      dir: dir.path,
      policy: defaultPolicy(),
      resolveIdentity: asAccount(pupil),
    });
    const client = await connectClient(svc.socketPath);
    clients.push(client);
    const v = client.view();
    expect(v.screen).toBe('agreement');
    expect(v.user.account).toBe('y7.pupil');
    if (v.screen !== 'agreement') return;
    const after = await client.intent({
      type: 'acceptAgreement',
      agreementId: v.agreement.id,
      version: v.agreement.version,
    });
    expect(after.screen === 'agreement' ? after.agreement.id : after.screen).not.toBe(
      v.agreement.id,
    );
  });

  it('pushes the lock to every client of the session when one asks for it', async () => {
    const noAgreements = policyWith((p) => (p.agreements = []));
    svc = await startTestService({
      dir: dir.path,
      policy: noAgreements,
      resolveIdentity: asAccount(pupil),
    });
    const client = await connectClient(svc.socketPath);
    clients.push(client);
    expect(client.view().screen).toBe('none');
    const pushed = new Promise<string>((resolve) =>
      client.onView((v) => {
        if (v.screen === 'locked') resolve(v.reason);
      }),
    );
    // Another client of the same session asks for the lock: both see it.
    const second = await connectClient(svc.socketPath);
    clients.push(second);
    await second.lockNow();
    expect(await pushed).toBe('lockNow');
  });

  it('shows a full lock cover saying the machine service is not running when there is none', async () => {
    const client = new ServiceClient({
      socketPath: `${dir.path}/nothing-here.sock`,
      clientVersion: 'test',
      account: 'y7.pupil',
      retryFirstMs: 50,
    });
    clients.push(client);
    await client.start();
    const v = client.view();
    expect(client.isConnected()).toBe(false);
    expect(v.screen).toBe('locked');
    if (v.screen !== 'locked') return;
    expect(v.methods).toEqual([]);
    expect(v.message?.key).toBe('service.unavailable');
    // Nothing the renderer sends gets past it.
    expect((await client.intent({ type: 'unlock', method: 'override', secret: 'x' })).screen).toBe(
      'locked',
    );
  });

  it('reconnects by itself when the service starts later, and the cover gives way', async () => {
    const socketPath = `${dir.path}/classlockd.sock`;
    const client = new ServiceClient({
      socketPath,
      clientVersion: 'test',
      account: 'y7.pupil',
      retryFirstMs: 50,
      retryMaxMs: 100,
    });
    clients.push(client);
    await client.start();
    expect(client.isConnected()).toBe(false);
    const attached = new Promise<void>((resolve) => client.onConnection((on) => on && resolve()));
    svc = await startTestService({
      dir: dir.path,
      policy: defaultPolicy(),
      resolveIdentity: asAccount(pupil),
    });
    await attached;
    expect(client.view().screen).toBe('agreement');
  });
});
