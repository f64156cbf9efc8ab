/**
 * An Electron accelerator ("CommandOrControl+Alt+H") as a pupil reads it on the keyboard
 * ("Ctrl+Alt+H"), for the View's hideScreen.shortcut. Classlock runs on Windows and Linux,
 * where Command or Control is the Ctrl key.
 */
const KEY_WORDS: Record<string, string> = {
  commandorcontrol: 'Ctrl',
  cmdorctrl: 'Ctrl',
  control: 'Ctrl',
  ctrl: 'Ctrl',
  alt: 'Alt',
  option: 'Alt',
  altgr: 'AltGr',
  shift: 'Shift',
  super: 'Windows',
  meta: 'Windows',
  space: 'Space',
  esc: 'Esc',
  escape: 'Esc',
};

export function shortcutInWords(accelerator: string): string {
  return accelerator
    .split('+')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => KEY_WORDS[part.toLowerCase()] ?? (part.length === 1 ? part.toUpperCase() : part))
    .join('+');
}
