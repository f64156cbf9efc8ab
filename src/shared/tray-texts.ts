/**
 * The tray's few words, in each language the screens speak. Kept apart from the renderer's
 * catalogue because the tray is drawn by the main process, without i18next.
 */
export interface TrayTexts {
  signedIn: (name: string, role: string) => string;
  tooltip: (name: string, role: string) => string;
  role: Record<'pupil' | 'staff' | 'visitor', string>;
  rules: string;
  lockNow: string;
  hideScreen: string;
  notices: string;
}

const enGB: TrayTexts = {
  signedIn: (name, role) => `Signed in: ${name} (${role})`,
  tooltip: (name, role) => `Classlock: ${name} (${role})`,
  role: { pupil: 'pupil', staff: 'staff', visitor: 'visitor' },
  rules: 'Rules',
  lockNow: 'Lock now',
  hideScreen: 'Hide the screen and tell a teacher',
  notices: 'How the school checks computer use',
};

const cy: TrayTexts = {
  signedIn: (name, role) => `Wedi mewngofnodi: ${name} (${role})`,
  tooltip: (name, role) => `Classlock: ${name} (${role})`,
  role: { pupil: 'disgybl', staff: 'staff', visitor: 'ymwelydd' },
  rules: 'Rheolau',
  lockNow: 'Cloi nawr',
  hideScreen: 'Cuddio’r sgrin a dweud wrth athro',
  notices: 'Sut mae’r ysgol yn gwirio defnydd cyfrifiaduron',
};

const byLanguage: Record<string, TrayTexts> = { en: enGB, cy };

/** The tray's words for a BCP 47 locale (cy, cy-GB, en-GB); English when there are none. */
export function trayTexts(locale: string): TrayTexts {
  return byLanguage[locale.split('-')[0]!.toLowerCase()] ?? enGB;
}
