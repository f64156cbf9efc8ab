import { EventEmitter } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock';
import { MachineConfigSchema, type MachineConfig } from '../../src/core/config/machine-config';
import { signPolicy } from '../../src/core/policy/bundle';
import { generateSigningKeyPair } from '../../src/core/policy/keys';
import { readPolicyYamlFile } from '../../src/core/policy/policy-file';
import { IdlePoller, type IdleSource, type IntervalTimers } from '../../src/main/idle/idle-poller';
import { bindPowerEvents } from '../../src/main/idle/power-events';
import { ServiceClient } from '../../src/main/service-client';
import { infrastructureHosts } from '../../src/service/machine-setup';
import { asAccount, startTestService, TableGroups, type TestService } from '../support/service';

/**
 * The session client's wiring (power events, the idle poller) against a real classlockd
 * on a temp socket, and the service's start-up from a machine config.
 */
const DEFAULT_POLICY = 'resources/default-policy.yaml';
const T0 = Date.parse('2026-11-23T08:30:00Z');

/** Timers a test fires by hand, one "second" at a time. */
class HandTimers implements IntervalTimers {
  private fns = new Map<number, () => void>();
  private next = 1;
  setInterval(fn: () => void): unknown {
    const h = this.next++;
    this.fns.set(h, fn);
    return h;
  }
  clearInterval(h: unknown): void {
    this.fns.delete(h as number);
  }
  get active(): number {
    return this.fns.size;
  }
}

let dir: string;
let services: TestService[];
let clients: ServiceClient[];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'classlock-shell-'));
  services = [];
  clients = [];
});
afterEach(async () => {
  for (const c of clients) c.close();
  for (const s of services) await s.close();
  await rm(dir, { recursive: true, force: true });
});

async function boot(
  account: string,
  groups: string[],
  opts: { config?: MachineConfig; sub?: string } = {},
) {
  const clock = new ManualClock(T0);
  const sub = join(dir, opts.sub ?? 'pc');
  const { mkdir } = await import('node:fs/promises');
  await mkdir(sub, { recursive: true });
  const svc = await startTestService({
    dir: sub,
    policy: await readPolicyYamlFile(DEFAULT_POLICY),
    resolveIdentity: asAccount({ account, groups }),
    groups: new TableGroups({ [account]: groups }),
    clock,
    over: {
      config: opts.config ?? null,
      defaultPolicy: () => readPolicyYamlFile(DEFAULT_POLICY),
      readOsMachineId: () => {
        throw new Error('reg.exe is disabled by your administrator');
      },
    },
  });
  services.push(svc);
  const client = new ServiceClient({ socketPath: svc.socketPath, clientVersion: 'test', account });
  clients.push(client);
  await client.start();
  return { svc, client, clock: svc.clock, source: svc.source, data: join(sub, 'data') };
}

/** A member of staff through their first login: agreement signed, PIN set. */
async function staffAtDesk() {
  const s = await boot('SCHOOL\\mjones', ['Staff']);
  for (let i = 0; i < 5 && s.client.view().screen === 'agreement'; i++) {
    const v = s.client.view();
    if (v.screen !== 'agreement') break;
    await s.client.intent({
      type: 'acceptAgreement',
      agreementId: v.agreement.id,
      version: v.agreement.version,
      typedName: 'Megan Jones',
    });
  }
  expect(s.client.view().screen).toBe('pinEnrol');
  await s.client.intent({ type: 'enrolPin', pin: 'Tea4two!', confirm: 'Tea4two!' });
  expect(s.client.view().screen).toBe('none');
  return s;
}

describe('starting Classlock on a PC with no machine config', () => {
  it('runs on the built-in policy and shows a new pupil the pupil agreement', async () => {
    const { client, svc } = await boot('pupil1', []);
    const v = client.view();
    expect(v.screen).toBe('agreement');
    expect(v.user.role).toBe('pupil');
    expect(svc.service.status().policy.origin).toBe('default');
  });

  it('keeps a machine id in the data folder when the OS will not give one', async () => {
    const { svc, data } = await boot('pupil1', []);
    const id = svc.service.status().machineId;
    expect((await readFile(join(data, 'machine-id'), 'utf8')).trim()).toBe(id);
  });
});

describe('a machine config naming a signed policy', () => {
  /** A policy server (a file here) publishing `serial`, and a machine config trusting its key. */
  async function signedSource(serial: number) {
    const keys = generateSigningKeyPair();
    const policy = await readPolicyYamlFile(DEFAULT_POLICY);
    const sign = (n: number) => signPolicy({ ...policy, serial: n }, keys.privatePem, 'test-2026');
    const bundlePath = join(dir, 'policy.json');
    await writeFile(bundlePath, sign(serial));
    const config = MachineConfigSchema.parse({
      policySources: [bundlePath],
      trustedKeys: { 'test-2026': keys.publicPem },
    });
    return { bundlePath, config, sign };
  }

  /** The first check runs in the background; wait for it a little, bounded. */
  async function untilSerial(svc: TestService, serial: number) {
    for (let i = 0; i < 100 && svc.service.status().policy.serial !== serial; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  it('puts the signed policy in force instead of the built-in one, for the whole PC', async () => {
    const { config } = await signedSource(41);
    const { svc, client } = await boot('pupil1', [], { config });
    await untilSerial(svc, 41);
    expect(svc.service.status().policy).toMatchObject({ serial: 41, origin: 'fetched' });
    expect(client.view().screen).toBe('agreement');
  });

  it('offline, a restarted service starts from the copy it saved, not the built-in policy', async () => {
    const { bundlePath, config } = await signedSource(41);
    const first = await boot('SCHOOL\\mjones', ['Staff'], { config });
    await untilSerial(first.svc, 41);
    await first.svc.close();
    services.splice(services.indexOf(first.svc), 1);
    await rm(bundlePath);
    const again = await boot('pupil1', [], { config });
    expect(again.svc.service.status().policy.serial).toBe(41);
  });

  it('an internet sanction never cuts the PC off from its policy server or directory', () => {
    const hosts = infrastructureHosts(
      {
        policySources: ['https://policy.school.local/policy.json', '\\\\fs01\\policy\\policy.json'],
        trustedKeys: {},
        pollSeconds: 30,
        maxPolicyBytes: 1,
      },
      { directory: { urls: ['ldaps://dc1.school.local:636'] } } as never,
    );
    expect(hosts).toEqual(['dc1.school.local', 'fs01', 'policy.school.local']);
  });
});

describe('power and screen events reach the session', () => {
  it('a staff session locks at once when the PC suspends, and the OS session is locked too', async () => {
    const s = await staffAtDesk();
    const power = new EventEmitter();
    const unbind = bindPowerEvents(power, s.client);
    power.emit('suspend');
    await s.client.idle(0);
    const v = s.client.view();
    expect(v.screen).toBe('locked');
    if (v.screen === 'locked') expect(v.reason).toBe('suspend');
    // Locked through the OS by the service, not by the client.
    expect(s.source.locked).toHaveLength(1);
    unbind();
  });

  it('the OS locking its own screen (Win+L, lid) locks the staff session', async () => {
    const s = await staffAtDesk();
    const power = new EventEmitter();
    bindPowerEvents(power, s.client);
    power.emit('lock-screen');
    await s.client.idle(0);
    expect(s.client.view().screen).toBe('locked');
  });

  it('after unbinding, power events no longer reach the session', async () => {
    const s = await staffAtDesk();
    const power = new EventEmitter();
    bindPowerEvents(power, s.client)();
    power.emit('suspend');
    await s.client.idle(0);
    expect(s.client.view().screen).toBe('none');
    expect(power.listenerCount('suspend')).toBe(0);
  });
});

describe('the idle poller', () => {
  it("feeds OS idle time once a tick: a teacher's PC warns, then locks after the lab's 3 minutes", async () => {
    const s = await staffAtDesk();
    let idle = 0;
    const source: IdleSource = {
      getSystemIdleTime: () => idle,
      getSystemIdleState: () => 'active',
    };
    const timers = new HandTimers();
    const poller = new IdlePoller({ source, timers, onIdle: (n) => s.client.idle(n) });
    poller.start();
    expect(timers.active).toBe(1);

    idle = 150;
    s.clock.advance(150_000);
    await poller.tick();
    expect(s.client.view().screen).toBe('warning');

    idle = 180;
    s.clock.advance(30_000);
    await poller.tick();
    expect(s.client.view().screen).toBe('locked');

    poller.stop();
    expect(timers.active).toBe(0);
  });

  it('reports the OS lock state once per lock, locking the session', async () => {
    const s = await staffAtDesk();
    let state: 'active' | 'locked' = 'active';
    let osLocked = 0;
    const poller = new IdlePoller({
      source: { getSystemIdleTime: () => 0, getSystemIdleState: () => state },
      timers: new HandTimers(),
      onIdle: (n) => s.client.idle(n),
      onOsLocked: async () => {
        osLocked += 1;
        await s.client.osLocked();
      },
    });
    state = 'locked';
    await poller.tick();
    await poller.tick();
    expect(osLocked).toBe(1);
    expect(s.client.view().screen).toBe('locked');
  });

  it('drops a tick that arrives while the last is still being handled, and survives errors', async () => {
    let calls = 0;
    let broken = false;
    let release: () => void = () => undefined;
    const errors: unknown[] = [];
    const poller = new IdlePoller({
      source: {
        getSystemIdleTime: () => {
          if (broken) throw new Error('idle time unavailable');
          return 5;
        },
        getSystemIdleState: () => 'active',
      },
      timers: new HandTimers(),
      onIdle: () => {
        calls += 1;
        return new Promise<void>((r) => (release = r));
      },
      onError: (e) => errors.push(e),
    });
    const first = poller.tick();
    await poller.tick(); // dropped: the first is still running
    expect(calls).toBe(1);
    release();
    await first;
    broken = true;
    await poller.tick(); // the source throws this time
    expect(errors).toHaveLength(1);
    broken = false;
    const third = poller.tick();
    release();
    await third;
    expect(calls).toBe(2);
  });
});
