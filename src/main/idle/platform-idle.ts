import { findDesktopIdleClock } from './dbus-idle';
import type { IdleSource } from './idle-poller';
import { ResilientIdleSource, type IdleSourceStatus } from './idle-source';

/**
 * The idle clock for this OS and session: on Linux the desktop's D-Bus idle monitor is a
 * fallback everywhere and the first choice on Wayland (XWayland's idle time sees only X11
 * input, so it would grow while a teacher types into a Wayland window).
 */
export function platformIdleSource(o: {
  os: IdleSource;
  lockWithoutIdleSource: () => boolean;
  desktopOpenedAt: () => number;
  onStatus: (s: IdleSourceStatus) => void;
}): ResilientIdleSource {
  const linux = process.platform === 'linux';
  return new ResilientIdleSource({
    ...o,
    findDesktopClock: () => (linux ? findDesktopIdleClock() : Promise.resolve(undefined)),
    preferDesktopClock: linux && process.env.XDG_SESSION_TYPE === 'wayland',
    now: Date.now,
  });
}
