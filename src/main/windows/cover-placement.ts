import type { CoverWindow, Settle } from './cover-window';
import { displayUnder, sameBounds, type DisplayInfo } from './layout';

export interface PlacementResult {
  ok: boolean;
  /** The display the cover ended up on (undefined: on none). */
  on: number | undefined;
  tries: number;
}

/** Cross-DPI moves on Windows size the window with the old DPI first: a second setBounds fixes it. */
const SET_BOUNDS_TRIES = 3;
const PLACEMENT_TRIES = 3;
/** Long enough for a window manager to finish a full-screen change; short enough not to be seen. */
const SETTLE_MS = 60;

/**
 * Puts a shown cover full screen on its own display, in the only order that survives
 * Electron 41 on every desktop: a visible window leaves full screen, is moved and sized while
 * windowed (twice across a DPI change: Windows sizes the first move with the old monitor's
 * DPI), enters full screen, and is checked to be on the display it was made for — full
 * screen picks the monitor the window overlaps most, so a wrong size lands it on a
 * neighbour and stacks two covers there. A hidden window is left alone: setting full screen
 * on it would show it (Linux), and leaving full screen would show it (Windows).
 */
export async function placeCover(
  win: CoverWindow,
  target: DisplayInfo,
  displays: readonly DisplayInfo[],
  settle: Settle,
): Promise<PlacementResult> {
  let tries = 0;
  while (tries < PLACEMENT_TRIES) {
    if (win.isDestroyed() || !win.isVisible()) {
      return { ok: false, on: undefined, tries };
    }
    tries++;
    if (win.isFullScreen()) {
      const b = win.getBounds();
      if (displayUnder(displays, b) === target.id && sameBounds(b, target.bounds)) {
        return { ok: true, on: target.id, tries };
      }
      win.setFullScreen(false);
      await settle(SETTLE_MS);
    }
    for (let i = 0; i < SET_BOUNDS_TRIES && !sameBounds(win.getBounds(), target.bounds); i++) {
      win.setBounds(target.bounds);
    }
    win.setFullScreen(true);
    await settle(SETTLE_MS);
    if (win.isDestroyed()) break;
    if (displayUnder(displays, win.getBounds()) === target.id) {
      return { ok: true, on: target.id, tries };
    }
  }
  return {
    ok: false,
    on: win.isDestroyed() ? undefined : displayUnder(displays, win.getBounds()),
    tries,
  };
}
