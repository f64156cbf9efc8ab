import type { App } from 'electron';
import { NO_GPU_SWITCH, gpuCrashAction, relaunchArgs } from './gpu-fallback';

/**
 * After the first GPU process crash, start again without hardware acceleration
 * (gpu-fallback.ts). A main-process exit is restarted by the machine service's watchdog,
 * which notices a session with no client; until then the next login starts Classlock.
 */
export function watchGpu(app: App, o: { covered: () => boolean; log: (m: string) => void }): void {
  let relaunching = false;
  app.on('child-process-gone', (_e, details) => {
    const action = gpuCrashAction(details, app.commandLine.hasSwitch(NO_GPU_SWITCH));
    if (action === 'ignore') return;
    o.log(`The graphics process stopped (${details.reason}).`);
    if (action !== 'relaunchWithoutGpu' || relaunching) return;
    relaunching = true;
    o.log('Starting again without hardware acceleration.');
    app.relaunch({ args: relaunchArgs(process.argv.slice(1), o.covered()) });
    app.exit(0);
  });
}
