/** The part of Electron's `Input` a keyboard decision needs (kept here so it is testable). */
export interface KeyInput {
  type: string;
  key: string;
  control: boolean;
  alt: boolean;
  shift: boolean;
  meta: boolean;
}

const CLOSE_OR_RELOAD_KEYS = new Set(['w', 'q', 'r', 'n', 't', 'p', 's', 'o', 'f', 'u', 'j']);

/**
 * Keys the lock window swallows before the page or Chromium sees them: the ones that would
 * close, reload, print, open tools or leave full screen. Escape is not among them: the
 * window has no Escape action of its own (it is a frameless kiosk window), and the screens
 * use Escape to close their own dialogs, which keyboard users rely on.
 */
export function isBlockedShortcut(input: KeyInput): boolean {
  if (input.type !== 'keyDown' && input.type !== 'rawKeyDown') return false;
  const key = input.key.toLowerCase();
  if (input.alt && key === 'f4') return true;
  if (['f5', 'f11', 'f12', 'browserback', 'browserforward', 'browserrefresh'].includes(key))
    return true;
  const command = input.control || input.meta;
  if (command && CLOSE_OR_RELOAD_KEYS.has(key)) return true;
  // Ctrl+Shift+I / J / C open developer tools in Chromium.
  if (command && input.shift && ['i', 'j', 'c'].includes(key)) return true;
  // Zoom would let a user push the unlock box off the screen.
  if (command && ['+', '=', '-', '_', '0'].includes(key)) return true;
  // Alt+Left / Alt+Right navigate back and forward.
  if (input.alt && (key === 'arrowleft' || key === 'arrowright')) return true;
  return false;
}
