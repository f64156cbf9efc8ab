import { EventEmitter } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock';
import type { GroupSource } from '../../src/core/identity/groups';
import { signPolicy } from '../../src/core/policy/bundle';
import { generateSigningKeyPair } from '../../src/core/policy/keys';
import { readPolicyYamlFile } from '../../src/core/policy/policy-file';
import type { SessionShell } from '../../src/core/session/runtime';
import { parseUser } from '../../src/core/identity/user';
import { userFileKey } from '../../src/core/storage/user-file-key';
import { bootstrapSession, infrastructureHosts, type Bootstrapped } from '../../src/main/bootstrap';
import { IdlePoller, type IdleSource, type IntervalTimers } from '../../src/main/idle/idle-poller';
import { bindPowerEvents } from '../../src/main/idle/power-events';
import type { View } from '../../src/shared/view';

const DEFAULT_POLICY = 'resources/default-policy.yaml';
const T0 = Date.parse('2026-11-23T08:30:00Z');

/** The desktop as the session sees it: what is on screen and what was asked of the OS. */
class DesktopStandIn implements SessionShell {
  shown: View[] = [];
  osLocks = 0;
  logoffs = 0;
  present(view: View): void {
    this.shown.push(view);
  }
  async lockOs(): Promise<void> {
    this.osLocks += 1;
  }
  async logoff(): Promise<void> {
    this.logoffs += 1;
  }
  get screen(): string | undefined {
    return this.shown.at(-1)?.screen;
  }
}

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

const groupsOf = (groups: string[]): GroupSource => ({ groupsOf: async () => groups });

let dir: string;
let logs: string[];
let boots: Bootstrapped[];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'classlock-shell-'));
  logs = [];
  boots = [];
});
afterEach(async () => {
  for (const b of boots) b.stop();
  await rm(dir, { recursive: true, force: true });
});

async function boot(
  account: string,
  groups: string[],
  opts: { configFile?: string; clock?: ManualClock; shell?: DesktopStandIn } = {},
) {
  const shell = opts.shell ?? new DesktopStandIn();
  const clock = opts.clock ?? new ManualClock(T0);
  const b = await bootstrapSession({
    platform: 'linux',
    env: {},
    clock,
    account,
    username: account,
    hostname: 'LAB-PC-07',
    groups: groupsOf(groups),
    defaultPolicyPath: DEFAULT_POLICY,
    configFile: opts.configFile ?? join(dir, 'no-config.json'),
    dataDir: join(dir, 'data'),
    readOsMachineId: () => {
      throw new Error('reg.exe is disabled by your administrator');
    },
    shell,
    log: (m) => logs.push(m),
  });
  boots.push(b);
  return { b, shell, clock, runtime: b.runtime };
}

/** A member of staff through their first login: agreement signed, PIN set. */
async function staffAtDesk() {
  const s = await boot('SCHOOL\\mjones', ['Staff']);
  await s.runtime.start();
  for (let i = 0; i < 5 && s.runtime.view().screen === 'agreement'; i++) {
    const v = s.runtime.view();
    if (v.screen !== 'agreement') break;
    await s.runtime.intent({
      type: 'acceptAgreement',
      agreementId: v.agreement.id,
      version: v.agreement.version,
      typedName: 'Megan Jones',
    });
  }
  expect(s.runtime.view().screen).toBe('pinEnrol');
  await s.runtime.intent({ type: 'enrolPin', pin: 'Tea4two!', confirm: 'Tea4two!' });
  expect(s.runtime.view().screen).toBe('none');
  return s;
}

describe('starting Classlock on a PC with no machine config', () => {
  it('runs on the built-in policy and shows a new pupil the pupil agreement', async () => {
    const { runtime, shell, b } = await boot('pupil1', []);
    await runtime.start();
    const v = runtime.view();
    expect(v.screen).toBe('agreement');
    expect(v.user.role).toBe('pupil');
    expect(shell.screen).toBe('agreement');
    expect(b.machineConfig).toBeNull();
    expect(b.policyStatus()).toMatch(/default policy/i);
    expect(logs.join('\n')).toMatch(/no machine config found/);
  });

  it('keeps a machine id in the data folder when the OS will not give one', async () => {
    const { b } = await boot('pupil1', []);
    expect(b.machineId.source).toBe('generated');
    expect((await readFile(join(dir, 'data', 'machine-id'), 'utf8')).trim()).toBe(b.machineId.id);
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
    const configFile = join(dir, 'config.json');
    await writeFile(
      configFile,
      JSON.stringify({ policySources: [bundlePath], trustedKeys: { 'test-2026': keys.publicPem } }),
    );
    return { bundlePath, configFile, sign };
  }

  /** The first check runs in the background; wait for it a little, bounded. */
  async function untilSerial(b: Bootstrapped, serial: number) {
    for (let i = 0; i < 100 && b.policy().serial !== serial; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  it('puts the signed policy in force instead of the built-in one', async () => {
    const { bundlePath, configFile } = await signedSource(41);
    const { b, runtime } = await boot('pupil1', [], { configFile });
    await runtime.start();
    await untilSerial(b, 41);
    expect(b.policy().serial).toBe(41);
    expect(b.machineConfig?.policySources).toEqual([bundlePath]);
    expect(runtime.view().screen).toBe('agreement');
  });

  it('offline, the next user starts from the newest policy any session saved, not their own old copy', async () => {
    const { bundlePath, configFile, sign } = await signedSource(41);
    const teacher = await boot('SCHOOL\\mjones', ['Staff'], { configFile });
    await untilSerial(teacher.b, 41);
    teacher.b.stop();
    // The pupil's own copy is an older signed policy; the server is gone.
    await writeFile(
      join(dir, 'data', 'policies', `${userFileKey(parseUser('pupil1'))}.json`),
      sign(40),
    );
    await rm(bundlePath);
    const pupil = await boot('pupil1', [], { configFile });
    expect(pupil.b.policy().serial).toBe(41);
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
    const unbind = bindPowerEvents(power, s.runtime);
    power.emit('suspend');
    await s.runtime.idle(0);
    const v = s.runtime.view();
    expect(v.screen).toBe('locked');
    if (v.screen === 'locked') expect(v.reason).toBe('suspend');
    expect(s.shell.osLocks).toBe(1);
    unbind();
  });

  it('the OS locking its own screen (Win+L, lid) locks the staff session', async () => {
    const s = await staffAtDesk();
    const power = new EventEmitter();
    bindPowerEvents(power, s.runtime);
    power.emit('lock-screen');
    await s.runtime.idle(0);
    expect(s.runtime.view().screen).toBe('locked');
  });

  it('after unbinding, power events no longer reach the session', async () => {
    const s = await staffAtDesk();
    const power = new EventEmitter();
    bindPowerEvents(power, s.runtime)();
    power.emit('suspend');
    await s.runtime.idle(0);
    expect(s.runtime.view().screen).toBe('none');
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
    const poller = new IdlePoller({ source, timers, onIdle: (n) => s.runtime.idle(n) });
    poller.start();
    expect(timers.active).toBe(1);

    idle = 150;
    s.clock.advance(150_000);
    await poller.tick();
    expect(s.runtime.view().screen).toBe('warning');

    idle = 180;
    s.clock.advance(30_000);
    await poller.tick();
    expect(s.runtime.view().screen).toBe('locked');

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
      onIdle: (n) => s.runtime.idle(n),
      onOsLocked: async () => {
        osLocked += 1;
        await s.runtime.lockNow();
      },
    });
    state = 'locked';
    await poller.tick();
    await poller.tick();
    expect(osLocked).toBe(1);
    expect(s.runtime.view().screen).toBe('locked');
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
