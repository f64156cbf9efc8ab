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
 * single-instance lock. `proceed` is false when this process should end (a relaunch is
 * under way, or another Classlock already guards this session).
 *
 * The self-test neither relaunches (the technician's terminal would see the first
 * process's exit status, not the test's) nor stops for a running Classlock: it reports
 * both instead.
 */
export interface EarlyStart {
  proceed: boolean;
  /** Another Classlock of this user runs in this session (it holds the shortcuts). */
  classlockRunning: boolean;
  /** Wayland without XWayland's switch: what the self-test reports. */
  displayServerProblem?: string;
}

export function earlyStart(app: App, log: (m: string) => void, selfTest = false): EarlyStart {
  const args = process.argv.slice(1);
  const plan = displayServerPlan(process.platform, process.env, args);
  if (plan.action === 'relaunch' && selfTest) {
    return {
      proceed: true,
      classlockRunning: false,
      displayServerProblem: `running natively on Wayland; start it as the launcher does, with ${plan.args.at(-1)}`,
    };
  }
  if (plan.action === 'relaunch') {
    log(plan.note);
    app.relaunch({ args: plan.args });
    app.exit(0);
    return { proceed: false, classlockRunning: false };
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
  if (verdict.action === 'exit' && selfTest) return { proceed: true, classlockRunning: true };
  if (verdict.action === 'exit') {
    log(`Not starting: ${verdict.why}.`);
    app.exit(0);
    return { proceed: false, classlockRunning: true };
  }
  if (verdict.action === 'runUnlocked') {
    log(`Starting without the single-instance lock: ${verdict.why}.`);
  }
  return { proceed: true, classlockRunning: false };
}
