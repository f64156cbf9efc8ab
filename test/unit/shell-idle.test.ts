/**
 * Idle sensing where Electron's own idle time is blind (Wayland): the health check, the
 * fallback chain, and the desktop's idle clock read over a real private D-Bus session bus.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dbus from 'dbus-next';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findDesktopIdleClock } from '../../src/main/idle/dbus-idle';
import { IdleHealth, judgeIdleSamples, STUCK_AFTER_MS } from '../../src/main/idle/idle-health';
import { IdlePoller } from '../../src/main/idle/idle-poller';
import { ResilientIdleSource, type IdleSourceStatus } from '../../src/main/idle/idle-source';
import { statusNotifierHostPresent } from '../../src/main/tray/status-notifier';
import { TimeoutsSchema } from '../../src/core/policy/schema';

/** powerMonitor as many Wayland compositors leave it: always 0. */
const blindOs = { getSystemIdleTime: () => 0, getSystemIdleState: () => 'active' as const };

describe('is the idle time believable', () => {
  it('ten minutes of nothing but 0 means the clock is broken, not that the user is busy', () => {
    const h = new IdleHealth();
    expect(h.observe(0, 0)).toBe('unknown');
    expect(h.observe(0, STUCK_AFTER_MS - 1000)).toBe('unknown');
    expect(h.observe(0, STUCK_AFTER_MS)).toBe('stuck');
  });

  it('a clock that counts now and then is trusted, even through a long busy spell', () => {
    const h = new IdleHealth();
    expect(h.observe(3, 0)).toBe('ok');
    for (let t = 1000; t < STUCK_AFTER_MS; t += 1000) expect(h.observe(0, t)).toBe('ok');
    expect(h.observe(1, STUCK_AFTER_MS)).toBe('ok');
  });

  it("the self-test's measurement: growing with the clock passes; stuck or reset fails", () => {
    const counting = [0, 1, 2, 3, 4, 5].map((s) => ({ at: s * 1000, seconds: s + 7 }));
    expect(judgeIdleSamples(counting).ok).toBe(true);
    const stuck = [0, 1, 2, 3, 4, 5].map((s) => ({ at: s * 1000, seconds: 0 }));
    expect(judgeIdleSamples(stuck)).toMatchObject({ ok: false });
    expect(judgeIdleSamples(stuck).detail).toMatch(/stayed at 0/);
    const touched = [0, 1, 2, 3, 4, 5].map((s) => ({ at: s * 1000, seconds: s < 3 ? s : 0 }));
    expect(judgeIdleSamples(touched).ok).toBe(false);
    expect(judgeIdleSamples([{ at: 0, seconds: 1 }]).ok).toBe(false);
  });
});

describe('the idle clock the session is fed', () => {
  const make = (o: { clock?: number; lockOnTimer?: boolean; prefer?: boolean }) => {
    let t = 0;
    const statuses: IdleSourceStatus[] = [];
    const src = new ResilientIdleSource({
      os: blindOs,
      ...(o.clock !== undefined
        ? {
            findDesktopClock: async () => ({
              name: 'GNOME idle monitor',
              read: async () => o.clock!,
              close: () => undefined,
            }),
          }
        : { findDesktopClock: async () => undefined }),
      preferDesktopClock: o.prefer ?? false,
      now: () => t,
      lockWithoutIdleSource: () => o.lockOnTimer ?? false,
      desktopOpenedAt: () => 0,
      onStatus: (s) => statuses.push(s),
    });
    return { src, statuses, advance: (ms: number) => (t += ms) };
  };
  const flush = () => new Promise((r) => setTimeout(r, 0));

  it('on Wayland reads the desktop clock from the start', async () => {
    const { src, statuses } = make({ clock: 42, prefer: true });
    await src.start();
    src.getSystemIdleTime();
    await flush();
    expect(src.getSystemIdleTime()).toBe(42);
    expect(statuses.at(-1)).toMatchObject({ source: 'GNOME idle monitor', working: true });
  });

  it("switches to the desktop clock once Electron's is found stuck at 0", async () => {
    const { src, statuses, advance } = make({ clock: 75 });
    await src.start();
    for (let i = 0; i <= STUCK_AFTER_MS / 1000; i++) {
      src.getSystemIdleTime();
      advance(1000);
    }
    await flush();
    src.getSystemIdleTime();
    await flush();
    expect(src.getSystemIdleTime()).toBe(75);
    expect(statuses.map((s) => s.source)).toEqual(['os', 'GNOME idle monitor']);
  });

  it("the policy's choice is a per-role timeout setting, off unless set", () => {
    expect(
      TimeoutsSchema.parse({ warnSeconds: 30, lockSeconds: 180 }).lockWithoutIdleSource,
    ).toBeUndefined();
    expect(
      TimeoutsSchema.parse({ warnSeconds: 30, lockSeconds: 180, lockWithoutIdleSource: true })
        .lockWithoutIdleSource,
    ).toBe(true);
    expect(
      TimeoutsSchema.safeParse({ warnSeconds: 30, lockSeconds: 180, lockWithoutIdleSource: 'yes' })
        .success,
    ).toBe(false);
  });

  it('with no clock at all says so, and locks on a timer only where the policy allows', async () => {
    for (const lockOnTimer of [false, true]) {
      const { src, statuses, advance } = make({ lockOnTimer });
      await src.start();
      for (let i = 0; i <= STUCK_AFTER_MS / 1000; i++) {
        src.getSystemIdleTime();
        advance(1000);
      }
      await flush();
      const last = statuses.at(-1)!;
      expect(last.working).toBe(false);
      expect(last.detail).toMatch(lockOnTimer ? /locking on a timer/ : /cannot happen/);
      // The poller hands the session the time since the desktop was opened, or nothing.
      const seen: number[] = [];
      const poller = new IdlePoller({ source: src, onIdle: async (s) => void seen.push(s) });
      await poller.tick();
      expect(seen[0]! > 600).toBe(lockOnTimer);
    }
  });
});

const haveDbus = existsSync('/usr/bin/dbus-daemon');

describe.skipIf(!haveDbus)('on a real session bus', () => {
  let dir: string;
  let daemon: ChildProcess;
  let address: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'classlock-dbus-'));
    const conf = join(dir, 'session.conf');
    await writeFile(
      conf,
      `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>session</type><listen>unix:dir=${dir}</listen><auth>EXTERNAL</auth>
<policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy>
</busconfig>`,
    );
    daemon = spawn('dbus-daemon', ['--config-file', conf, '--print-address', '--nofork'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    address = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('dbus-daemon did not start')), 10_000);
      daemon.stdout!.once('data', (d) => {
        clearTimeout(timer);
        resolve(String(d).trim());
      });
    });
  });

  afterAll(async () => {
    daemon?.kill();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('finds nothing where the desktop offers no idle clock', async () => {
    expect(await findDesktopIdleClock(address)).toBeUndefined();
  });

  it("reads GNOME's idle monitor (milliseconds) as whole seconds", async () => {
    const service = dbus.sessionBus({ busAddress: address });
    class IdleMonitor extends dbus.interface.Interface {
      GetIdletime() {
        return BigInt(93_400);
      }
    }
    IdleMonitor.configureMembers({
      methods: { GetIdletime: { inSignature: '', outSignature: 't' } },
    });
    service.export(
      '/org/gnome/Mutter/IdleMonitor/Core',
      new IdleMonitor('org.gnome.Mutter.IdleMonitor'),
    );
    await service.requestName('org.gnome.Mutter.IdleMonitor', 0);
    try {
      const clock = await findDesktopIdleClock(address);
      expect(clock?.name).toBe('GNOME idle monitor');
      expect(await clock!.read()).toBe(93);
      clock!.close();
    } finally {
      service.disconnect();
    }
  });

  it('says whether a tray host is there to show the icon', async () => {
    expect(await statusNotifierHostPresent(address)).toBe(false);
    const host = dbus.sessionBus({ busAddress: address });
    await host.requestName('org.kde.StatusNotifierWatcher', 0);
    try {
      expect(await statusNotifierHostPresent(address)).toBe(true);
    } finally {
      host.disconnect();
    }
    expect(await statusNotifierHostPresent('unix:path=/nonexistent/bus')).toBeUndefined();
  });
});
