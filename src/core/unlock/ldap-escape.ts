/**
 * DN escaping for the bind name built from IT's dnTemplate. The verifier refuses odd names
 * before they get here; this runs anyway, so that a gap in that check is not a hole.
 *
 * Search filters use ldapts' own escaping (Filter.escape, EqualityFilter). Its DN builder
 * is not used here: it wraps a value with a leading or trailing space or '#' in quotes
 * (the old RFC 1779 form, which RFC 4514 dropped) and passes NUL and control characters
 * through unescaped, so the RFC 4514 form below stays.
 */

function hex(ch: string): string {
  return Array.from(Buffer.from(ch, 'utf8'))
    .map((b) => `\\${b.toString(16).padStart(2, '0')}`)
    .join('');
}

/** An attribute value inside a DN (RFC 4514 section 2.4). */
export function escapeDnValue(value: string): string {
  let out = '';
  const chars = Array.from(value);
  chars.forEach((ch, i) => {
    const first = i === 0;
    const last = i === chars.length - 1;
    if (ch === '\0' || /[\p{Cc}]/u.test(ch)) out += hex(ch);
    else if ('"+,;<>\\='.includes(ch)) out += `\\${ch}`;
    else if ((first && (ch === '#' || ch === ' ')) || (last && ch === ' ')) out += `\\${ch}`;
    else out += ch;
  });
  return out;
}

/**
 * Put a value into a template at every `{user}`. split/join rather than String.replace,
 * whose replacement strings give `$&` and friends a meaning.
 */
export function fillTemplate(template: string, value: string): string {
  return template.split('{user}').join(value);
}

/** Undo RFC 4514 escaping of one attribute value: `\,` and hex pairs such as `\c3\a2` (UTF-8). */
export function unescapeDnValue(value: string): string {
  const chars = Array.from(value);
  const bytes: number[] = [];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    const pair = (chars[i + 1] ?? '') + (chars[i + 2] ?? '');
    if (c === '\\' && /^[0-9a-fA-F]{2}$/.test(pair)) {
      bytes.push(parseInt(pair, 16));
      i += 2;
    } else if (c === '\\' && i + 1 < chars.length) {
      bytes.push(...Buffer.from(chars[++i]!));
    } else {
      bytes.push(...Buffer.from(c));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}
