import { describe, expect, it } from 'vitest';
import { cy } from '../../src/renderer/i18n/cy';
import { enGB } from '../../src/renderer/i18n/en-GB';

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
