/**
 * What Electron's own sessions may load: the app's own files and inline data images, and
 * nothing from any network. The lock screens need nothing remote, so this is stricter than
 * any internet sanction: a pupil under one can never reach the internet through Classlock's
 * windows, and nobody else can either. (An allow-list filter for sanctions would only ever
 * loosen this, so none is consulted here.)
 */
export type RequestVerdict = { allow: true } | { allow: false; reason: string };

export function requestVerdict(url: string, appRootUrl: string): RequestVerdict {
  let u: URL;
  let root: URL;
  try {
    u = new URL(url);
    root = new URL(appRootUrl.endsWith('/') ? appRootUrl : `${appRootUrl}/`);
  } catch {
    return { allow: false, reason: 'not a valid address' };
  }
  switch (u.protocol) {
    case 'data:':
    case 'blob:':
    case 'devtools:':
      return { allow: true };
    case 'file:': {
      if (u.host !== root.host) return { allow: false, reason: 'a file on another computer' };
      const norm = (p: string) => {
        const s = decodeURIComponent(p);
        return /^\/[A-Za-z]:\//.test(s) ? s.toLowerCase() : s;
      };
      let path: string;
      try {
        path = norm(u.pathname);
      } catch {
        return { allow: false, reason: 'not a valid address' };
      }
      // Dot segments are already resolved by URL parsing, so a prefix test is enough.
      return path.startsWith(norm(root.pathname))
        ? { allow: true }
        : { allow: false, reason: 'a file outside Classlock' };
    }
    default:
      return { allow: false, reason: 'Classlock screens load nothing from the network' };
  }
}
