import { createHash, randomBytes, sign, type KeyObject } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { HUB_SIGNATURE_HEADERS as H, signedText } from '../../shared/hub-protocol';

export interface HubResponse {
  status: number;
  body: unknown;
}

export class HubUnreachableError extends Error {}

/**
 * One request to the hub, signed with the machine key over method, path, time, a fresh
 * nonce and the body's hash. `terminal` is the id the hub gave at enrolment ('enrol' before).
 */
export function signedRequest(opts: {
  hubUrl: string;
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  key: KeyObject;
  terminal: string;
  now: number;
  timeoutMs?: number;
  ca?: string | Buffer;
}): Promise<HubResponse> {
  const url = new URL(
    opts.path.replace(/^\//, ''),
    opts.hubUrl.endsWith('/') ? opts.hubUrl : `${opts.hubUrl}/`,
  );
  const body = opts.body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(opts.body));
  const time = new Date(opts.now).toISOString();
  const nonce = randomBytes(18).toString('base64url');
  const path = url.pathname + url.search;
  const bodyHash = createHash('sha256').update(body).digest('hex');
  const signature = sign(
    null,
    Buffer.from(signedText(opts.method, path, time, nonce, bodyHash)),
    opts.key,
  ).toString('base64');
  const headers: Record<string, string> = {
    [H.terminal]: opts.terminal,
    [H.time]: time,
    [H.nonce]: nonce,
    [H.signature]: signature,
  };
  if (body.length) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(body.length);
  }
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(
      url,
      {
        method: opts.method,
        headers,
        timeout: opts.timeoutMs ?? 15_000,
        ...(opts.ca ? { ca: opts.ca } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            // not JSON: keep the text for the problem message
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
        res.on('error', (e) => reject(new HubUnreachableError(e.message)));
      },
    );
    req.on('timeout', () =>
      req.destroy(new Error(`no answer within ${opts.timeoutMs ?? 15_000} ms`)),
    );
    req.on('error', (e) => reject(new HubUnreachableError(e.message)));
    req.end(body);
  });
}
