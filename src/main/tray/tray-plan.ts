/**
 * Where "lock now" and "hide the screen" live besides the shortcuts: the tray icon, and
 * where no tray icon can be seen, a small on-screen control that is always there.
 * Windows always has a notification area. On Linux the icon shows only where a
 * StatusNotifier host is on the session bus; vanilla GNOME has none and says nothing.
 */
export interface TrayPlan {
  tray: boolean;
  control: boolean;
  /** Why the on-screen control is up, in words for the log and the self-test. */
  reason?: string;
}

export function trayPlan(o: {
  platform: NodeJS.Platform;
  /** From status-notifier.ts: undefined when the session bus could not be asked. */
  statusNotifierHost: boolean | undefined;
  /** Creating the Tray threw. */
  trayFailed?: boolean;
}): TrayPlan {
  if (o.trayFailed) {
    return { tray: false, control: true, reason: 'the tray icon could not be created' };
  }
  if (o.platform !== 'linux' || o.statusNotifierHost === true)
    return { tray: true, control: false };
  return {
    tray: true,
    control: true,
    reason:
      o.statusNotifierHost === false
        ? 'this desktop shows no tray icons (on GNOME, the AppIndicator extension adds them)'
        : 'the desktop could not be asked whether it shows tray icons',
  };
}
