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
import { hardenApp } from './security/harden';
import { lockNowAccelerator } from './tray/lock-now-hotkey';
import { HIDE_SCREEN_ACCELERATOR } from './tray/tray-menu';
import { ClasslockTray } from './tray/tray';
import { LockWindows } from './windows/lock-windows';

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
const defaultPolicyPath = app.isPackaged
  ? join(process.resourcesPath, 'default-policy.yaml')
  : join(app.getAppPath(), 'resources', 'default-policy.yaml');

if (!app.requestSingleInstanceLock()) {
  // One Classlock per desktop session: a second start (a user double-clicking the
  // shortcut, a login script running twice) leaves the first in charge.
  app.exit(0);
} else {
  // Lock windows are recreated, never all closed for good: do not quit when none is left.
  app.on('window-all-closed', () => undefined);
  app.on('second-instance', () => log('A second Classlock start was refused.'));
  app
    .whenReady()
    .then(start)
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
  const accelerator = lockNowAccelerator(undefined);
  if (!globalShortcut.register(accelerator, lockNow)) {
    log(`The lock-now shortcut ${accelerator} is taken by another program; use the tray.`);
  }

  const hideScreen = () => {
    runtime.hideScreen().catch((err: unknown) => log(`Hide the screen failed: ${String(err)}`));
  };
  // Registered for everyone: the core ignores it for anyone but a pupil.
  if (!globalShortcut.register(HIDE_SCREEN_ACCELERATOR, hideScreen)) {
    log(
      `The hide-the-screen shortcut ${HIDE_SCREEN_ACCELERATOR} is taken by another program; use the tray.`,
    );
  }

  const tray = new ClasslockTray({ lockNow, hideScreen });
  const refreshTray = () => {
    const view = runtime.view();
    const status = runtime.status();
    tray.update({
      view,
      policyStatus: boot.policyStatus(),
      ...(status.restriction ? { restriction: `Access withdrawn: ${status.restriction}` } : {}),
      ...(status.enforcementError ? { enforcementError: status.enforcementError } : {}),
      // The rules the session itself shows on the lock: role and locale already chosen by the core.
      rules: runtime.snapshot().facts.rules,
      lockNowAccelerator: accelerator,
    });
  };
  runtime.onView(refreshTray);
  const trayTimer = setInterval(refreshTray, 30_000);

  const poller = new IdlePoller({
    source: powerMonitor,
    onIdle: (seconds) => runtime.idle(seconds),
    onOsLocked: () => runtime.lockNow(),
    onError: (err) => log(`Idle check failed: ${String(err)}`),
  });
  const unbindPower = bindPowerEvents(powerMonitor, runtime, (event, err) =>
    log(`Handling "${event}" failed: ${String(err)}`),
  );

  const stop = () => {
    poller.stop();
    unbindPower();
    clearInterval(trayTimer);
    globalShortcut.unregisterAll();
    boot.stop();
  };
  app.on('before-quit', () => windows.setQuitting());
  app.on('will-quit', stop);
  // Linux sends SIGTERM when the desktop session ends.
  process.on('SIGTERM', () => {
    windows.setSessionEnding();
    app.quit();
  });

  await runtime.start();
  windows.present(runtime.view());
  refreshTray();
  poller.start();
  log(`Started for ${runtime.view().user.account} (machine ${boot.machineId.id}).`);
}
