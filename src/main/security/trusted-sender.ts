/**
 * Only our own lock screen may talk to the main process: the renderer's index.html loaded
 * from file://, with or without a query (`?display=secondary`) or fragment. Another local
 * file, a page on a share, or anything over http(s) is refused, so a navigation that got
 * past the guards still cannot reach the session.
 */
export function isTrustedSender(frameUrl: string | undefined, rendererIndexUrl: string): boolean {
  if (!frameUrl) return false;
  let frame: URL;
  let index: URL;
  try {
    frame = new URL(frameUrl);
    index = new URL(rendererIndexUrl);
  } catch {
    return false;
  }
  if (frame.protocol !== 'file:' || index.protocol !== 'file:') return false;
  // file://server/share/... is a network path, not this machine's install folder.
  if (frame.host !== index.host) return false;
  return samePath(frame.pathname, index.pathname);
}

function samePath(a: string, b: string): boolean {
  const norm = (p: string) => {
    let s: string;
    try {
      s = decodeURIComponent(p);
    } catch {
      return null;
    }
    // Windows paths arrive as /C:/Program Files/...: the file system there ignores case.
    return /^\/[A-Za-z]:\//.test(s) ? s.toLowerCase() : s;
  };
  const na = norm(a);
  return na !== null && na === norm(b);
}
