/**
 * The Content-Security-Policy of the lock screens. The renderer carries the same policy in
 * a meta tag (file:// loads have no response headers, so the meta tag is what governs
 * them); the main process also sets it as a response header for anything served another
 * way. Nothing remote, nothing inline, no eval: the screens need only their own bundle.
 */
export const RENDERER_CSP_DIRECTIVES: Readonly<Record<string, readonly string[]>> = {
  // default-src 'none' also covers media, objects, frames and workers.
  'default-src': ["'none'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'"],
  'connect-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
};

export function rendererCsp(): string {
  return Object.entries(RENDERER_CSP_DIRECTIVES)
    .map(([name, sources]) => `${name} ${sources.join(' ')}`)
    .join('; ');
}

/** Parse a CSP string into directive → sources, for comparing two policies. */
export function parseCsp(csp: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of csp.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) out.set(name.toLowerCase(), sources);
  }
  return out;
}

/**
 * Response headers with Classlock's CSP in place of any the response carried. Header names
 * are case-insensitive, so an upstream `content-security-policy` is replaced, not doubled.
 */
export function withCspHeader(
  headers: Record<string, string[]> | undefined,
): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() !== 'content-security-policy') out[name] = value;
  }
  out['Content-Security-Policy'] = [rendererCsp()];
  return out;
}
