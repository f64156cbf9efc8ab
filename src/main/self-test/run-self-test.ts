import { globalShortcut, ipcMain, powerMonitor, screen, type App } from 'electron';
import { readFile } from 'node:fs/promises';
import type { View } from '../../shared/view';
import type { IdleSourceStatus } from '../idle/idle-source';
import { platformIdleSource } from '../idle/platform-idle';
import type { IdleSample } from '../idle/idle-health';
import { registerIpc } from '../ipc/ipc-adapter';
import { defaultConfigSources } from '../../core/config/default-sources';
import { JsonFileConfigSource } from '../../core/config/file-source';
import { loadMachineConfig } from '../../core/config/machine-config';
import { devOverrides } from '../config/machine-paths';
import { chooseHotkey, registerHotkeys } from '../tray/hotkeys';
import { statusNotifierHostPresent } from '../tray/status-notifier';
import { trayPlan } from '../tray/tray-plan';
import { LockWindows } from '../windows/lock-windows';
import { platformForegroundRoute } from '../windows/win32-foreground';
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
  type CheckResult,
  type RendererSandbox,
} from './checks';

export interface SelfTestOptions {
  app: App;
  preloadPath: string;
  rendererIndex: string;
  rendererIndexUrl: string;
  /** One line of output (stdout: the network manager reads it in a terminal). */
  log: (line: string) => void;
  /** How long to watch the idle clock; nobody may touch the PC meanwhile. */
  idleSeconds?: number;
  /** The user's own Classlock is running (it holds the shortcuts). */
  classlockRunning?: boolean;
  /** Running natively on Wayland: where the covers cannot place themselves. */
  displayServerProblem?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * `classlock --self-test` on a real PC: covers on every display, focus, the idle clock,
 * the shortcuts, the tray and the sandbox, one line each; the process exits 0 only when
 * all passed. It uses the machine's real windows and settings but no session: nothing is
 * locked, recorded or sent.
 */
export async function runSelfTest(o: SelfTestOptions): Promise<void> {
  const results: CheckResult[] = [];
  const say = (line: string) => o.log(line);
  const view: View = {
    screen: 'locked',
    locale: 'en-GB',
    user: { account: 'self-test', displayName: 'Classlock self-test', role: 'staff' },
    since: new Date().toISOString(),
    rules: [],
    methods: ['pin'],
    failedAttempts: 0,
    unlockBy: 'owner',
    canEndSession: false,
    reason: 'lockNow',
  };
  const unregister = registerIpc({
    ipcMain,
    session: { view: () => view, intent: async () => view, onView: () => () => undefined },
    rendererIndexUrl: o.rendererIndexUrl,
    targets: () => [],
    log: () => undefined,
  });
  const windows = new LockWindows({
    preloadPath: o.preloadPath,
    rendererIndex: o.rendererIndex,
    allowDevTools: false,
    log: (m) => say(`  (${m})`),
    foregroundRoute: platformForegroundRoute(() => undefined),
  });
  try {
    say('Classlock self-test: covering every display for a few seconds.');
    windows.start();
    await windows.settled();
    windows.present(view);
    await windows.settled();
    await sleep(1500);
    const displays = screen.getAllDisplays().map((d) => ({ id: d.id, bounds: d.bounds }));
    results.push(checkCovers(displays, windows.covers()));
    // Focus as it is now, not only as it was once: a window manager may take it back.
    const focus = windows.focusResult();
    results.push(
      checkFocus(
        focus && { ...focus, focused: focus.focused && windows.hasFocus() },
        process.platform,
      ),
    );
    results.push(checkSandbox(await sandboxFacts(o.app)));

    const seconds = o.idleSeconds ?? 6;
    say(`Measuring the idle clock: do not touch the keyboard or mouse for ${seconds} s.`);
    let status: IdleSourceStatus = { source: 'os', working: true, detail: '' };
    const idle = platformIdleSource({
      os: powerMonitor,
      lockWithoutIdleSource: () => false,
      desktopOpenedAt: () => Date.now(),
      onStatus: (s) => (status = s),
    });
    await idle.start();
    const samples: IdleSample[] = [];
    const t0 = Date.now();
    for (let i = 0; i <= seconds * 2; i++) {
      samples.push({ at: Date.now() - t0, seconds: idle.getSystemIdleTime() });
      await sleep(500);
    }
    idle.stop();
    results.push(checkIdle(samples, status));

    const config = await machineHotkeys(o.app);
    const hk = registerHotkeys(globalShortcut, [
      { name: 'lockNow', accelerator: config.lockNow, action: () => undefined },
      { name: 'hideScreen', accelerator: config.hideScreen, action: () => undefined },
    ]);
    globalShortcut.unregisterAll();
    const wayland = process.platform === 'linux' && process.env.XDG_SESSION_TYPE === 'wayland';
    results.push(checkHotkeys(hk, wayland, o.classlockRunning ?? false));
    if (o.displayServerProblem) {
      results.push({
        name: 'display',
        ok: false,
        detail: o.displayServerProblem,
        fix: 'start Classlock with --ozone-platform=x11 (the installed launcher does)',
      });
    }
    const host = process.platform === 'linux' ? await statusNotifierHostPresent() : undefined;
    results.push(checkTray(trayPlan({ platform: process.platform, statusNotifierHost: host })));
  } catch (err) {
    results.push({
      name: 'self-test',
      ok: false,
      detail: `stopped: ${String(err)}`,
      fix: 'report this line to Classlock',
    });
  } finally {
    windows.setSessionEnding();
    windows.dispose();
    unregister();
  }
  for (const line of formatReport(results)) say(line);
  o.app.exit(exitCode(results));
}

/** The shortcuts the machine config sets (file, then Group Policy), else the defaults. */
async function machineHotkeys(app: App): Promise<{ lockNow: string; hideScreen: string }> {
  const { configFile } = devOverrides(app.isPackaged, process.env);
  const { config } = await loadMachineConfig(
    configFile ? [new JsonFileConfigSource(configFile)] : defaultConfigSources(process.platform),
  );
  return {
    lockNow: chooseHotkey('lockNow', config?.lockNowHotkey).accelerator,
    hideScreen: chooseHotkey('hideScreen', config?.hideScreenHotkey).accelerator,
  };
}

/** Each lock screen process, with Electron's sandbox flag or, on Linux, its seccomp mode. */
async function sandboxFacts(app: App) {
  const renderers: RendererSandbox[] = [];
  for (const m of app.getAppMetrics()) {
    if (m.type !== 'Tab') continue;
    let seccomp: number | undefined;
    if (process.platform === 'linux') {
      seccomp = seccompMode(await readFile(`/proc/${m.pid}/status`, 'utf8').catch(() => ''));
    }
    renderers.push({
      pid: m.pid,
      ...(m.sandboxed !== undefined ? { sandboxed: m.sandboxed } : {}),
      ...(seccomp !== undefined ? { seccomp } : {}),
    });
  }
  return { noSandboxSwitch: app.commandLine.hasSwitch('no-sandbox'), renderers };
}
