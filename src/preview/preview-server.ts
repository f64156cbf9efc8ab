import { randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Clock } from '../core/clock';
import { silentLogger, type Logger } from '../core/log';
import type { Policy, Role, Sanction } from '../core/policy/schema';
import { createIpcHandlers } from '../main/ipc/handlers';
import { ServiceClient } from '../main/service-client';
import { startClasslockd, type Classlockd } from '../service/classlockd';
import { ManualSessionSource } from '../service/os/manual-session-source';
import { PeerCredProvider, type PeerIdentityProvider } from '../service/peer-credentials';
import { Channels } from '../shared/ipc';
import type { View } from '../shared/view';
import { previewIdentity } from './preview-identity';
import { CONTROLS_HTML, PREVIEW_BRIDGE_JS } from './preview-assets';
import { contentType, serveStaticFile } from './static-files';

/**
 * `classlock-admin preview` and `npm start` without Electron: the real screens, with the
 * real session core and the real IPC handlers behind them, served on loopback so IT can
 * read a policy's agreements, lock and blocked screens before publishing it. Nothing here
 * is reachable from another machine.
 */
export interface PreviewOptions {
  policy: Policy;
  role: Role;
  locale?: string;
  rendererDir: string;
  port?: number;
  host?: '127.0.0.1' | '::1';
  log?: Logger;
  /** A hub the preview terminal enrols at (the embedded one of `npm start`). */
  hub?: { url: string; school: string; enrolmentSecret: string };
}

export interface PreviewServer {
  url: string;
  /** The controls page, with this run's token after the # (never sent to the server). */
  controlsUrl: string;
  /** Required by the control API, in the x-classlock-token header. */
  token: string;
  close(): Promise<void>;
}

const MAX_BODY = 16 * 1024;

/**
 * The preview runs the real machine service in this process, on a temp socket and a temp
 * data folder, and talks to it through the real client, so what IT sees is what a
 * terminal does. Whoever connects is the policy's made-up account for the chosen role.
 */
class PreviewSession {
  client!: ServiceClient;
  private service: Classlockd | undefined;
  private dataDir = '';
  /** The hub link's key and outbox outlive a restart: the preview stays one terminal. */
  private hubDir = '';
  private idleSeconds = 0;
  /** How far "Go idle" has moved this preview's time past the real one. */
  private clockOffsetMs = 0;
  private readonly clock: Clock = { now: () => Date.now() + this.clockOffsetMs };
  private timer: NodeJS.Timeout | undefined;
  private policy: Policy;
  readonly listeners = new Set<(v: View) => void>();

  constructor(private readonly o: PreviewOptions) {
    this.policy = o.policy;
  }

  async open(policy: Policy = this.o.policy): Promise<void> {
    await this.close();
    this.policy = policy;
    this.dataDir = await mkdtemp(join(tmpdir(), 'classlock-preview-'));
    if (this.o.hub && !this.hubDir)
      this.hubDir = await mkdtemp(join(tmpdir(), 'classlock-preview-hub-'));
    const who = previewIdentity(policy, this.o.role);
    this.service = await startClasslockd({
      socketPath: join(this.dataDir, 'classlockd.sock'),
      dataDir: join(this.dataDir, 'data'),
      dataDirOwner: process.getuid?.() ?? 0,
      clock: this.clock,
      config: null,
      defaultPolicy: async () => policy,
      // A preview never locks or ends anyone's desktop session: it shows the screen and stops there.
      source: new ManualSessionSource({
        describe: 'preview',
        perform: { lock: async () => undefined, terminate: async () => undefined },
      }),
      peers: peerProvider(),
      resolveIdentity: async () => ({ account: who.account, groups: who.groups }),
      groups: { groupsOf: async () => who.groups },
      hostname: 'PREVIEW',
      readOsMachineId: () => 'preview-machine',
      syncMs: 0,
      log: () => undefined,
      ...(this.o.hub
        ? {
            hub: {
              ...this.o.hub,
              dataDir: this.hubDir,
              clock: { now: () => Date.now() },
              // "Start again (first login)" shows the agreement again, though the hub has it.
              askAcceptances: false,
            },
          }
        : {}),
    });
    this.client = new ServiceClient({
      socketPath: this.service.socketPath,
      clientVersion: 'preview',
      account: who.account,
      ...(this.o.locale ? { locale: this.o.locale } : {}),
    });
    this.client.onView((v) => this.listeners.forEach((l) => l(v)));
    await this.client.start();
    if (!this.client.isConnected())
      throw new Error('The preview could not reach its own Classlock service.');
    this.idleSeconds = 0;
    this.timer = setInterval(
      () => void this.client.idle(++this.idleSeconds).catch(() => undefined),
      1000,
    );
    this.timer.unref();
  }

  activity(): void {
    this.idleSeconds = 0;
  }

  /**
   * Move to the warning's first second and tell the session now, so IT sees the warning
   * at once rather than after minutes. The session measures idle time from its own last
   * activity (an accepted agreement counts) on its own clock, so that clock moves on too.
   */
  async goIdle(): Promise<void> {
    const rt = this.service?.host.list()[0]?.runtime;
    if (!rt) return;
    const state = rt.snapshot();
    const t = state.facts.timeouts;
    const idleNow = Math.floor((this.clock.now() - state.activityAt) / 1000);
    this.clockOffsetMs += Math.max(0, t.lockSeconds - t.warnSeconds - idleNow) * 1000;
    this.idleSeconds = Math.max(this.idleSeconds, t.lockSeconds - t.warnSeconds);
    await this.client.idle(this.idleSeconds);
  }

  async withSanction(scope: Sanction['scope']): Promise<void> {
    const who = this.client.view().user.account;
    const policy: Policy = structuredClone(this.policy);
    policy.sanctions = [
      ...policy.sanctions,
      {
        id: `preview-${scope}`,
        user: who,
        scope,
        kind: 'sanction',
        until: new Date(this.clock.now() + 7 * 86_400_000).toISOString(),
        reason: 'Preview: the reason IT writes appears here',
        issuedBy: 'Preview',
        issuedAt: new Date(this.clock.now()).toISOString(),
      },
    ];
    await this.service?.host.policyChanged(policy);
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.client?.close();
    await this.service?.close();
    this.service = undefined;
    if (this.dataDir) await rm(this.dataDir, { recursive: true, force: true });
  }

  /** The last close: the hub link's folder goes too. */
  async dispose(): Promise<void> {
    await this.close();
    if (this.hubDir) await rm(this.hubDir, { recursive: true, force: true });
  }
}

/** The kernel's answer where there is one; the preview's identity does not depend on it. */
function peerProvider(): PeerIdentityProvider {
  if (process.platform === 'linux') return new PeerCredProvider();
  return { identify: () => ({ pid: 0 }) };
}

export async function startPreview(o: PreviewOptions): Promise<PreviewServer> {
  const rendererDir = resolve(o.rendererDir);
  const indexPath = join(rendererDir, 'index.html');
  const index = await readFile(indexPath, 'utf8').catch(() => {
    throw new Error(
      `The screens are not built (${indexPath} is missing): run \`npm run build\` first.`,
    );
  });
  // The same page, with the preview bridge loaded first and permission to call back home.
  const page = index
    .replace("connect-src 'none'", "connect-src 'self'")
    .replace(
      '<script type="module"',
      '<script src="./preview-bridge.js"></script>\n    <script type="module"',
    );

  const log = o.log ?? silentLogger;
  const token = randomBytes(18).toString('base64url');
  const allowedOrigins = new Set<string>();
  const session = new PreviewSession(o);
  await session.open();
  const handlers = createIpcHandlers({
    view: () => session.client.view(),
    intent: (i) => session.client.intent(i),
  });
  const streams = new Set<ServerResponse>();
  const push = (v: View) => streams.forEach((s) => s.write(`data: ${JSON.stringify(v)}\n\n`));
  session.listeners.add(push);

  const api = async (req: IncomingMessage, res: ServerResponse, path: string): Promise<void> => {
    if (path === '/api/view' && req.method === 'GET')
      return json(res, 200, await handlers[Channels.getView]());
    if (path === '/api/events' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
      res.write(`data: ${JSON.stringify(session.client.view())}\n\n`);
      streams.add(res);
      req.on('close', () => streams.delete(res));
      return;
    }
    if (req.method !== 'POST') return json(res, 405, { error: 'use POST' });
    if (path === '/api/intent') {
      const body = await readBody(req);
      try {
        const intent = JSON.parse(body) as unknown;
        if ((intent as { type?: unknown })?.type === 'activity') session.activity();
        return json(res, 200, await handlers[Channels.intent](intent));
      } catch (err) {
        return json(res, 400, { error: err instanceof Error ? err.message : String(err) });
      }
    }
    if (!tokenMatches(req, token)) {
      return json(res, 403, {
        error: 'the preview controls need the token printed with their address; open that address',
      });
    }
    const action = path.slice('/api/preview/'.length);
    switch (action) {
      case 'restart':
        await session.open();
        break;
      case 'warn':
        await session.goIdle();
        break;
      case 'lock':
        await session.client.lockNow();
        break;
      case 'network':
      case 'internet':
        await session.withSanction(action);
        break;
      default:
        return json(res, 404, { error: `no preview action ${action}` });
    }
    return json(res, 200, session.client.view());
  };

  const server: Server = createServer((req, res) => {
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
    };
    // Only pages this server gave out may talk to it: a foreign Host is a DNS rebinding
    // attempt, a foreign Origin a page elsewhere posting to loopback.
    const refused = foreignRequest(req, allowedOrigins);
    if (refused) return send(403, 'text/plain; charset=utf-8', `${refused}\n`);
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    } catch {
      return send(400, 'text/plain; charset=utf-8', 'That address is not valid.\n');
    }
    if (path.startsWith('/api/')) {
      api(req, res, path).catch((err: unknown) => {
        log.error(err, `preview request ${req.method ?? ''} ${path} failed`);
        if (!res.headersSent) json(res, 500, { error: String(err) });
        else res.end();
      });
      return;
    }
    if (path === '/' || path === '/index.html') return send(200, contentType('index.html'), page);
    if (path === '/preview-bridge.js')
      return send(200, contentType('preview-bridge.js'), PREVIEW_BRIDGE_JS);
    if (path === '/controls') return send(200, contentType('index.html'), CONTROLS_HTML);
    serveStaticFile(rendererDir, req, res);
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
  });
  const host = o.host ?? '127.0.0.1';
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(o.port ?? 0, host, ok);
  });
  const { port } = server.address() as AddressInfo;
  const origin = host === '::1' ? `http://[::1]:${port}` : `http://127.0.0.1:${port}`;
  allowedOrigins.add(origin);
  allowedOrigins.add(`http://localhost:${port}`);
  return {
    url: `${origin}/`,
    controlsUrl: `${origin}/controls#token=${token}`,
    token,
    close: async () => {
      for (const s of streams) s.end();
      await session.dispose();
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}

/** Why a request comes from somewhere other than this preview's own pages, if it does. */
function foreignRequest(req: IncomingMessage, origins: ReadonlySet<string>): string | undefined {
  const host = req.headers.host;
  if (!host || !origins.has(`http://${host.toLowerCase()}`)) {
    return `The preview answers only at its own address, not at host ${host ?? '(none)'}.`;
  }
  const origin = req.headers.origin;
  if (origin !== undefined && !origins.has(origin.toLowerCase())) {
    return `The preview does not take requests from pages at ${origin}.`;
  }
  if (req.headers['sec-fetch-site'] === 'cross-site') {
    return 'The preview does not take requests from other sites.';
  }
  return undefined;
}

function tokenMatches(req: IncomingMessage, token: string): boolean {
  const given = Buffer.from(String(req.headers['x-classlock-token'] ?? ''));
  const wanted = Buffer.from(token);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res
    .writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' })
    .end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('request too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
