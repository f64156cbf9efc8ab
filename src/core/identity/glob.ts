/**
 * Wildcard names as IT writes them in the policy: `*` for any run of characters, `?` for
 * one, case-insensitive, the whole name. Matched by walking both strings rather than by
 * building a regular expression: a backtracking regex makes a pattern such as
 * `*a*a*a*a*a*a*a*ab` take seconds on a 40-character name, at every sign-in on every
 * terminal. Here a mismatch only moves the start of the last `*` on by one, so the work is
 * at most the pattern's length times the name's.
 */

/** Longest pattern the policy accepts: names and hostnames are far shorter. */
export const MAX_GLOB_LENGTH = 64;
/** Most `*` in one pattern; real ones have one or two. */
export const MAX_GLOB_STARS = 8;

const STAR = 0x2a;
const QUESTION = 0x3f;

export function globMatches(pattern: string, name: string): boolean {
  const p = pattern.toLowerCase();
  const n = name.toLowerCase();
  let pi = 0;
  let ni = 0;
  // Where the last `*` was seen, and where in the name its run would end if it matched
  // one more character: the only place a mismatch can go back to.
  let starAt = -1;
  let resumeAt = 0;
  while (ni < n.length) {
    const pc = p.charCodeAt(pi);
    if (pi < p.length && pc === STAR) {
      starAt = pi++;
      resumeAt = ni;
    } else if (pi < p.length && (pc === QUESTION || pc === n.charCodeAt(ni))) {
      pi++;
      ni++;
    } else if (starAt >= 0) {
      pi = starAt + 1;
      ni = ++resumeAt;
    } else {
      return false;
    }
  }
  while (pi < p.length && p.charCodeAt(pi) === STAR) pi++;
  return pi === p.length;
}

/** Why a pattern is refused, in IT's words, or undefined when it is usable. */
export function globProblem(pattern: string): string | undefined {
  if (pattern.length > MAX_GLOB_LENGTH) {
    return `is ${pattern.length} characters long; a name pattern can be at most ${MAX_GLOB_LENGTH}`;
  }
  let stars = 0;
  for (let i = 0; i < pattern.length; i++) if (pattern.charCodeAt(i) === STAR) stars++;
  if (stars > MAX_GLOB_STARS) {
    return `has ${stars} "*"; a name pattern can have at most ${MAX_GLOB_STARS} (one or two is usual, e.g. "CLASS-*")`;
  }
  return undefined;
}
