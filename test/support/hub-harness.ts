import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../../src/core/clock';
import { createHub, type Hub, type HubOptions } from '../../src/hub/hub-server';
import type { Store } from '../../src/hub/store/store';
import { HubLink, type HubLinkOptions } from '../../src/service/hub-link/hub-link';

export interface RunningHub {
  hub: Hub;
  url: string;
  port: number;
  close(): Promise<void>;
}

/** A hub over `store` on 127.0.0.1 (port 0, or the one given: a "restarted" hub). */
export async function runHub(
  store: Store,
  opts: Partial<HubOptions> = {},
  port = 0,
): Promise<RunningHub> {
  const hub = await createHub({ store, ...opts });
  await hub.app.listen({ host: '127.0.0.1', port });
  const p = (hub.app.server.address() as AddressInfo).port;
  return { hub, url: `http://127.0.0.1:${p}`, port: p, close: () => hub.close() };
}

export function tempDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export const realClock: Clock = { now: () => Date.now() };

export function startLink(
  o: Partial<HubLinkOptions> & Pick<HubLinkOptions, 'dataDir' | 'hubUrl'>,
): Promise<HubLink> {
  return HubLink.start({
    enrolmentSecret: undefined,
    school: undefined,
    machineId: 'pc-1',
    clock: realClock,
    log: () => undefined,
    autoSend: false,
    ...o,
  });
}

/** Staff API calls as a signed-in member of staff (cookie + CSRF) or with a Bearer token. */
export class StaffClient {
  private cookie = '';
  private csrf = '';
  constructor(
    private readonly url: string,
    private readonly token?: string,
  ) {}

  async signIn(username: string, password: string): Promise<Response> {
    const r = await fetch(`${this.url}/api/v1/staff/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    if (r.ok) {
      this.cookie = (r.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      this.csrf = ((await r.clone().json()) as { csrf: string }).csrf;
    }
    return r;
  }

  get setCookie(): string {
    return this.cookie;
  }

  call(
    method: string,
    path: string,
    body?: unknown,
    opts: { csrf?: boolean } = {},
  ): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (this.cookie) headers.cookie = this.cookie;
    if (this.csrf && opts.csrf !== false) headers['x-csrf-token'] = this.csrf;
    if (body !== undefined) headers['content-type'] = 'application/json';
    return fetch(`${this.url}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  }

  async json<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<T> {
    const r = await this.call(method, path, body);
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
    return (await r.json()) as T;
  }
}
