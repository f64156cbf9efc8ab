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

export interface OpenBus {
  bus: Bus;
  /** Rejects when the connection fails, so callers stop waiting at once rather than at a timeout. */
  broken: Promise<never>;
}

/** The session bus, or undefined; an unreachable bus emits 'error', which would otherwise end the app. */
export function openSessionBus(busAddress?: string): OpenBus | undefined {
  try {
    const bus = dbus.sessionBus(busAddress ? { busAddress } : {});
    const broken = new Promise<never>((_, reject) => {
      bus.on('error', (err: unknown) =>
        reject(err instanceof Error ? err : new Error(String(err))),
      );
    });
    broken.catch(() => undefined);
    return { bus, broken };
  } catch {
    return undefined;
  }
}

/** Asks the bus, giving up at the first of: an answer, a broken connection, 2 s. */
export function ask<T>(open: OpenBus, p: Promise<T>, what: string): Promise<T> {
  return withTimeout(Promise.race([p, open.broken]), 2000, what);
}

async function probe(
  open: OpenBus,
  spec: typeof MUTTER,
  method: string,
  toSeconds: (v: unknown) => number,
): Promise<(() => Promise<number>) | undefined> {
  try {
    const obj = await ask(open, open.bus.getProxyObject(spec.service, spec.path), spec.service);
    const iface = obj.getInterface(spec.iface) as unknown as Record<string, () => Promise<unknown>>;
    const call = iface[method];
    if (!call) return undefined;
    const read = async () => toSeconds(await ask(open, call.call(iface), spec.service));
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
  const open = openSessionBus(busAddress);
  if (!open) return undefined;
  const close = () => open.bus.disconnect();
  const mutter = await probe(open, MUTTER, 'GetIdletime', (v) => Math.floor(Number(v) / 1000));
  if (mutter) return { name: 'GNOME idle monitor', read: mutter, close };
  const saver = await probe(open, SCREENSAVER, 'GetSessionIdleTime', (v) => Math.floor(Number(v)));
  if (saver) return { name: 'desktop screensaver service', read: saver, close };
  close();
  return undefined;
}
