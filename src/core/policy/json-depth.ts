/**
 * The deepest nesting of `[` / `{` in a JSON text, counted without parsing, stopping as
 * soon as `limit` is passed. A hostile bundle of 100,000 opening brackets must be refused
 * before JSON.parse (and then the schema) recurse into it.
 */
export function jsonDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      // Jump to the closing quote: most of a policy is text, and indexOf is far faster
      // than a character loop. A quote preceded by an odd run of backslashes is escaped.
      for (;;) {
        const q = text.indexOf('"', i + 1);
        if (q < 0) return false; // unterminated: JSON.parse will refuse it
        let b = q - 1;
        while (text.charCodeAt(b) === 0x5c /* \ */) b--;
        i = q;
        if ((q - 1 - b) % 2 === 0) break;
      }
    } else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > limit) return true;
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) {
      depth--;
    }
  }
  return false;
}
