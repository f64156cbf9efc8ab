/**
 * While the screen is covered, keys must not reach another program: a PIN typed while the
 * foreground belongs to something else (a chat window behind the cover, whatever took
 * focus a moment ago) would be sent there. The focus guard takes the foreground back; this
 * is the line behind it on Windows, a low-level keyboard hook that drops keys bound for any
 * window but Classlock's while covered and asks for focus again.
 *
 * Ctrl+Alt+Del and Win+L never reach a hook (Windows keeps them), so no one is trapped.
 */
export interface KeyDecision {
  swallow: boolean;
  /** Ask the focus guard to take the keyboard back. */
  refocus: boolean;
}

export function keyDecision(o: {
  covered: boolean;
  /** The window that would receive the key (0: none). */
  foreground: number;
  ours: ReadonlySet<number>;
}): KeyDecision {
  if (!o.covered || o.ours.has(o.foreground)) return { swallow: false, refocus: false };
  return { swallow: true, refocus: true };
}
