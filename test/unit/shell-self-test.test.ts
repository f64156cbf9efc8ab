/** `classlock --self-test`: one line per check, what to do on failure, exit 0 only when all pass. */
import { describe, expect, it } from 'vitest';
import {
  checkCovers,
  checkFocus,
  checkHotkeys,
  checkIdle,
  checkSandbox,
  checkTray,
  exitCode,
  formatReport,
  seccompMode,
} from '../../src/main/self-test/checks';

const a = { id: 1, bounds: { x: 0, y: 0, width: 1920, height: 1080 } };
const b = { id: 2, bounds: { x: 1920, y: 0, width: 1280, height: 1024 } };

describe('the self-test checks', () => {
  it('covers: every display its own visible cover, or which one is wrong', () => {
    expect(
      checkCovers(
        [a, b],
        [
          { displayId: 1, bounds: a.bounds, visible: true },
          { displayId: 2, bounds: b.bounds, visible: true },
        ],
      ).ok,
    ).toBe(true);
    const stacked = checkCovers(
      [a, b],
      [
        { displayId: 1, bounds: a.bounds, visible: true },
        { displayId: 2, bounds: a.bounds, visible: true },
      ],
    );
    expect(stacked.ok).toBe(false);
    expect(stacked.detail).toMatch(/display 2 has no cover/);
    expect(stacked.detail).toMatch(/display 1 has 2 covers stacked/);
    expect(checkCovers([a], [{ displayId: 1, bounds: a.bounds, visible: false }]).detail).toMatch(
      /not showing/,
    );
  });

  it('focus: a failure says where a typed PIN would go and what to do per OS', () => {
    expect(checkFocus({ focused: true, attempts: 2, abandoned: false }, 'win32').ok).toBe(true);
    const f = checkFocus({ focused: false, attempts: 7, abandoned: false }, 'win32');
    expect(f.detail).toMatch(/PIN typed now would go to another program/);
    expect(f.fix).toMatch(/lock the Windows session/);
    expect(checkFocus(undefined, 'linux').fix).toMatch(/focus-stealing prevention/);
  });

  it('idle: a clock stuck at 0 fails with the way out', () => {
    const stuck = [0, 1, 2, 3, 4].map((s) => ({ at: s * 1000, seconds: 0 }));
    const r = checkIdle(stuck, { source: 'os', working: true, detail: '' });
    expect(r.ok).toBe(false);
    expect(r.detail).toMatch(/stayed at 0/);
    const counting = [0, 1, 2, 3, 4].map((s) => ({ at: s * 1000, seconds: s }));
    expect(
      checkIdle(counting, { source: 'GNOME idle monitor', working: true, detail: '' }),
    ).toMatchObject({ ok: true });
    expect(
      checkIdle(counting, { source: 'none', working: false, detail: 'No idle clock works' }).fix,
    ).toMatch(/lockWithoutIdleSource/);
  });

  it('shortcuts, tray and sandbox', () => {
    const taken = checkHotkeys(
      [{ name: 'lockNow', accelerator: 'Alt+Shift+L', registered: false }],
      false,
    );
    expect(taken).toMatchObject({ ok: false, detail: 'Alt+Shift+L is taken' });
    expect(
      checkHotkeys([{ name: 'lockNow', accelerator: 'Alt+Shift+L', registered: true }], true)
        .detail,
    ).toMatch(/Wayland/);
    // Run beside the user's own Classlock, "taken" means Classlock holds them.
    expect(
      checkHotkeys(
        [{ name: 'lockNow', accelerator: 'Alt+Shift+L', registered: false }],
        false,
        true,
      ),
    ).toMatchObject({ ok: true, detail: expect.stringMatching(/already running/) });
    expect(checkTray({ tray: true, control: true, reason: 'no host' })).toMatchObject({
      ok: true,
      detail: expect.stringMatching(/on-screen control/),
    });
    expect(checkSandbox({ noSandboxSwitch: true, renderers: [] })).toMatchObject({
      ok: false,
      detail: 'started with --no-sandbox',
    });
    expect(
      checkSandbox({
        noSandboxSwitch: false,
        renderers: [
          { pid: 9, seccomp: 2 },
          { pid: 10, sandboxed: true },
        ],
      }).ok,
    ).toBe(true);
    expect(
      checkSandbox({ noSandboxSwitch: false, renderers: [{ pid: 9, seccomp: 0 }] }).detail,
    ).toMatch(/9 run without the sandbox/);
    expect(seccompMode('Name:\tclasslock\nSeccomp:\t2\nSeccomp_filters:\t1\n')).toBe(2);
  });

  it('one line per check; exit status 0 only when every check passed', () => {
    const pass = { name: 'covers', ok: true, detail: '2 display(s)' };
    const fail = { name: 'idle', ok: false, detail: 'stuck', fix: 'log in with X11' };
    expect(formatReport([pass, fail])).toEqual([
      'PASS covers  2 display(s)',
      'FAIL idle    stuck — what to do: log in with X11',
    ]);
    expect(exitCode([pass])).toBe(0);
    expect(exitCode([pass, fail])).toBe(1);
    expect(exitCode([])).toBe(1);
  });
});
