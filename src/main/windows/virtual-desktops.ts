import type { CoverWindow } from './cover-window';

/** Which virtual desktop a window is on (Windows' IVirtualDesktopManager, or a stand-in). */
export interface VirtualDesktops {
  /** undefined: the OS could not say. */
  isOnCurrent(win: CoverWindow): boolean | undefined;
  /** Moves the window to the desktop the user is looking at; false if it could not. */
  moveToCurrent(win: CoverWindow): boolean;
}

/**
 * Win+Ctrl+D (or a four-finger swipe) opens a new virtual desktop, and a window stays on
 * the desktop it was made on: without this a locked PC is unlocked one keystroke away.
 * Called every second while covered: a cover not on the current desktop is moved there,
 * and if the OS will not move it, it is hidden and shown again, which Windows places on
 * the current desktop. Returns how many covers had to follow.
 */
export function followCurrentDesktop(
  covers: readonly CoverWindow[],
  desktops: VirtualDesktops,
): number {
  let moved = 0;
  for (const win of covers) {
    if (win.isDestroyed() || !win.isVisible()) continue;
    if (desktops.isOnCurrent(win) !== false) continue;
    moved++;
    if (!desktops.moveToCurrent(win)) {
      win.hide();
      win.showInactive();
    }
  }
  return moved;
}
