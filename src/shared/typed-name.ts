/**
 * The staff agreement is signed by typing a full name. One rule for both sides: the screen
 * enables "I agree" by it, and the core refuses anything else, so the two cannot drift.
 */

/** The name as it is kept with the record: single spaces, no space at either end. */
export function normaliseTypedName(raw: string | undefined): string {
  return (raw ?? '').replace(/\s+/g, ' ').trim();
}

/** At least two words, and letters in it ("A B" yes; "12 34" no). */
export function isFullName(raw: string | undefined): boolean {
  const name = normaliseTypedName(raw);
  return name.split(' ').length >= 2 && /\p{L}/u.test(name);
}
