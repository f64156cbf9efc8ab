/**
 * GPU crashes. Chromium restarts a crashed GPU process a few times and then ends the whole
 * browser ("GPU process isn't usable"), which would leave the PC without Classlock until the
 * next login. After the first crash Classlock starts again without hardware acceleration
 * (app.disableHardwareAcceleration() works only before the app is ready, hence the
 * relaunch with a switch). A relaunch while the screen is covered says so, so the new
 * process locks at once instead of opening on an unlocked desktop.
 */
export const NO_GPU_SWITCH = 'classlock-no-gpu';
export const RELAUNCH_LOCKED_SWITCH = 'classlock-relaunch-locked';

export interface ChildGone {
  type: string;
  reason: string;
}

export type GpuCrashAction = 'ignore' | 'relaunchWithoutGpu' | 'logOnly';

export function gpuCrashAction(details: ChildGone, alreadyWithoutGpu: boolean): GpuCrashAction {
  if (details.type !== 'GPU') return 'ignore';
  if (details.reason === 'clean-exit') return 'ignore';
  // Software rendering runs in the GPU process too; a crash there is Chromium's to restart.
  return alreadyWithoutGpu ? 'logOnly' : 'relaunchWithoutGpu';
}

/** The arguments of the relaunch: the same start, plus the switches, each once. */
export function relaunchArgs(args: readonly string[], covered: boolean): string[] {
  const add = [`--${NO_GPU_SWITCH}`, ...(covered ? [`--${RELAUNCH_LOCKED_SWITCH}`] : [])];
  return [...args.filter((a) => !add.includes(a)), ...add];
}
