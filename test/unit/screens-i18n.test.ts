import { describe, expect, it } from 'vitest';
import { cy } from '../../src/renderer/i18n/cy';
import { enGB } from '../../src/renderer/i18n/en-GB';
import { trayMenu, trayNoticeItems, trayTooltip } from '../../src/main/tray/tray-menu';
import { shortcutInWords } from '../../src/shared/shortcut-words';
import type { View } from '../../src/shared/view';

/** Welsh covers the whole interface: a key English has and Welsh lacks would show English. */
describe('the Welsh catalogue', () => {
  const base = (key: string) => key.replace(/_(zero|one|two|few|many|other)$/, '');
  const params = (text: string) => [...text.matchAll(/{{(\w+)}}/g)].map((m) => m[1]).sort();

  it('has every message the English one has, in every Welsh plural form', () => {
    const welsh = new Set(Object.keys(cy));
    const missing = Object.keys(enGB).filter((key) => {
      const b = base(key);
      if (b === key) return !welsh.has(key);
      return !['zero', 'one', 'two', 'few', 'many', 'other'].every((f) => welsh.has(`${b}_${f}`));
    });
    expect(missing).toEqual([]);
  });

  it('fills in the same blanks as English, and no Welsh line is English left in place', () => {
    const wrong: string[] = [];
    for (const [key, english] of Object.entries(enGB)) {
      const welsh = cy[key] ?? cy[`${base(key)}_other`]!;
      if (params(welsh).join() !== params(english).join()) wrong.push(`${key}: blanks differ`);
      const wordsOnly = english.replace(/{{\w+}}/g, '').trim();
      if (welsh === english && !/^(Classlock|PIN)$/.test(wordsOnly)) wrong.push(`${key}: English`);
    }
    expect(wrong).toEqual([]);
  });
});

describe('the tray in the user’s language', () => {
  const pupil = { account: 'SCHOOL\\y7.ava', displayName: 'y7.ava', role: 'pupil' as const };
  const state = (view: View) => ({ view, policyStatus: 'Policy 1', rules: ['Byddwch yn garedig'] });

  it('says its lines in Welsh for cy, and offers the policy’s notices from the desktop', () => {
    const view: View = {
      screen: 'none',
      locale: 'cy-GB',
      user: pupil,
      notices: [{ id: 'monitoring', title: 'Sut mae’r ysgol yn gwirio defnydd cyfrifiaduron' }],
    };
    const labels = trayMenu(state(view)).flatMap((i) => ('label' in i ? [i.label] : []));
    expect(labels).toEqual([
      'Wedi mewngofnodi: y7.ava (disgybl)',
      'Policy 1',
      'Rheolau',
      'Cloi nawr',
      'Cuddio’r sgrin a dweud wrth athro',
    ]);
    expect(trayTooltip(state(view))).toBe('Classlock: y7.ava (disgybl)');
    expect(trayNoticeItems(view)).toEqual([
      {
        kind: 'notice',
        label: 'Sut mae’r ysgol yn gwirio defnydd cyfrifiaduron',
        noticeId: 'monitoring',
        enabled: true,
      },
    ]);
    // Not over a screen that is already showing something.
    expect(trayNoticeItems({ ...view, screen: 'loggingOff', reason: 'idle' } as View)).toEqual([]);
  });
});

describe('the hide-the-screen shortcut in words', () => {
  it('says the keys as they are printed on a school keyboard', () => {
    expect(shortcutInWords('CommandOrControl+Alt+H')).toBe('Ctrl+Alt+H');
    expect(shortcutInWords('Ctrl+Shift+h')).toBe('Ctrl+Shift+H');
    expect(shortcutInWords('Super+Escape')).toBe('Windows+Esc');
    expect(shortcutInWords('F9')).toBe('F9');
  });
});
