import type { Screen } from '../../shared/view';

/** Why a lock window is being asked to close. */
export type CloseReason =
  /** The user or a shortcut asked (Alt+F4, a task manager's "close window"). */
  | 'user'
  /** Classlock itself is quitting (after a logoff it ordered). */
  | 'appQuitting'
  /** The operating system is ending the session (logoff, shutdown). */
  | 'osSessionEnding';

/**
 * May a lock window close? Never at a user's request: a visible one covers the desktop on
 * purpose, and a hidden one is kept ready so showing the lock costs one frame. Classlock's
 * own quit is allowed only while nothing covers the desktop (or the logoff screen is up),
 * so no code path can quit its way out of a lock. When the OS ends the session the window
 * goes: refusing would only hold up the logoff Classlock wants anyway.
 */
export function mayCloseLockWindow(screen: Screen, reason: CloseReason): boolean {
  switch (reason) {
    case 'osSessionEnding':
      return true;
    case 'appQuitting':
      return screen === 'none' || screen === 'loggingOff';
    case 'user':
      return false;
  }
}
