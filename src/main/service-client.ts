import { createConnection, type Socket } from 'node:net';
import type { Intent } from '../shared/intents';
import {
  DEFAULT_SERVICE_SOCKET,
  SERVICE_MAX_LINE,
  SERVICE_PROTOCOL,
  ServicePushSchema,
  ServiceResponseSchema,
  type ServiceRequest,
  type ServiceStatus,
  type ShellReportSchema,
} from '../shared/service-protocol';
import type { View } from '../shared/view';
import type { z } from 'zod';
import type { SessionPort } from './ipc/handlers';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type Request = DistributiveOmit<ServiceRequest, 'id'>;

export interface ServiceClientOptions {
  socketPath: string;
  clientVersion: string;
  /** The desktop's language, a preference the service may use. */
  locale?: string;
  /** Shown on the cover while the service cannot be reached. */
  account: string;
  /** Reconnect backoff: first wait, doubled up to the longest (default 250 ms … 5 s). */
  retryFirstMs?: number;
  retryMaxMs?: number;
  /** Longest wait for any answer (default 20 s: a directory bind may be slow). */
  requestTimeoutMs?: number;
  log?: (line: string) => void;
  now?: () => number;
}

/**
 * What the client shows while the machine service cannot be reached: a full lock cover
 * with no way past it. Fail safe for the next person: an open desktop with no service
 * behind it would have no sanctions, no idle lock and no agreements.
 */
export function serviceUnavailableView(account: string, since: number): View {
  return {
    screen: 'locked',
    locale: 'en-GB',
    user: { account, displayName: account.replace(/^.*\\/, ''), role: 'pupil' },
    since: new Date(since).toISOString(),
    rules: [],
    methods: [],
    failedAttempts: 0,
    message: { key: 'service.unavailable', params: {} },
    unlockBy: 'owner',
    canEndSession: false,
    reason: 'lockNow',
  };
}

interface Pending {
  resolve(view: View | undefined, status?: ServiceStatus): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * The session's client end of classlockd: connects (again and again, with backoff),
 * says hello, forwards what the desktop senses, and passes on the Views the service
 * pushes. It decides nothing: the renderer's IPC is answered from here exactly as it was
 * from the in-process session before, so the screens did not change.
 */
export class ServiceClient implements SessionPort {
  private socket: Socket | undefined;
  private connected = false;
  private current: View;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Set<(v: View) => void>();
  private readonly connListeners = new Set<(connected: boolean) => void>();
  private retryMs: number;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly now: () => number;

  constructor(private readonly o: ServiceClientOptions) {
    this.now = o.now ?? Date.now;
    this.current = serviceUnavailableView(o.account, this.now());
    this.retryMs = o.retryFirstMs ?? 250;
  }

  /** Start connecting; resolves once connected, or after the first failure (the cover is shown meanwhile). */
  start(): Promise<void> {
    return new Promise((resolve) => {
      const off = this.onConnection(() => {
        off();
        resolve();
      });
      this.connect(() => {
        off();
        resolve();
      });
    });
  }

  isConnected(): boolean {
    return this.connected;
  }

  view(): View {
    return this.current;
  }

  onView(listener: (v: View) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onConnection(listener: (connected: boolean) => void): () => void {
    this.connListeners.add(listener);
    return () => this.connListeners.delete(listener);
  }

  async intent(intent: Intent): Promise<View> {
    if (!this.connected) return this.current;
    return (await this.request({ type: 'intent', intent })) ?? this.current;
  }

  idle(seconds: number): Promise<void> {
    return this.fire({ type: 'idle', seconds });
  }
  suspend(): Promise<void> {
    return this.fire({ type: 'power', event: 'suspend' });
  }
  resume(): Promise<void> {
    return this.fire({ type: 'power', event: 'resume' });
  }
  osLocked(): Promise<void> {
    return this.fire({ type: 'power', event: 'osLocked' });
  }
  lockNow(): Promise<void> {
    return this.fire({ type: 'lockNow' });
  }
  hideScreen(): Promise<void> {
    return this.fire({ type: 'hideScreen' });
  }
  displaysChanged(): Promise<void> {
    return this.fire({ type: 'displaysChanged' });
  }
  report(report: z.infer<typeof ShellReportSchema>): Promise<void> {
    return this.fire({ type: 'shellReport', report });
  }

  async status(): Promise<ServiceStatus | undefined> {
    if (!this.connected) return undefined;
    let status: ServiceStatus | undefined;
    await this.send({ type: 'status' }, (_v, s) => (status = s));
    return status;
  }

  close(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.socket?.destroy();
  }

  /** Send and apply the View that comes back; errors are the caller's to log. */
  private async fire(req: Request): Promise<void> {
    if (!this.connected) return;
    await this.request(req);
  }

  private async request(req: Request): Promise<View | undefined> {
    const view = await this.send(req);
    if (view) this.show(view);
    return view;
  }

  private send(
    req: Request,
    onStatus?: (v: View | undefined, s: ServiceStatus | undefined) => void,
  ): Promise<View | undefined> {
    const socket = this.socket;
    if (!socket || socket.destroyed)
      return Promise.reject(new Error("Classlock's machine service is not connected"));
    const id = this.nextId++;
    const timeoutMs = this.o.requestTimeoutMs ?? 20_000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new Error(`Classlock's machine service did not answer within ${timeoutMs / 1000} s`),
        );
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (v, s) => {
          onStatus?.(v, s);
          resolve(v);
        },
        reject,
        timer,
      });
      socket.write(`${JSON.stringify({ id, ...req })}\n`);
    });
  }

  private show(view: View): void {
    if (JSON.stringify(view) === JSON.stringify(this.current)) return;
    this.current = view;
    for (const l of this.listeners) l(view);
  }

  private setConnected(on: boolean): void {
    if (this.connected === on) return;
    this.connected = on;
    if (!on) this.show(serviceUnavailableView(this.o.account, this.now()));
    for (const l of this.connListeners) l(on);
  }

  private connect(onFirstFailure?: () => void): void {
    if (this.stopped) return;
    const socket = createConnection(this.o.socketPath);
    this.socket = socket;
    let buf = '';
    socket.setEncoding('utf8');
    socket.on('connect', () => {
      const hello: Request = {
        type: 'hello',
        protocol: SERVICE_PROTOCOL,
        clientVersion: this.o.clientVersion,
        ...(this.o.locale ? { locale: this.o.locale } : {}),
      };
      this.send(hello).then(
        (view) => {
          this.retryMs = this.o.retryFirstMs ?? 250;
          if (view) this.show(view);
          this.setConnected(true);
        },
        (err: unknown) => {
          this.o.log?.(`The machine service refused this session: ${String(err)}`);
          socket.destroy();
        },
      );
    });
    socket.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        this.onLine(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
      }
      if (buf.length > SERVICE_MAX_LINE) socket.destroy();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (!this.connected)
        this.o.log?.(
          err.code === 'ENOENT' || err.code === 'ECONNREFUSED'
            ? `Classlock's machine service is not running (no socket at ${this.o.socketPath}); run: systemctl enable --now classlockd.service`
            : `Could not reach Classlock's machine service: ${err.message}`,
        );
    });
    socket.on('close', () => {
      for (const [id, p] of this.pending) {
        clearTimeout(p.timer);
        p.reject(new Error("Classlock's machine service went away"));
        this.pending.delete(id);
      }
      const wasConnected = this.connected;
      this.setConnected(false);
      if (!wasConnected) onFirstFailure?.();
      if (this.stopped) return;
      this.retryTimer = setTimeout(() => this.connect(), this.retryMs);
      this.retryTimer.unref?.();
      this.retryMs = Math.min(this.retryMs * 2, this.o.retryMaxMs ?? 5000);
    });
  }

  private onLine(line: string): void {
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      return;
    }
    const push = ServicePushSchema.safeParse(json);
    if (push.success) {
      if (push.data.push === 'view') this.show(push.data.view);
      return;
    }
    const res = ServiceResponseSchema.safeParse(json);
    if (!res.success) return;
    const p = this.pending.get(res.data.id);
    if (!p) return;
    this.pending.delete(res.data.id);
    clearTimeout(p.timer);
    if (res.data.ok) p.resolve(res.data.view, res.data.status);
    else p.reject(new Error(res.data.error));
  }
}

/** Where the service listens on this OS (the socket on Linux, the named pipe on Windows). */
export function serviceSocketPath(platform: NodeJS.Platform): string {
  return platform === 'win32' ? DEFAULT_SERVICE_SOCKET.win32 : DEFAULT_SERVICE_SOCKET.linux;
}
