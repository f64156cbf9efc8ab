/**
 * What happens before the app is ready: XWayland on Wayland, the single-instance lock that
 * may not leave a PC unguarded, and the restart without GPU after a graphics crash.
 */
import { mkdtemp, rm, symlink, chmod, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { displayServerPlan, X11_SWITCH } from '../../src/main/windows/display-server';
import {
  gpuCrashAction,
  NO_GPU_SWITCH,
  RELAUNCH_LOCKED_SWITCH,
  relaunchArgs,
} from '../../src/main/windows/gpu-fallback';
import {
  inspectLockFolder,
  parseSingletonLock,
  processAlive,
  singleInstanceVerdict,
} from '../../src/main/security/single-instance';

describe('the display server', () => {
  const wayland = { XDG_SESSION_TYPE: 'wayland', WAYLAND_DISPLAY: 'wayland-0', DISPLAY: ':0' };

  it('a Wayland session restarts once under XWayland, keeping its arguments', () => {
    const plan = displayServerPlan('linux', wayland, ['.', '--self-test']);
    expect(plan).toMatchObject({ action: 'relaunch', args: ['.', '--self-test', X11_SWITCH] });
    // The relaunched process has the switch, so it runs: no loop.
    if (plan.action !== 'relaunch') throw new Error('expected a relaunch');
    expect(displayServerPlan('linux', wayland, plan.args)).toEqual({ action: 'run' });
  });

  it('X11 sessions, Windows, and a launcher that already carries the switch just run', () => {
    expect(displayServerPlan('linux', { XDG_SESSION_TYPE: 'x11', DISPLAY: ':0' }, [])).toEqual({
      action: 'run',
    });
    expect(displayServerPlan('win32', wayland, [])).toEqual({ action: 'run' });
    expect(displayServerPlan('linux', wayland, [X11_SWITCH])).toEqual({ action: 'run' });
  });

  it('without XWayland it stays on Wayland and says what that costs', () => {
    const plan = displayServerPlan('linux', { XDG_SESSION_TYPE: 'wayland' }, []);
    expect(plan.action).toBe('run');
    expect(plan.note).toMatch(/no XWayland.*one monitor/);
  });
});

describe('the single-instance lock', () => {
  const me = { host: 'LAB-07', pid: 4000 };
  const base = { gotLock: false, platform: 'linux' as const, folderWritable: true, me };

  it('stops only for another live Classlock of this user on this PC', () => {
    expect(
      singleInstanceVerdict({ ...base, holder: { host: 'LAB-07', pid: 3999 }, alive: () => true }),
    ).toMatchObject({ action: 'exit' });
    expect(
      singleInstanceVerdict({ ...base, gotLock: true, holder: undefined, alive: () => true }),
    ).toEqual({ action: 'run' });
  });

  it('a lock left in a network home by another PC does not leave this one unguarded', () => {
    const v = singleInstanceVerdict({
      ...base,
      holder: { host: 'LAB-03', pid: 3999 },
      alive: () => true,
    });
    expect(v).toMatchObject({ action: 'runUnlocked' });
    expect(v.action === 'runUnlocked' && v.why).toMatch(/LAB-03, another PC/);
  });

  it('an unwritable folder, an unreadable lock or a dead holder: run without the lock', () => {
    expect(
      singleInstanceVerdict({
        ...base,
        folderWritable: false,
        holder: undefined,
        alive: () => false,
      }).action,
    ).toBe('runUnlocked');
    expect(singleInstanceVerdict({ ...base, holder: undefined, alive: () => false }).action).toBe(
      'runUnlocked',
    );
    expect(
      singleInstanceVerdict({ ...base, holder: { host: 'LAB-07', pid: 3999 }, alive: () => false })
        .action,
    ).toBe('runUnlocked');
    expect(
      singleInstanceVerdict({ ...base, platform: 'win32', holder: undefined, alive: () => false })
        .action,
    ).toBe('exit');
  });

  it("reads Chromium's lock link and whether the folder can be written", async () => {
    expect(parseSingletonLock('lab-07.school.local-12345')).toEqual({
      host: 'lab-07.school.local',
      pid: 12345,
    });
    expect(parseSingletonLock('garbage')).toBeUndefined();
    const dir = await mkdtemp(join(tmpdir(), 'classlock-lock-'));
    try {
      expect(inspectLockFolder(dir)).toEqual({ holder: undefined, folderWritable: true });
      await symlink('LAB-03-777', join(dir, 'SingletonLock'));
      expect(inspectLockFolder(dir).holder).toEqual({ host: 'LAB-03', pid: 777 });
      expect(inspectLockFolder(join(dir, 'missing')).folderWritable).toBe(false);
      const ro = join(dir, 'ro');
      await mkdir(ro);
      await chmod(ro, 0o500);
      // root may write anywhere; the check matters for ordinary users.
      expect(inspectLockFolder(ro).folderWritable).toBe(process.getuid?.() === 0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    expect(processAlive(process.pid)).toBe(true);
  });
});

describe('graphics crashes', () => {
  it('the first GPU crash restarts without acceleration; later ones, and other processes, do not', () => {
    expect(gpuCrashAction({ type: 'GPU', reason: 'crashed' }, false)).toBe('relaunchWithoutGpu');
    expect(gpuCrashAction({ type: 'GPU', reason: 'crashed' }, true)).toBe('logOnly');
    expect(gpuCrashAction({ type: 'GPU', reason: 'clean-exit' }, false)).toBe('ignore');
    expect(gpuCrashAction({ type: 'Utility', reason: 'crashed' }, false)).toBe('ignore');
  });

  it('a restart while covered comes back locked, and switches are never doubled', () => {
    expect(relaunchArgs(['.'], true)).toEqual([
      '.',
      `--${NO_GPU_SWITCH}`,
      `--${RELAUNCH_LOCKED_SWITCH}`,
    ]);
    expect(relaunchArgs(['.', `--${NO_GPU_SWITCH}`], false)).toEqual(['.', `--${NO_GPU_SWITCH}`]);
  });
});
