/**
 * Composition root of the Electron main process: builds the parts and connects them.
 * Every decision lives in src/core (the session) or in the small pure modules beside this
 * file; here we only translate OS signals into session events and session effects into
 * windows, IPC and OS commands.
 */
import { app, globalShortcut, ipcMain, powerMonitor, session } from 'electron';
import { machineIdSync } from 'node-machine-id';
import { appendFileSync, mkdirSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { systemClock } from '../core/clock';
import { platformEnforcer } from '../core/enforcement/platform';
import { PosixGroups, WindowsGroups } from '../core/identity/groups';
import type { SessionShell } from '../core/session/runtime';
import { bootstrapSession, type Bootstrapped } from './bootstrap';
import { devOverrides } from './config/machine-paths';
import { bindPowerEvents } from './idle/power-events';
import { IdlePoller } from './idle/idle-poller';
import { registerIpc } from './ipc/ipc-adapter';
import { ExecFileRunner } from './os/exec-runner';
import { LinuxSession } from './os/linux-session';
import type { OsSession } from './os/os-session';
import { sessionAccount } from './os/session-account';
import { WindowsSession } from './os/windows-session';
import type { IdleSourceStatus } from './idle/idle-source';
import { platformIdleSource } from './idle/platform-idle';
import { earlyStart } from './security/early-start';
import { hardenApp } from './security/harden';
import { buildShellReport } from './self-test/shell-report';
import { runSelfTest } from './self-test/run-self-test';
import { DesktopControls } from './tray/desktop-controls';
import { RELAUNCH_LOCKED_SWITCH } from './windows/gpu-fallback';
import { watchGpu } from './windows/gpu-watch';
import { LockWindows } from './windows/lock-windows';
import { windowsVisibleFor } from './windows/layout';
import { platformForegroundRoute } from './windows/win32-foreground';
import { win32VirtualDesktops } from './windows/win32-virtual-desktops';
import { startWin32KeyboardGuard } from './windows/win32-keyboard-guard';

/**
 * One line to stdout (seen when IT starts Classlock from a terminal) and to
 * <user's app data>/logs/classlock.log (Windows GUI programs have no console).
 */
const log = (message: string) => {
  const line = `${new Date().toISOString()} ${message}`;
  console.log(`[classlock] ${line}`);
  try {
    const dir = app.getPath('logs');
    mkdirSync(dir, { recursive: true });
    appendFileSync(join(dir, 'classlock.log'), `${line}\n`);
  } catch {
    // Logging must never stop the lock.
  }
};

const rendererIndex = join(__dirname, '..', 'renderer', 'index.html');
const rendererIndexUrl = pathToFileURL(rendererIndex).href;
const preloadPath = join(__dirname, '..', 'preload', 'preload.cjs');
// Unpackaged, the app path is the repo root (Electron started on the folder with package.json).
const defaultPolicyPath = app.isPackaged
  ? join(process.resourcesPath, 'default-policy.yaml')
  : join(app.getAppPath(), 'resources', 'default-policy.yaml');
const selfTest = process.argv.includes('--self-test');

// One Classlock per desktop session: a second start (a user double-clicking the shortcut,
// a login script running twice) leaves the first in charge (security/early-start.ts).
const early = earlyStart(app, log, selfTest);
if (early.proceed) {
  // Lock windows are recreated, never all closed for good: do not quit when none is left.
  app.on('window-all-closed', () => undefined);
  app.on('second-instance', () => log('A second Classlock start was refused.'));
  app
    .whenReady()
    .then(() =>
      selfTest
        ? runSelfTest({
            app,
            preloadPath,
            rendererIndex,
            rendererIndexUrl,
            log: (m) => console.log(m),
            classlockRunning: early.classlockRunning,
            ...(early.displayServerProblem
              ? { displayServerProblem: early.displayServerProblem }
              : {}),
          })
        : start(),
    )
    .catch((err: unknown) => {
      // Fail safe for work: a client that cannot start must not leave a blank cover up.
      log(`Classlock could not start: ${String(err)}`);
      app.exit(1);
    });
}

async function start(): Promise<void> {
  hardenApp(app, session.defaultSession, {
    appRootUrl: pathToFileURL(dirname(rendererIndex)).href,
    allowDevTools: !app.isPackaged,
    log,
  });

  const late: { boot?: Bootstrapped } = {};
  const windows = new LockWindows({
    preloadPath,
    rendererIndex,
    allowDevTools: !app.isPackaged,
    log,
    onDisplaysChanged: () => late.boot?.runtime.displaysChanged(),
    foregroundRoute: platformForegroundRoute(log),
    ...(process.platform === 'win32' ? { virtualDesktops: win32VirtualDesktops(log) } : {}),
  });
  // Windows: keys bound for another window while covered are dropped (keyboard-guard.ts).
  const keyboardGuard =
    process.platform === 'win32'
      ? startWin32KeyboardGuard({
          covered: () => windows.isCovering(),
          ourWindows: () => windows.nativeHandles(),
          refocus: () => windows.refocus(),
          log,
        })
      : undefined;
  watchGpu(app, {
    covered: () => windowsVisibleFor(late.boot?.runtime.view().screen ?? 'none'),
    log,
  });
  // Hidden windows first, so the first View shows without waiting for a page load.
  windows.start();

  const runner = new ExecFileRunner();
  const osSession: OsSession =
    process.platform === 'win32'
      ? new WindowsSession(runner, process.env)
      : new LinuxSession(runner, process.env);

  const shell: SessionShell = {
    present: (view) => windows.present(view),
    lockOs: () => osSession.lock(),
    logoff: () => osSession.logoff(),
    restrictOwnRequests: (allowList) =>
      // Electron's own sessions load nothing remote at all (security/request-policy.ts),
      // which already keeps a restricted user off the internet through these windows.
      log(allowList ? 'Internet access withdrawn for this session.' : 'Internet access restored.'),
  };

  const me = userInfo();
  const overrides = devOverrides(app.isPackaged, process.env);
  const boot = await bootstrapSession({
    platform: process.platform,
    env: process.env,
    clock: systemClock,
    account: sessionAccount(process.platform, process.env, me.username),
    username: me.username,
    hostname: hostname(),
    ...(me.uid >= 0 ? { uid: me.uid } : {}),
    groups: process.platform === 'win32' ? new WindowsGroups() : new PosixGroups(),
    defaultPolicyPath,
    ...(overrides.configFile ? { configFile: overrides.configFile } : {}),
    ...(overrides.dataDir ? { dataDir: overrides.dataDir } : {}),
    readOsMachineId: () => machineIdSync(),
    shell,
    enforcer: platformEnforcer({
      platform: process.platform,
      userStateDir: app.getPath('userData'),
      currentBundle: () => late.boot?.currentBundle(),
    }),
    log,
  });
  late.boot = boot;
  const { runtime } = boot;

  registerIpc({
    ipcMain,
    session: runtime,
    rendererIndexUrl,
    targets: () => windows.webContents(),
    log,
  });

  const lockNow = () => {
    runtime.lockNow().catch((err: unknown) => log(`Lock now failed: ${String(err)}`));
  };
  const hideScreen = () => {
    runtime.hideScreen().catch((err: unknown) => log(`Hide the screen failed: ${String(err)}`));
  };
  const controls = new DesktopControls({
    globalShortcut,
    ...(boot.machineConfig?.lockNowHotkey
      ? { lockNowHotkey: boot.machineConfig.lockNowHotkey }
      : {}),
    ...(boot.machineConfig?.hideScreenHotkey
      ? { hideScreenHotkey: boot.machineConfig.hideScreenHotkey }
      : {}),
    lockNow,
    hideScreen,
    log,
  });
  await controls.start();

  // The idle clock: Electron's, the desktop's over D-Bus, or a timer the policy allows.
  let idleStatus: IdleSourceStatus | undefined;
  let desktopOpenedAt = Date.now();
  const idleSource = platformIdleSource({
    os: powerMonitor,
    lockWithoutIdleSource: () => runtime.snapshot().facts.timeouts.lockWithoutIdleSource === true,
    desktopOpenedAt: () => desktopOpenedAt,
    onStatus: (s) => {
      idleStatus = s;
      log(`Idle clock: ${s.detail}`);
      reportShell();
      // Called only once polling runs, after the tray exists.
      refreshTray();
    },
  });
  // What the service cannot see, for its audit: the service client sends shellReport()
  // as the protocol's shellReport message; until it exists the report goes to the log.
  const shellReport = () =>
    buildShellReport({
      ...(idleStatus ? { idle: idleStatus } : {}),
      hotkeys: controls.hotkeys,
      ...(controls.plan ? { tray: controls.plan } : {}),
    });
  const reportShell = () => log(`Shell report: ${JSON.stringify(shellReport())}`);

  let lastScreen = runtime.view().screen;
  const refreshTray = () => {
    const view = runtime.view();
    if (view.screen === 'none' && lastScreen !== 'none') desktopOpenedAt = Date.now();
    lastScreen = view.screen;
    const status = runtime.status();
    const problems = [
      ...controls.problems(),
      ...(idleStatus && !idleStatus.working ? [idleStatus.detail] : []),
    ];
    controls.update(
      {
        view,
        policyStatus: boot.policyStatus(),
        ...(status.restriction ? { restriction: `Access withdrawn: ${status.restriction}` } : {}),
        ...(status.enforcementError ? { enforcementError: status.enforcementError } : {}),
        // The rules the session itself shows on the lock: role and locale already chosen by the core.
        rules: runtime.snapshot().facts.rules,
        lockNowAccelerator: controls.accelerator('lockNow'),
        hideScreenAccelerator: controls.accelerator('hideScreen'),
        problems,
      },
      view,
    );
  };
  runtime.onView(refreshTray);
  const trayTimer = setInterval(refreshTray, 30_000);

  const poller = new IdlePoller({
    source: idleSource,
    onIdle: (seconds) => runtime.idle(seconds),
    onOsLocked: () => runtime.lockNow(),
    onError: (err) => log(`Idle check failed: ${String(err)}`),
  });
  const unbindPower = bindPowerEvents(powerMonitor, runtime, (event, err) =>
    log(`Handling "${event}" failed: ${String(err)}`),
  );

  const stop = () => {
    poller.stop();
    idleSource.stop();
    windows.dispose();
    keyboardGuard?.stop();
    controls.destroy();
    unbindPower();
    clearInterval(trayTimer);
    globalShortcut.unregisterAll();
    boot.stop();
  };
  app.on('before-quit', () => {
    windows.setQuitting();
    controls.prepareQuit();
  });
  app.on('will-quit', stop);
  // Linux sends SIGTERM when the desktop session ends.
  process.on('SIGTERM', () => {
    windows.setSessionEnding();
    app.quit();
  });

  await runtime.start();
  // Relaunched (after a graphics crash) while the screen was covered: cover it again at once.
  if (app.commandLine.hasSwitch(RELAUNCH_LOCKED_SWITCH)) await runtime.lockNow();
  windows.present(runtime.view());
  refreshTray();
  await idleSource.start();
  reportShell();
  poller.start();
  log(`Started for ${runtime.view().user.account} (machine ${boot.machineId.id}).`);
}
