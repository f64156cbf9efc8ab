import { cidrContains, parseAddress, parseAllowList, type AllowEntry } from './allow-list';

/** Schemes that never leave the machine or belong to the browser itself. */
const LOCAL_SCHEMES = new Set([
  'file:',
  'data:',
  'blob:',
  'about:',
  'devtools:',
  'chrome:',
  'chrome-extension:',
  'chrome-devtools:',
]);

/** Schemes that reach a host over the network and are judged by the allow list. */
const NETWORK_SCHEMES = new Set(['http:', 'https:', 'ws:', 'wss:', 'ftp:']);

const LOOPBACK_NAMES = new Set(['localhost']);

function isLoopback(host: string, addr: ReturnType<typeof parseAddress>): boolean {
  if (LOOPBACK_NAMES.has(host) || host.endsWith('.localhost')) return true;
  if (!addr) return false;
  if (addr.family === 4) return addr.value >> 24n === 127n;
  return addr.value === 1n;
}

function hostAllowed(host: string, entries: readonly AllowEntry[]): boolean {
  const addr = parseAddress(host);
  if (isLoopback(host, addr)) return true;
  for (const e of entries) {
    if (addr) {
      if (e.kind === 'cidr' && cidrContains(e, addr)) return true;
    } else if (e.kind === 'host') {
      if (host === e.host) return true;
    } else if (e.kind === 'wildcard') {
      if (host.endsWith(`.${e.suffix}`)) return true;
    }
  }
  return false;
}

/**
 * May a request from Classlock's own windows go ahead while the user's internet access is
 * withdrawn? Loopback and local schemes always; network schemes only to a host on the
 * allow list (exact names, *.wildcards for names below a domain, and addresses or ranges
 * for URLs written with an address). A name is never resolved here: a name that is not on
 * the list is refused even if its address is. Anything unreadable is refused.
 */
export function isRequestAllowed(url: string, allowList: string[]): boolean {
  return requestFilter(allowList)(url);
}

/**
 * The same decision with the allow list parsed once, for a webRequest handler that sees
 * every request of a session.
 */
export function requestFilter(allowList: string[]): (url: string) => boolean {
  const { entries } = parseAllowList(allowList);
  return (url) => {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return false;
    }
    if (LOCAL_SCHEMES.has(parsed.protocol)) return true;
    if (!NETWORK_SCHEMES.has(parsed.protocol)) return false;
    const host = parsed.hostname
      .toLowerCase()
      .replace(/^\[|\]$/g, '')
      .replace(/\.$/, '');
    return hostAllowed(host, entries);
  };
}
