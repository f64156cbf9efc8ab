/**
 * The staff agreement is signed by typing one's name. One rule for both sides: the screen
 * says what is missing by it, and the core refuses anything else, so the two cannot drift.
 */

/** The name as it is kept with the record: single spaces, no space at either end. */
export function normaliseTypedName(raw: string | undefined): string {
  return (raw ?? '').replace(/\s+/g, ' ').trim();
}

/**
 * A name someone could sign with: at least one word with two or more letters in it. Many
 * people have a single name, so one word is enough ("Sukarno", "Jo" yes; "A B", "12" no).
 */
export function isSignatureName(raw: string | undefined): boolean {
  return normaliseTypedName(raw)
    .split(' ')
    .some((word) => (word.match(/\p{L}/gu)?.length ?? 0) >= 2);
}
