/**
 * The global "lock now" shortcut. Win+L (Super+L) belongs to the OS, which locks its own
 * session with it; Ctrl+Alt+L is free on Windows and in GNOME's default bindings (GNOME
 * uses Super+L). Configurable through `lockNowAccelerator()` once the machine config carries a setting for it.
 */
export const DEFAULT_LOCK_NOW_ACCELERATOR = 'CommandOrControl+Alt+L';

const MODIFIERS = new Set([
  'command',
  'cmd',
  'control',
  'ctrl',
  'commandorcontrol',
  'cmdorctrl',
  'alt',
  'option',
  'altgr',
  'shift',
  'super',
  'meta',
]);

/**
 * An accelerator Electron will accept and the OS has not kept for itself: at least one
 * modifier and exactly one key, not Super/Meta+L, not Ctrl+Alt+Delete. Anything else falls
 * back to the default, so a typo in the machine config never leaves staff without the key.
 */
export function lockNowAccelerator(configured: string | undefined): string {
  if (!configured) return DEFAULT_LOCK_NOW_ACCELERATOR;
  const parts = configured.split('+').map((p) => p.trim());
  if (parts.some((p) => p === '')) return DEFAULT_LOCK_NOW_ACCELERATOR;
  const mods = parts.slice(0, -1).map((p) => p.toLowerCase());
  const key = (parts.at(-1) ?? '').toLowerCase();
  if (!mods.length || !mods.every((m) => MODIFIERS.has(m)) || MODIFIERS.has(key)) {
    return DEFAULT_LOCK_NOW_ACCELERATOR;
  }
  if (!/^([a-z0-9]|f([1-9]|1[0-9]|2[0-4])|space|tab|pause|scrolllock)$/.test(key)) {
    return DEFAULT_LOCK_NOW_ACCELERATOR;
  }
  const osOwned =
    ((mods.includes('super') || mods.includes('meta')) && key === 'l') ||
    (mods.includes('alt') && key === 'tab');
  return osOwned ? DEFAULT_LOCK_NOW_ACCELERATOR : parts.join('+');
}
