import type { IdleSourceStatus } from '../idle/idle-source';
import { judgeIdleSamples, type IdleSample } from '../idle/idle-health';
import type { HotkeyResult } from '../tray/hotkeys';
import type { TrayPlan } from '../tray/tray-plan';
import type { FocusResult } from '../windows/focus-guard';
import { coverageProblems, type CoverState, type DisplayInfo } from '../windows/layout';

/**
 * `classlock --self-test`: what a network manager runs on one PC of each model before a
 * roll-out. Each check gives one line: PASS or FAIL, what was seen, and on failure what to
 * do. The exit status is 0 only when every check passed.
 */
export interface CheckResult {
  name: string;
  ok: boolean;
  detail: string;
  /** What to do about a failure. */
  fix?: string;
}

export function formatReport(results: readonly CheckResult[]): string[] {
  const width = Math.max(...results.map((r) => r.name.length), 0);
  return results.map(
    (r) =>
      `${r.ok ? 'PASS' : 'FAIL'} ${r.name.padEnd(width)}  ${r.detail}${!r.ok && r.fix ? ` — what to do: ${r.fix}` : ''}`,
  );
}

export function exitCode(results: readonly CheckResult[]): number {
  return results.length > 0 && results.every((r) => r.ok) ? 0 : 1;
}

export function checkCovers(
  displays: readonly DisplayInfo[],
  covers: readonly CoverState[],
): CheckResult {
  const problems = coverageProblems(displays, covers);
  return problems.length
    ? {
        name: 'covers',
        ok: false,
        detail: problems.join('; '),
        fix: 'update the graphics driver, set every display to the same scaling, or report the display layout to Classlock with this line',
      }
    : {
        name: 'covers',
        ok: true,
        detail: `${displays.length} display(s), each covered by its own window`,
      };
}

export function checkFocus(r: FocusResult | undefined, platform: NodeJS.Platform): CheckResult {
  if (r?.focused) {
    return {
      name: 'focus',
      ok: true,
      detail: `the lock took the keyboard (${r.attempts} request(s))`,
    };
  }
  return {
    name: 'focus',
    ok: false,
    detail: `the lock did not get the keyboard after ${r?.attempts ?? 0} request(s): a PIN typed now would go to another program`,
    fix:
      platform === 'win32'
        ? 'check that no other kiosk or exam software holds the foreground; as a second line set the policy to lock the Windows session for staff'
        : 'turn off focus-stealing prevention for Classlock in the window manager, or run it under X11/XWayland',
  };
}

export function checkIdle(samples: readonly IdleSample[], status: IdleSourceStatus): CheckResult {
  if (!status.working) {
    return {
      name: 'idle',
      ok: false,
      detail: status.detail,
      fix: 'log in with an X11 session, or use GNOME or KDE (their idle clocks are read over D-Bus); or set lockWithoutIdleSource in the policy',
    };
  }
  const j = judgeIdleSamples(samples);
  return j.ok
    ? { name: 'idle', ok: true, detail: `${status.source}: ${j.detail}` }
    : {
        name: 'idle',
        ok: false,
        detail: `${status.source}: ${j.detail}`,
        fix: 'run the self-test again without touching the keyboard or mouse; if it fails again, the idle lock will not work on this PC',
      };
}

export function checkHotkeys(
  results: readonly HotkeyResult[],
  wayland: boolean,
  /** The user's running Classlock holds them: "taken" then means they work. */
  classlockRunning = false,
): CheckResult {
  const failed = results.filter((r) => !r.registered);
  if (failed.length && classlockRunning) {
    return {
      name: 'shortcuts',
      ok: true,
      detail: `${failed.map((f) => f.accelerator).join(', ')} held by the Classlock already running in this session`,
    };
  }
  if (failed.length) {
    return {
      name: 'shortcuts',
      ok: false,
      detail: failed.map((f) => `${f.accelerator} is taken`).join('; '),
      fix: 'set lockNowHotkey / hideScreenHotkey in the machine config to keys nothing else uses',
    };
  }
  const keys = results.map((r) => r.accelerator).join(', ');
  return {
    name: 'shortcuts',
    ok: true,
    detail: wayland
      ? `${keys} registered (on Wayland a shortcut reaches Classlock only while an X11 window has focus; the tray or on-screen control stays available)`
      : `${keys} registered`,
  };
}

export function checkTray(plan: TrayPlan): CheckResult {
  if (plan.tray && !plan.control)
    return { name: 'tray', ok: true, detail: 'the tray icon is shown' };
  if (plan.control) {
    return {
      name: 'tray',
      ok: true,
      detail: `no tray icon (${plan.reason ?? 'unknown reason'}); the on-screen control stands in for it`,
    };
  }
  return {
    name: 'tray',
    ok: false,
    detail: 'neither a tray icon nor the on-screen control can be shown',
    fix: 'report this line to Classlock',
  };
}

export interface RendererSandbox {
  pid: number;
  /** Electron's own answer (Windows, macOS). */
  sandboxed?: boolean;
  /** Linux: the Seccomp mode from /proc/<pid>/status (2 = filtered, Chromium's sandbox). */
  seccomp?: number;
}

export function checkSandbox(o: {
  noSandboxSwitch: boolean;
  renderers: readonly RendererSandbox[];
}): CheckResult {
  const fix =
    'do not start Classlock with --no-sandbox; on Ubuntu 24.04 and later install the AppArmor profile that the .deb ships (it allows the user namespaces Chromium sandboxes with)';
  if (o.noSandboxSwitch) {
    return { name: 'sandbox', ok: false, detail: 'started with --no-sandbox', fix };
  }
  if (!o.renderers.length) {
    return {
      name: 'sandbox',
      ok: false,
      detail: 'no lock screen process was found to check',
      fix: 'report this line to Classlock',
    };
  }
  const open = o.renderers.filter(
    (r) => r.sandboxed === false || (r.sandboxed === undefined && r.seccomp !== 2),
  );
  return open.length
    ? {
        name: 'sandbox',
        ok: false,
        detail: `lock screen process(es) ${open.map((r) => r.pid).join(', ')} run without the sandbox`,
        fix,
      }
    : {
        name: 'sandbox',
        ok: true,
        detail: `${o.renderers.length} lock screen process(es), all sandboxed`,
      };
}

/** "Seccomp:\t2" from /proc/<pid>/status. */
export function seccompMode(status: string): number | undefined {
  const m = /^Seccomp:\s*(\d+)/m.exec(status);
  return m ? Number(m[1]) : undefined;
}
