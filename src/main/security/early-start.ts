import type { App } from 'electron';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { displayServerPlan } from '../windows/display-server';
import { NO_GPU_SWITCH } from '../windows/gpu-fallback';
import {
  inspectLockFolder,
  processAlive,
  singleInstanceVerdict,
  type InstanceVerdict,
} from './single-instance';

/**
 * What must happen before the app is ready, in order: run under XWayland on a Wayland
 * session (a relaunch, since Chromium chose its platform before this code ran), drop
 * hardware acceleration after a GPU crash, keep the Windows profile local, and take the
 * single-instance lock. Returns false when this process should end (a relaunch is under
 * way, or another Classlock already guards this session).
 */
export function earlyStart(app: App, log: (m: string) => void): boolean {
  const args = process.argv.slice(1);
  const plan = displayServerPlan(process.platform, process.env, args);
  if (plan.action === 'relaunch') {
    log(plan.note);
    app.relaunch({ args: plan.args });
    app.exit(0);
    return false;
  }
  if (plan.note) log(plan.note);

  if (app.commandLine.hasSwitch(NO_GPU_SWITCH)) {
    app.disableHardwareAcceleration();
    log('Running without hardware acceleration after a graphics crash.');
  }

  // Chromium's profile (and the single-instance lock in it) in the roaming profile would
  // roam between PCs and bloat the profile; the local folder is per PC.
  if (process.platform === 'win32' && process.env.LOCALAPPDATA) {
    app.setPath('userData', join(process.env.LOCALAPPDATA, 'Classlock'));
  }

  const gotLock = app.requestSingleInstanceLock();
  const verdict: InstanceVerdict = gotLock
    ? { action: 'run' }
    : singleInstanceVerdict({
        gotLock,
        platform: process.platform,
        ...inspectLockFolder(app.getPath('userData')),
        me: { host: hostname(), pid: process.pid },
        alive: processAlive,
      });
  if (verdict.action === 'exit') {
    log(`Not starting: ${verdict.why}.`);
    app.exit(0);
    return false;
  }
  if (verdict.action === 'runUnlocked') {
    log(`Starting without the single-instance lock: ${verdict.why}.`);
  }
  return true;
}
