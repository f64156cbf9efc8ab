import { FetchError, type FetchOptions, type FetchOutcome, type HttpFetch } from './fetch-types';
import { nodeFetch } from './node-fetch';
import { httpDate } from '../time/trusted-time';

const MAX_REDIRECTS = 5;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const ENCODINGS = new Set(['identity', 'gzip', 'x-gzip', 'deflate']);

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

/** Node's system error codes and Chromium's net::ERR_ names (Electron's net.fetch). */
const NETWORK_WORDS: [RegExp, (u: URL) => string][] = [
  [
    /UND_ERR_CONNECT_TIMEOUT|ERR_CONNECTION_TIMED_OUT|ETIMEDOUT/,
    (u) => `could not connect to ${u.host} in time (is it on this network?)`,
  ],
  [
    /ECONNREFUSED|ERR_CONNECTION_REFUSED/,
    (u) => `${u.host} refused the connection (is the web server running?)`,
  ],
  [
    /ENOTFOUND|EAI_AGAIN|ERR_NAME_NOT_RESOLVED/,
    (u) => `the name ${u.hostname} could not be looked up (DNS)`,
  ],
  [
    /ECONNRESET|ERR_CONNECTION_RESET|UND_ERR_SOCKET/,
    (u) => `${u.host} closed the connection unexpectedly`,
  ],
  [
    /EHOSTUNREACH|ENETUNREACH|ERR_ADDRESS_UNREACHABLE|ERR_INTERNET_DISCONNECTED/,
    (u) => `${u.host} cannot be reached on the network`,
  ],
  [/CERT_HAS_EXPIRED|ERR_CERT_DATE_INVALID/, (u) => `the TLS certificate of ${u.host} has expired`],
  [
    /SELF_SIGNED_CERT|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT|ERR_CERT_AUTHORITY_INVALID/,
    (u) => `the TLS certificate of ${u.host} is not trusted by this machine`,
  ],
  [
    /ERR_TLS_CERT_ALTNAME_INVALID|ERR_CERT_COMMON_NAME_INVALID/,
    (u) => `the TLS certificate of ${u.host} is for a different name`,
  ],
];

/** fetch rejects with "fetch failed" and the real reason in `cause`. */
function describeNetworkError(err: unknown, url: URL): string {
  const cause = (err as { cause?: unknown }).cause;
  const parts = [err, cause].flatMap((e) => {
    const o = e as { code?: unknown; message?: unknown } | undefined;
    return [String(o?.code ?? ''), String(o?.message ?? '')];
  });
  const all = parts.join(' ');
  for (const [pattern, words] of NETWORK_WORDS) if (pattern.test(all)) return words(url);
  const detail = (cause as Error | undefined)?.message ?? (err as Error).message ?? String(err);
  return `${url.host}: ${detail}`;
}

/** A kept-alive connection the server had already closed: worth one immediate retry. */
function isStaleConnection(err: unknown): boolean {
  const cause = (err as { cause?: { code?: unknown } }).cause;
  return cause?.code === 'UND_ERR_SOCKET' || cause?.code === 'ECONNRESET';
}

/**
 * GET a policy over http(s): conditional, gzip-aware, bounded in size while streaming and
 * bounded in time from the first byte sent to the last byte received, so neither a huge
 * body nor a server dripping one byte a second can hold a terminal. The connection is kept
 * between polls where the server allows it (the fetch given decides how); a connection
 * the server closed while idle is simply opened again.
 */
export async function fetchHttp(
  url: string,
  opts: FetchOptions,
  deadline = Date.now() + opts.totalTimeoutMs,
  redirects = 0,
): Promise<FetchOutcome> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new FetchError('network', `"${url}" is not a web address`);
  }
  const doFetch: HttpFetch = opts.fetch ?? nodeFetch(opts.connectTimeoutMs);
  const headers: Record<string, string> = {
    'accept-encoding': 'gzip',
    accept: 'application/json',
    'user-agent': 'Classlock policy fetcher',
  };
  if (opts.validators?.etag) headers['if-none-match'] = opts.validators.etag;
  if (opts.validators?.lastModified) headers['if-modified-since'] = opts.validators.lastModified;

  const controller = new AbortController();
  let stopped: FetchError | undefined;
  const stop = (e: FetchError) => {
    if (stopped) return;
    stopped = e;
    controller.abort(e);
  };
  const remaining = Math.max(0, deadline - Date.now());
  const totalTimer = setTimeout(
    () =>
      stop(
        new FetchError(
          'timeout',
          `${u.host} did not deliver the policy within ${seconds(opts.totalTimeoutMs)}`,
        ),
      ),
    remaining,
  );
  // fetch does not report the moment a connection is made, so this bounds the time to the
  // first answer: a policy is a static file, answered as soon as the connection is up.
  const answerTimer = setTimeout(
    () =>
      stop(
        new FetchError(
          'timeout',
          `could not connect to ${u.host}, or it did not answer, within ${seconds(opts.connectTimeoutMs)}`,
        ),
      ),
    Math.min(opts.connectTimeoutMs, remaining),
  );
  const init: RequestInit = {
    method: 'GET',
    headers,
    redirect: 'manual',
    signal: controller.signal,
  };
  try {
    let res: Response;
    try {
      res = await doFetch(u.toString(), init).catch((err: unknown) => {
        if (stopped || !isStaleConnection(err)) throw err;
        return doFetch(u.toString(), init);
      });
    } catch (err) {
      throw stopped ?? new FetchError('network', describeNetworkError(err, u));
    }
    clearTimeout(answerTimer);
    const status = res.status;
    const serverDate = httpDate(res.headers.get('date') ?? undefined);
    if (status === 304) {
      await res.body?.cancel().catch(() => undefined);
      return { kind: 'not-modified', serverDate };
    }
    const location = res.headers.get('location');
    if (REDIRECTS.has(status) && location) {
      await res.body?.cancel().catch(() => undefined);
      if (redirects >= MAX_REDIRECTS) {
        throw new FetchError(
          'http-status',
          `${u.host} redirected more than ${MAX_REDIRECTS} times`,
        );
      }
      const next = new URL(location, u);
      if (u.protocol === 'https:' && next.protocol !== 'https:') {
        throw new FetchError(
          'http-status',
          `${u.host} redirected from https to ${next.protocol}, refused`,
        );
      }
      clearTimeout(totalTimer);
      return await fetchHttp(next.toString(), opts, deadline, redirects + 1);
    }
    if (status !== 200) {
      await res.body?.cancel().catch(() => undefined);
      const text = `${status} ${res.statusText}`.trim();
      throw new FetchError(
        'http-status',
        status === 404
          ? `the web server has no policy file at ${u.pathname} (${text})`
          : `the web server answered ${text}`,
      );
    }
    const declared = Number(res.headers.get('content-length') ?? NaN);
    if (Number.isFinite(declared) && declared > opts.maxBytes) {
      await res.body?.cancel().catch(() => undefined);
      throw new FetchError(
        'too-large',
        `the policy file is ${declared} bytes, over the limit of ${opts.maxBytes}`,
      );
    }
    const encoding = (res.headers.get('content-encoding') ?? 'identity').toLowerCase();
    if (!ENCODINGS.has(encoding)) {
      await res.body?.cancel().catch(() => undefined);
      throw new FetchError(
        'read',
        `the web server sent an encoding this terminal does not read (${encoding})`,
      );
    }
    const bytes = await readBounded(res, opts.maxBytes, u, encoding !== 'identity', () => stopped);
    const etag = res.headers.get('etag');
    const lm = res.headers.get('last-modified');
    return {
      kind: 'body',
      bytes,
      validators: { ...(etag ? { etag } : {}), ...(lm ? { lastModified: lm } : {}) },
      serverDate,
    };
  } finally {
    clearTimeout(totalTimer);
    clearTimeout(answerTimer);
  }
}

/** The body, decompressed by fetch, stopped as soon as it passes the limit. */
async function readBounded(
  res: Response,
  maxBytes: number,
  u: URL,
  compressed: boolean,
  stopped: () => FetchError | undefined,
): Promise<Uint8Array> {
  const reader = res.body?.getReader();
  if (!reader) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw new FetchError('too-large', `the policy file is over the limit of ${maxBytes} bytes`);
      }
      chunks.push(value);
    }
  } catch (err) {
    if (err instanceof FetchError) throw err;
    throw (
      stopped() ??
      new FetchError(
        'truncated',
        compressed
          ? `the connection to ${u.host} broke before the whole policy file arrived, or the compressed file is damaged`
          : `the connection to ${u.host} broke before the whole policy file arrived`,
      )
    );
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}
