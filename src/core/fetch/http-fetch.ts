import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { createGunzip, createInflate } from 'node:zlib';
import type { Readable } from 'node:stream';
import { FetchError, type FetchOptions, type FetchOutcome } from './fetch-types';
import { httpDate } from '../time/trusted-time';

const MAX_REDIRECTS = 5;

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

function describeNetworkError(err: NodeJS.ErrnoException, url: URL): string {
  switch (err.code) {
    case 'ECONNREFUSED':
      return `${url.host} refused the connection (is the web server running?)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `the name ${url.hostname} could not be looked up (DNS)`;
    case 'ECONNRESET':
      return `${url.host} closed the connection unexpectedly`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `${url.host} cannot be reached on the network`;
    case 'CERT_HAS_EXPIRED':
      return `the TLS certificate of ${url.host} has expired`;
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
      return `the TLS certificate of ${url.host} is not trusted by this machine`;
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `the TLS certificate of ${url.host} is for a different name`;
    default:
      return `${url.host}: ${err.message}`;
  }
}

/**
 * GET a policy over http(s): conditional, gzip-aware, bounded in size while streaming and
 * bounded in time from the first byte sent to the last byte received, so neither a huge
 * body nor a server dripping one byte a second can hold a terminal.
 */
export function fetchHttp(
  url: string,
  opts: FetchOptions,
  deadline = Date.now() + opts.totalTimeoutMs,
  redirects = 0,
): Promise<FetchOutcome> {
  return new Promise<FetchOutcome>((resolve, reject) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      reject(new FetchError('network', `"${url}" is not a web address`));
      return;
    }
    const mod = u.protocol === 'https:' ? https : http;
    const headers: Record<string, string> = {
      'accept-encoding': 'gzip',
      accept: 'application/json',
      'user-agent': 'Classlock policy fetcher',
    };
    if (opts.validators?.etag) headers['if-none-match'] = opts.validators.etag;
    if (opts.validators?.lastModified) headers['if-modified-since'] = opts.validators.lastModified;

    let settled = false;
    const timers: NodeJS.Timeout[] = [];
    const settle = (err: Error | undefined, value?: FetchOutcome) => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      if (err) reject(err);
      else resolve(value!);
    };

    // agent: false — a fresh connection each poll; a kept-alive socket the server has
    // since dropped would turn into a spurious failure every few polls.
    const req = mod.request(u, { method: 'GET', headers, agent: false }, (res) => {
      const status = res.statusCode ?? 0;
      const serverDate = httpDate(res.headers.date);
      if (status === 304) {
        res.resume();
        settle(undefined, { kind: 'not-modified', serverDate });
        req.destroy();
        return;
      }
      if ([301, 302, 303, 307, 308].includes(status) && res.headers.location) {
        res.resume();
        req.destroy();
        if (redirects >= MAX_REDIRECTS) {
          settle(
            new FetchError('http-status', `${u.host} redirected more than ${MAX_REDIRECTS} times`),
          );
          return;
        }
        const next = new URL(res.headers.location, u);
        if (u.protocol === 'https:' && next.protocol !== 'https:') {
          settle(
            new FetchError(
              'http-status',
              `${u.host} redirected from https to ${next.protocol}, refused`,
            ),
          );
          return;
        }
        fetchHttp(next.toString(), opts, deadline, redirects + 1).then(
          (v) => settle(undefined, v),
          (e: Error) => settle(e),
        );
        return;
      }
      if (status !== 200) {
        res.resume();
        req.destroy();
        const text = `${status} ${res.statusMessage ?? ''}`.trim();
        settle(
          new FetchError(
            'http-status',
            status === 404
              ? `the web server has no policy file at ${u.pathname} (${text})`
              : `the web server answered ${text}`,
          ),
        );
        return;
      }
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > opts.maxBytes) {
        res.resume();
        req.destroy();
        settle(
          new FetchError(
            'too-large',
            `the policy file is ${declared} bytes, over the limit of ${opts.maxBytes}`,
          ),
        );
        return;
      }
      const encoding = String(res.headers['content-encoding'] ?? 'identity').toLowerCase();
      let body: Readable = res;
      if (encoding === 'gzip' || encoding === 'x-gzip') body = res.pipe(createGunzip());
      else if (encoding === 'deflate') body = res.pipe(createInflate());
      else if (encoding !== 'identity') {
        res.resume();
        req.destroy();
        settle(
          new FetchError(
            'read',
            `the web server sent an encoding this terminal does not read (${encoding})`,
          ),
        );
        return;
      }
      let wire = 0;
      let complete = false;
      res.on('data', (c: Buffer) => {
        wire += c.length;
      });
      res.on('end', () => {
        complete = true;
      });
      const cut = () =>
        settle(
          new FetchError(
            'truncated',
            `the connection to ${u.host} broke before the whole policy file arrived`,
          ),
        );
      res.on('aborted', cut);
      res.on('error', cut);
      res.on('close', () => {
        if (!complete) cut();
      });
      const chunks: Buffer[] = [];
      let size = 0;
      body.on('data', (c: Buffer) => {
        size += c.length;
        if (size > opts.maxBytes) {
          req.destroy();
          settle(
            new FetchError(
              'too-large',
              `the policy file is over the limit of ${opts.maxBytes} bytes`,
            ),
          );
          return;
        }
        chunks.push(c);
      });
      if (body !== res) {
        body.on('error', () =>
          settle(
            new FetchError('truncated', 'the compressed policy file is damaged or incomplete'),
          ),
        );
      }
      body.on('end', () => {
        if (Number.isFinite(declared) && wire < declared) {
          cut();
          return;
        }
        const lm = res.headers['last-modified'];
        const etag = res.headers.etag;
        settle(undefined, {
          kind: 'body',
          bytes: new Uint8Array(Buffer.concat(chunks)),
          validators: { ...(etag ? { etag } : {}), ...(lm ? { lastModified: lm } : {}) },
          serverDate,
        });
      });
    });

    const remaining = Math.max(0, deadline - Date.now());
    timers.push(
      setTimeout(() => {
        req.destroy();
        settle(
          new FetchError(
            'timeout',
            `${u.host} did not deliver the policy within ${seconds(opts.totalTimeoutMs)}`,
          ),
        );
      }, remaining),
    );
    const connectTimer = setTimeout(
      () => {
        req.destroy();
        settle(
          new FetchError(
            'timeout',
            `could not connect to ${u.host} within ${seconds(opts.connectTimeoutMs)}`,
          ),
        );
      },
      Math.min(opts.connectTimeoutMs, remaining),
    );
    timers.push(connectTimer);
    req.on('socket', (sock: Socket) => {
      const event = u.protocol === 'https:' ? 'secureConnect' : 'connect';
      if (!sock.connecting && u.protocol !== 'https:') clearTimeout(connectTimer);
      else sock.once(event, () => clearTimeout(connectTimer));
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      settle(new FetchError('network', describeNetworkError(err, u)));
    });
    req.end();
  });
}
