import { chmod, lstat, mkdir, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createServer, type Server, type Socket } from 'node:net';
import {
  SERVICE_MAX_LINE,
  ServiceRequestSchema,
  type ServicePush,
  type ServiceRequest,
  type ServiceStatus,
} from '../shared/service-protocol';
import type { View } from '../shared/view';
import type { PeerIdentity } from './os/session-source';
import type { PeerIdentityProvider } from './peer-credentials';

/** What a request handler returns: the response without its id (the server adds it). */
export type Answer =
  { ok: true; view?: View; status?: ServiceStatus } | { ok: false; error: string };

/** One client connection, identified by the OS when it was accepted. */
export class ServiceConnection {
  /** Set by the handler once hello attached it to a session. */
  attached: unknown;
  private closed = false;

  constructor(
    readonly peer: PeerIdentity,
    private readonly socket: Socket,
  ) {}

  get isOpen(): boolean {
    return !this.closed && !this.socket.destroyed;
  }

  push(message: ServicePush): void {
    this.write(message);
  }

  write(message: object): void {
    if (this.isOpen) this.socket.write(`${JSON.stringify(message)}\n`);
  }

  close(): void {
    this.closed = true;
    this.socket.destroy();
  }
}

export interface ConnectionHandler {
  /** Every request; `hello` first. Throwing gives the client an error response. */
  handle(conn: ServiceConnection, req: ServiceRequest): Promise<Answer>;
  closed(conn: ServiceConnection): void;
}

export interface SocketServerOptions {
  path: string;
  /** 0666 on Linux: who connects is learnt from the kernel, not from the socket's rights. */
  mode?: number;
  peers: PeerIdentityProvider;
  handler: ConnectionHandler;
  /** Open connections one account may hold; more are refused (default 4). */
  maxPerUser?: number;
  /** A connection that has not said hello by then is closed (default 5 s). */
  helloTimeoutMs?: number;
  /** Longest any request may take before it is answered with an error (default 15 s). */
  requestTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface SocketServer {
  readonly path: string;
  /** Open connections per account key (uid or SID). */
  connections(): Map<string, number>;
  close(): Promise<void>;
}

const peerKey = (p: PeerIdentity): string =>
  p.sid ?? (p.uid !== undefined ? `uid ${p.uid}` : `pid ${p.pid}`);

/**
 * The service's end of the local socket: one JSON object per line. Bounded on every side
 * so no local user can starve it: connections per account, a deadline to say hello, a
 * deadline per request, a longest line. A socket file left by an earlier run is replaced;
 * anything else at that path (a planted file or link) is refused.
 */
export async function startSocketServer(o: SocketServerOptions): Promise<SocketServer> {
  const log = o.log ?? (() => undefined);
  const maxPerUser = o.maxPerUser ?? 4;
  const helloMs = o.helloTimeoutMs ?? 5000;
  const requestMs = o.requestTimeoutMs ?? 15_000;
  const perUser = new Map<string, number>();
  const open = new Set<Socket>();

  const onConnection = (socket: Socket): void => {
    socket.on('error', () => undefined);
    // Bytes that arrive meanwhile wait in the socket: nothing is read before we know who it is.
    Promise.resolve()
      .then(() => o.peers.identify(socket))
      .then(
        (peer) => accepted(socket, peer),
        (err: unknown) => {
          log(`Refused a connection: ${err instanceof Error ? err.message : String(err)}`);
          socket.destroy();
        },
      );
  };

  const accepted = (socket: Socket, peer: PeerIdentity): void => {
    if (socket.destroyed) return;
    const key = peerKey(peer);
    const count = perUser.get(key) ?? 0;
    if (count >= maxPerUser) {
      // Said, then closed: the reason reaches the client, the slot never opens.
      socket.end(
        `${JSON.stringify({ id: 0, ok: false, error: `too many connections from ${key} (at most ${maxPerUser})` })}\n`,
      );
      setTimeout(() => socket.destroy(), 1000).unref();
      return;
    }
    perUser.set(key, count + 1);
    open.add(socket);
    const conn = new ServiceConnection(peer, socket);
    let saidHello = false;
    const helloTimer = setTimeout(() => {
      if (!saidHello) socket.destroy();
    }, helloMs);
    socket.on('close', () => {
      clearTimeout(helloTimer);
      open.delete(socket);
      const n = (perUser.get(key) ?? 1) - 1;
      if (n <= 0) perUser.delete(key);
      else perUser.set(key, n);
      o.handler.closed(conn);
    });

    const answer = async (line: string): Promise<void> => {
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch {
        conn.write({ id: 0, ok: false, error: 'the request is not JSON' });
        return;
      }
      const parsed = ServiceRequestSchema.safeParse(json);
      if (!parsed.success) {
        const first = parsed.error.issues[0];
        const id = (json as { id?: unknown })?.id;
        conn.write({
          id: typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 ? id : 0,
          ok: false,
          error: `not a request classlockd accepts (${first?.path.join('.') || 'request'}: ${first?.message ?? 'invalid'})`,
        });
        return;
      }
      const req = parsed.data;
      if (req.type === 'hello') saidHello = true;
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<Answer>((resolve) => {
        timer = setTimeout(
          () =>
            resolve({
              ok: false,
              error: `the service did not finish within ${requestMs / 1000} s`,
            }),
          requestMs,
        );
      });
      const result = await Promise.race([
        o.handler.handle(conn, req).catch((err: unknown): Answer => ({
          ok: false,
          error: err instanceof Error ? err.message : String(err),
        })),
        deadline,
      ]);
      clearTimeout(timer);
      conn.write({ id: req.id, ...result });
    };

    let buf = '';
    let scanned = 0;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n', scanned)) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        scanned = 0;
        void answer(line);
      }
      scanned = buf.length;
      if (buf.length > SERVICE_MAX_LINE) {
        conn.write({ id: 0, ok: false, error: 'the request is too long' });
        socket.destroy();
      }
    });
  };

  await checkSocketFolder(dirname(o.path));
  await removeStaleSocket(o.path);
  const server: Server = createServer(onConnection);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.path, () => {
      server.off('error', reject);
      resolve();
    });
  });
  if (process.platform !== 'win32') await chmod(o.path, o.mode ?? 0o666);

  return {
    path: o.path,
    connections: () => new Map(perUser),
    close: async () => {
      for (const s of open) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * The client trusts whatever listens at the socket's path, so nobody else may be able to
 * put something there: the folder must be the service's own and closed to writes by others.
 */
async function checkSocketFolder(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  await mkdir(dir, { recursive: true, mode: 0o755 });
  const st = await lstat(dir);
  const me = process.getuid?.() ?? 0;
  if (!st.isDirectory() || st.uid !== me || (st.mode & 0o022) !== 0)
    throw new Error(
      `The socket folder ${dir} must be a folder of the service's own account that no one else can write to ` +
        `(it is ${st.isDirectory() ? `owned by user id ${st.uid}, mode ${(st.mode & 0o7777).toString(8)}` : 'not a folder'}). ` +
        `Another account could otherwise stand in for the service.`,
    );
}

async function removeStaleSocket(path: string): Promise<void> {
  if (process.platform === 'win32') return;
  const st = await lstat(path).catch(() => undefined);
  if (!st) return;
  if (!st.isSocket())
    throw new Error(
      `${path} exists and is not a socket. Something other than classlockd put it there; remove it and start the service again.`,
    );
  await unlink(path);
}
