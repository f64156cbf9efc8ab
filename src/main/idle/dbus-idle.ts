import dbus from 'dbus-next';

/**
 * The desktop's own idle clock over the session D-Bus, for where Electron's is blind
 * (Wayland): GNOME's Mutter IdleMonitor (milliseconds) or the freedesktop ScreenSaver
 * interface that KDE Plasma and others implement (GetSessionIdleTime, seconds). Both
 * answer the user's own session, which is the one Classlock runs in.
 */
export interface DesktopIdleClock {
  readonly name: string;
  /** Whole seconds since the last input. */
  read(): Promise<number>;
  close(): void;
}

const MUTTER = {
  service: 'org.gnome.Mutter.IdleMonitor',
  path: '/org/gnome/Mutter/IdleMonitor/Core',
  iface: 'org.gnome.Mutter.IdleMonitor',
};
const SCREENSAVER = {
  service: 'org.freedesktop.ScreenSaver',
  path: '/org/freedesktop/ScreenSaver',
  iface: 'org.freedesktop.ScreenSaver',
};

export type Bus = ReturnType<typeof dbus.sessionBus>;

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

async function probe(
  bus: Bus,
  spec: typeof MUTTER,
  method: string,
  toSeconds: (v: unknown) => number,
): Promise<(() => Promise<number>) | undefined> {
  try {
    const obj = await withTimeout(bus.getProxyObject(spec.service, spec.path), 2000, spec.service);
    const iface = obj.getInterface(spec.iface) as unknown as Record<string, () => Promise<unknown>>;
    const call = iface[method];
    if (!call) return undefined;
    const read = async () => toSeconds(await withTimeout(call.call(iface), 2000, spec.service));
    await read();
    return read;
  } catch {
    return undefined;
  }
}

/** The first idle clock the desktop answers on, or undefined (no bus, no such service). */
export async function findDesktopIdleClock(
  busAddress?: string,
): Promise<DesktopIdleClock | undefined> {
  let bus: Bus;
  try {
    bus = dbus.sessionBus(busAddress ? { busAddress } : {});
    // An unreachable bus emits 'error' rather than throwing; unhandled it would end the app.
    bus.on('error', () => undefined);
  } catch {
    return undefined;
  }
  const mutter = await probe(bus, MUTTER, 'GetIdletime', (v) => Math.floor(Number(v) / 1000));
  if (mutter) return { name: 'GNOME idle monitor', read: mutter, close: () => bus.disconnect() };
  const saver = await probe(bus, SCREENSAVER, 'GetSessionIdleTime', (v) => Math.floor(Number(v)));
  if (saver)
    return { name: 'desktop screensaver service', read: saver, close: () => bus.disconnect() };
  bus.disconnect();
  return undefined;
}
