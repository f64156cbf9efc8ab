/**
 * Which display server Classlock runs on. Electron 38+ runs natively on Wayland when
 * XDG_SESSION_TYPE=wayland, and there a window cannot place itself, stay on top or grab a
 * shortcut: every cover lands on one monitor. Under XWayland all three work (GNOME and
 * KDE honour X11 positions and stacking for X11 windows). Chromium picks its platform
 * before any JavaScript runs, so app.commandLine.appendSwitch is too late: the flag must be
 * on the command line (the autostart entry's Exec= and the .deb's launcher carry it), and a
 * start without it relaunches itself once with it.
 */
export const X11_SWITCH = '--ozone-platform=x11';

export type DisplayServerPlan =
  { action: 'run'; note?: string } | { action: 'relaunch'; args: string[]; note: string };

export function displayServerPlan(
  platform: NodeJS.Platform,
  env: Readonly<Record<string, string | undefined>>,
  /** process.argv without the executable. */
  args: readonly string[],
): DisplayServerPlan {
  if (platform !== 'linux') return { action: 'run' };
  const wayland = env.XDG_SESSION_TYPE === 'wayland' || !!env.WAYLAND_DISPLAY;
  if (!wayland) return { action: 'run' };
  if (args.some((a) => a.startsWith('--ozone-platform='))) return { action: 'run' };
  if (env.CLASSLOCK_NATIVE_WAYLAND === '1') {
    return {
      action: 'run',
      note: 'Running natively on Wayland (CLASSLOCK_NATIVE_WAYLAND=1): covers may all land on one monitor and shortcuts may not arrive.',
    };
  }
  if (!env.DISPLAY) {
    // No XWayland to run under: X11 would not start at all, which is worse than Wayland.
    return {
      action: 'run',
      note: 'This Wayland session has no XWayland (DISPLAY is unset): running natively; covers may all land on one monitor.',
    };
  }
  return {
    action: 'relaunch',
    args: [...args, X11_SWITCH],
    note: `Wayland session: starting again under XWayland (${X11_SWITCH}); put the switch in the launcher to save this restart.`,
  };
}
