import type { Settle } from './cover-window';

/** The part of a window focus needs. */
export interface FocusTarget {
  isDestroyed(): boolean;
  isFocused(): boolean;
  focus(): void;
  moveTop(): void;
  show(): void;
  setAlwaysOnTop(flag: boolean, level?: 'screen-saver' | 'floating'): void;
}

/**
 * A stronger way to take the foreground than BrowserWindow.focus(), per OS: on Windows a
 * native call that works under the foreground lock (win32-foreground.ts), on Linux a
 * raise that window managers honour. Returns false when it could not even try.
 */
export type ForegroundRoute = (win: FocusTarget) => boolean;

export interface FocusOptions {
  route?: ForegroundRoute;
  settle: Settle;
  /** Stop as soon as this turns false (the lock was lifted meanwhile). */
  stillWanted: () => boolean;
  /** Pauses between checks; their count bounds the attempts. */
  delaysMs?: readonly number[];
}

export interface FocusResult {
  focused: boolean;
  attempts: number;
  /** The lock went away before focus was needed any more. */
  abandoned: boolean;
}

/** About 3 s in all: long enough for a slow window manager, short enough to notice a failure. */
export const FOCUS_DELAYS_MS = [30, 60, 120, 240, 480, 960, 1200] as const;

/**
 * Asks for focus and checks that it arrived, escalating after the first plain request:
 * Windows refuses SetForegroundWindow for a while after someone else's input (the
 * foreground lock), and GNOME answers an unrequested focus with "is ready" instead. A
 * PIN typed into a cover that only looks focused goes to the program underneath, so the
 * check is what matters, not the request.
 */
export async function ensureFocus(win: FocusTarget, o: FocusOptions): Promise<FocusResult> {
  const delays = o.delaysMs ?? FOCUS_DELAYS_MS;
  let attempts = 0;
  for (const delay of delays) {
    if (!o.stillWanted() || win.isDestroyed()) return { focused: false, attempts, abandoned: true };
    if (win.isFocused()) return { focused: true, attempts, abandoned: false };
    attempts++;
    win.moveTop();
    if (attempts > 1) o.route?.(win);
    win.focus();
    await o.settle(delay);
  }
  const focused = !win.isDestroyed() && win.isFocused();
  return { focused, attempts, abandoned: !o.stillWanted() };
}

/**
 * Linux: window managers refuse an unrequested focus change from a window already shown
 * (GNOME answers "Classlock is ready"), but honour a window being raised again: drop and
 * retake always-on-top, and show (an X11 _NET_ACTIVE_WINDOW request with a fresh time).
 */
export const raiseAgainRoute: ForegroundRoute = (win) => {
  win.setAlwaysOnTop(false);
  win.setAlwaysOnTop(true, 'screen-saver');
  win.show();
  return true;
};
