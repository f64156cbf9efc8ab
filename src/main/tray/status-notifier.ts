import { ask, openSessionBus } from '../idle/dbus-idle';

/**
 * Electron's Linux tray icon is a StatusNotifierItem: it shows only where a host watches for
 * them on the session bus (KDE, Cinnamon, Xfce and MATE panels, GNOME with the AppIndicator
 * extension). Vanilla GNOME has none and Electron reports no error, so the tray's "lock now"
 * and "hide the screen" silently vanish there. undefined: the bus could not be asked.
 */
export async function statusNotifierHostPresent(busAddress?: string): Promise<boolean | undefined> {
  const open = openSessionBus(busAddress);
  if (!open) return undefined;
  try {
    const obj = await ask(
      open,
      open.bus.getProxyObject('org.freedesktop.DBus', '/org/freedesktop/DBus'),
      'the session bus',
    );
    const iface = obj.getInterface('org.freedesktop.DBus') as unknown as {
      NameHasOwner(name: string): Promise<boolean>;
    };
    return await ask(open, iface.NameHasOwner('org.kde.StatusNotifierWatcher'), 'the session bus');
  } catch {
    return undefined;
  } finally {
    open.bus.disconnect();
  }
}
