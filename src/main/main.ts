/**
 * Composition root of the Electron main process, the session's client: builds the parts
 * and connects them. Every decision is the machine service's (classlockd, src/service);
 * here we only report what the desktop senses to it and show the Views it sends.
 */
import { app, globalShortcut, ipcMain, powerMonitor, session } from 'electron';
import { userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ServiceStatus } from '../shared/service-protocol';
import { devOverrides } from './config/machine-paths';
import { bindPowerEvents } from './idle/power-events';
import { IdlePoller } from './idle/idle-poller';
import { registerIpc } from './ipc/ipc-adapter';
import { sessionAccount } from './os/session-account';
import type { IdleSourceStatus } from './idle/idle-source';
import { platformIdleSource } from './idle/platform-idle';
import { earlyStart } from './security/early-start';
import { hardenApp } from './security/harden';
import { ServiceClient, serviceSocketPath } from './service-client';
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
import type { Logger } from '../core/log';
import { createLogger } from '../log/pino-logger';

/**
 * Pino, to stderr (seen when IT starts Classlock from a terminal) and to
 * <user's app data>/logs/classlock.log (Windows GUI programs have no console), made at
 * first use because the logs folder is known only once Electron has started.
 */
let logger: Logger | undefined;
const logs = (): Logger => {
  if (!logger) {
    let dir: string | undefined;
    try {
      dir = app.getPath('logs');
    } catch {
      dir = undefined; // stderr only; logging must never stop the lock
    }
    logger = createLogger({ name: 'classlock', ...(dir ? { dir } : {}) });
  }
  return logger;
};
const log = (message: string) => logs().info(message);

const rendererIndex = join(__dirname, '..', 'renderer', 'index.html');
const rendererIndexUrl = pathToFileURL(rendererIndex).href;
const preloadPath = join(__dirname, '..', 'preload', 'preload.cjs');
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

  // The session's decisions are the machine service's: until it answers, and whenever it
  // is gone, the windows show a full cover saying so.
  const overrides = devOverrides(app.isPackaged, process.env);
  const me = userInfo();
  const client = new ServiceClient({
    socketPath: overrides.serviceSocket ?? serviceSocketPath(process.platform),
    clientVersion: app.getVersion?.() ?? '0.0.0',
    account: sessionAccount(process.platform, process.env, me.username),
    log,
  });
  const windows = new LockWindows({
    preloadPath,
    rendererIndex,
    allowDevTools: !app.isPackaged,
    log,
    onDisplaysChanged: () => {
      windows.present(client.view());
      client.displaysChanged().catch(() => undefined);
    },
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
    covered: () => windowsVisibleFor(client.view().screen),
    log,
  });
  // Hidden windows first, so the first View shows without waiting for a page load.
  windows.start();

  client.onView((view) => windows.present(view));
  await client.start();
  // What the service says about this PC and session: hotkeys, the policy line, the rules.
  let status: ServiceStatus | undefined = await client.status().catch(() => undefined);

  registerIpc({
    ipcMain,
    session: client,
    rendererIndexUrl,
    targets: () => windows.webContents(),
    log,
  });

  const lockNow = () => {
    client.lockNow().catch((err: unknown) => log(`Lock now failed: ${String(err)}`));
  };
  const hideScreen = () => {
    client.hideScreen().catch((err: unknown) => log(`Hide the screen failed: ${String(err)}`));
  };
  const controls = new DesktopControls({
    globalShortcut,
    ...(status?.hotkeys.lockNow ? { lockNowHotkey: status.hotkeys.lockNow } : {}),
    ...(status?.hotkeys.hideScreen ? { hideScreenHotkey: status.hotkeys.hideScreen } : {}),
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
    lockWithoutIdleSource: () => status?.session?.lockWithoutIdleSource === true,
    desktopOpenedAt: () => desktopOpenedAt,
    onStatus: (s) => {
      idleStatus = s;
      log(`Idle clock: ${s.detail}`);
      reportShell();
      // Called only once polling runs, after the tray exists.
      refreshTray();
    },
  });
  // What the service cannot see, for its audit (and the log).
  const shellReport = () =>
    buildShellReport({
      ...(idleStatus ? { idle: idleStatus } : {}),
      hotkeys: controls.hotkeys,
      ...(controls.plan ? { tray: controls.plan } : {}),
    });
  const reportShell = () => {
    const report = shellReport();
    log(`Shell report: ${JSON.stringify(report)}`);
    client.report(report).catch(() => undefined);
  };

  let lastScreen = client.view().screen;
  const refreshTray = () => {
    const view = client.view();
    if (view.screen === 'none' && lastScreen !== 'none') desktopOpenedAt = Date.now();
    lastScreen = view.screen;
    const session = status?.session;
    const problems = [
      ...controls.problems(),
      ...(idleStatus && !idleStatus.working ? [idleStatus.detail] : []),
    ];
    controls.update(
      {
        view,
        policyStatus: status
          ? `Policy ${status.policy.serial} (${status.policy.origin})${status.policy.stale ? ', out of date' : ''}`
          : "Classlock's machine service is not running",
        ...(session?.restriction
          ? { restriction: `Access withdrawn: ${session.restriction}` }
          : {}),
        ...(session?.enforcementError ? { enforcementError: session.enforcementError } : {}),
        // The rules the session itself shows on the lock: role and locale already chosen by the service.
        rules: session?.rules ?? [],
        lockNowAccelerator: controls.accelerator('lockNow'),
        hideScreenAccelerator: controls.accelerator('hideScreen'),
        problems,
      },
      view,
    );
  };
  const refreshStatus = () =>
    void client.status().then(
      (s) => {
        status = s;
        refreshTray();
      },
      () => undefined,
    );
  client.onView((view) => {
    const changed = view.screen !== lastScreen;
    refreshTray();
    if (changed) refreshStatus();
  });
  client.onConnection(refreshStatus);
  const trayTimer = setInterval(refreshStatus, 30_000);

  const poller = new IdlePoller({
    source: idleSource,
    onIdle: (seconds) => client.idle(seconds),
    onOsLocked: () => client.osLocked(),
    onError: (err) => log(`Idle check failed: ${String(err)}`),
  });
  const unbindPower = bindPowerEvents(powerMonitor, client, (event, err) =>
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
    client.close();
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

  // Relaunched (after a graphics crash) while the screen was covered: cover it again at once.
  if (app.commandLine.hasSwitch(RELAUNCH_LOCKED_SWITCH)) await client.lockNow();
  windows.present(client.view());
  refreshTray();
  await idleSource.start();
  reportShell();
  poller.start();
  log(
    client.isConnected()
      ? `Started for ${client.view().user.account}; the machine service answered (machine ${status?.machineId ?? 'unknown'}).`
      : `Started for ${me.username}; the machine service is not reachable yet, the cover stays up until it is.`,
  );
}
