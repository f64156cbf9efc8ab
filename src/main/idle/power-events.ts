/** What the session does with power and screen events (a SessionRuntime satisfies it). */
export interface PowerTarget {
  suspend(): Promise<void>;
  resume(): Promise<void>;
  lockNow(): Promise<void>;
}

/** The event side of Electron's powerMonitor. */
export interface PowerEvents {
  on(event: string, listener: () => void): unknown;
  removeListener(event: string, listener: () => void): unknown;
}

/**
 * Which OS event becomes which session event. Electron has no "display sleep" event: on
 * Windows and macOS a display that sleeps with "require sign-in on wake" locks the session
 * and fires lock-screen; elsewhere the idle poller sees the OS idle state turn "locked", and
 * a display that sleeps without locking is idle time the session already counts. Whether a
 * lock-screen locks Classlock's session at once is the core's decision (staff: yes).
 */
export const POWER_EVENT_MAP = {
  suspend: 'suspend',
  resume: 'resume',
  'lock-screen': 'lockNow',
} as const satisfies Record<string, keyof PowerTarget>;

export function bindPowerEvents(
  source: PowerEvents,
  target: PowerTarget,
  onError: (event: string, err: unknown) => void = () => undefined,
): () => void {
  const bound: [string, () => void][] = Object.entries(POWER_EVENT_MAP).map(([event, method]) => [
    event,
    () => {
      target[method]().catch((err: unknown) => onError(event, err));
    },
  ]);
  for (const [event, fn] of bound) source.on(event, fn);
  return () => {
    for (const [event, fn] of bound) source.removeListener(event, fn);
  };
}
