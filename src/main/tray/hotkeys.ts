/**
 * The global shortcuts: "lock now" (everyone) and "hide the screen and tell a teacher"
 * (pupils; the core ignores it for anyone else).
 *
 * Defaults: Alt+Shift+L and Alt+Shift+H. Chosen because
 * - Ctrl+Alt is AltGr on Windows, so Ctrl+Alt+<letter> takes a character from Polish,
 *   German, Welsh-extended and many other layouts (Ctrl+Alt+L is "ł" in Polish);
 * - Ctrl+Alt+L already locks the screen in Cinnamon, Xfce, MATE and KDE Plasma, so
 *   registering it fails there; Super/Win+<letter> belongs to the OS on Windows and GNOME;
 *   Ctrl+Alt+F<n> switches virtual terminals on Linux;
 * - left Alt+Shift is not AltGr anywhere, and no common desktop binds Alt+Shift+L or H.
 *   (Alt+Shift alone switches keyboard layout on Windows, but only when released on its own.)
 * A school whose software uses them sets others in the machine config (lockNowHotkey,
 * hideScreenHotkey); a malformed or OS-owned setting falls back to the default with a reason.
 */
export const DEFAULT_HOTKEYS = { lockNow: 'Alt+Shift+L', hideScreen: 'Alt+Shift+H' } as const;
export type HotkeyName = keyof typeof DEFAULT_HOTKEYS;

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
const CTRL = new Set(['control', 'ctrl', 'commandorcontrol', 'cmdorctrl']);

export interface ChosenHotkey {
  accelerator: string;
  /** Why the configured one was not used, in words for IT. */
  problem?: string;
}

/**
 * An accelerator Electron will accept and the OS has not kept for itself: at least one
 * modifier and exactly one key, not Super/Meta+L, not Alt+Tab, not Ctrl+Alt+Delete.
 */
export function chooseHotkey(name: HotkeyName, configured: string | undefined): ChosenHotkey {
  const fallback = DEFAULT_HOTKEYS[name];
  if (!configured) return { accelerator: fallback };
  const refuse = (why: string): ChosenHotkey => ({
    accelerator: fallback,
    problem: `The ${name === 'lockNow' ? 'lock-now' : 'hide-the-screen'} shortcut "${configured}" in the machine config ${why}; using ${fallback}.`,
  });
  const parts = configured.split('+').map((p) => p.trim());
  if (parts.some((p) => p === '')) return refuse('has an empty part');
  const mods = parts.slice(0, -1).map((p) => p.toLowerCase());
  const key = (parts.at(-1) ?? '').toLowerCase();
  if (!mods.length) return refuse('has no modifier (Ctrl, Alt, Shift)');
  if (!mods.every((m) => MODIFIERS.has(m))) return refuse('names an unknown modifier');
  if (MODIFIERS.has(key)) return refuse('has no key after the modifiers');
  if (
    !/^([a-z0-9]|f([1-9]|1[0-9]|2[0-4])|space|tab|pause|scrolllock|insert|home|end|pageup|pagedown)$/.test(
      key,
    )
  ) {
    return refuse('ends in a key Classlock does not accept');
  }
  const osOwned =
    ((mods.includes('super') || mods.includes('meta')) && key === 'l') ||
    (mods.includes('alt') && key === 'tab');
  if (osOwned) return refuse('belongs to the operating system');
  return { accelerator: parts.join('+') };
}

/**
 * Known clashes of a shortcut, for the log and the self-test: it may still register (on
 * this desktop), but it takes something from someone somewhere.
 */
export function hotkeyClashes(accelerator: string): string[] {
  const parts = accelerator.split('+').map((p) => p.trim().toLowerCase());
  const key = parts.at(-1) ?? '';
  const mods = new Set(parts.slice(0, -1));
  const ctrl = [...mods].some((m) => CTRL.has(m));
  const alt = mods.has('alt') || mods.has('altgr');
  const out: string[] = [];
  if (ctrl && alt && /^[a-z0-9]$/.test(key)) {
    out.push(
      `on Windows Ctrl+Alt is AltGr, so ${accelerator} takes a typed character from layouts such as Polish`,
    );
  }
  if (ctrl && alt && key === 'l')
    out.push('Ctrl+Alt+L locks the screen in Cinnamon, Xfce, MATE and KDE Plasma');
  if (ctrl && alt && key === 't') out.push('Ctrl+Alt+T opens a terminal on most Linux desktops');
  if (ctrl && alt && key === 'd') out.push('Ctrl+Alt+D shows the desktop in Cinnamon and Xfce');
  if (ctrl && alt && /^f([1-9]|1[0-2])$/.test(key))
    out.push('Ctrl+Alt+F1–F12 switch virtual terminals on Linux');
  if (mods.has('super') || mods.has('meta'))
    out.push('Super/Windows-key shortcuts belong to the desktop on Windows and GNOME');
  return out;
}

/** What Electron's globalShortcut offers (a stand-in in tests). */
export interface ShortcutRegistry {
  register(accelerator: string, callback: () => void): boolean;
}

export interface HotkeyResult {
  name: HotkeyName;
  accelerator: string;
  registered: boolean;
  /** In words for the tray and the self-test. */
  problem?: string;
}

/**
 * Registers each shortcut and says which failed and why. Electron returns false when
 * another program holds the key and throws for one it cannot parse; on Wayland a
 * registration can succeed and still never be delivered, which only the self-test's
 * key press can show.
 */
export function registerHotkeys(
  registry: ShortcutRegistry,
  wanted: readonly { name: HotkeyName; accelerator: string; action: () => void }[],
): HotkeyResult[] {
  return wanted.map(({ name, accelerator, action }) => {
    let registered = false;
    let why = 'another program already uses it';
    try {
      registered = registry.register(accelerator, action);
    } catch (err) {
      why = `Electron refused it (${String(err)})`;
    }
    const what = name === 'lockNow' ? 'lock-now' : 'hide-the-screen';
    return registered
      ? { name, accelerator, registered }
      : {
          name,
          accelerator,
          registered,
          problem: `The ${what} shortcut ${accelerator} does not work here: ${why}. Set another in the machine config.`,
        };
  });
}
