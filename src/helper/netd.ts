import { chmod, chown, readdir, stat, unlink } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import type { DirectNftablesEnforcer } from '../core/enforcement/nftables-enforcer';
import {
  NETD_MAX_LINE,
  NetdRequestSchema,
  type NetdResponse,
} from '../core/enforcement/netd-protocol';

/**
 * classlock-netd: the small root helper that owns Classlock's nftables table on Linux.
 *
 * Who may ask what. Node cannot read SO_PEERCRED, and even if it could it would not help:
 * the Classlock session runs as the pupil, so a request from Classlock and one from a
 * program the pupil wrote look the same. The helper therefore trusts no caller with a
 * decision that frees anyone:
 *  - `apply` restricts a uid of a person (≥ minUid, never root or a system account). The
 *    restriction is remembered with its end; a later apply can extend it, never shorten it.
 *  - `lift` is honoured only when the restriction has ended by the helper's own clock
 *    (the system clock, which only root can set) or when the uid has no process left
 *    (the user logged off). An early lift by IT therefore takes effect at logoff.
 *  - `clear` lifts exactly what `lift` would: everything ended or logged off.
 * The worst a local user can do is restrict another logged-in user's internet until that
 * user logs off; on a single-seat terminal there is nobody else.
 * At start (and at stop) the helper removes the whole table: rules with no helper to lift
 * them would outlive the session.
 */
export interface NetdOptions {
  socketPath: string;
  enforcer: DirectNftablesEnforcer;
  /** Lowest uid the helper restricts (Debian's UID_MIN). */
  minUid?: number;
  /** The helper's clock (epoch ms). */
  now?: () => number;
  uidHasProcesses?: (uid: number) => Promise<boolean>;
  /** Group that may use the socket (e.g. users), and the socket's mode. */
  socketGid?: number;
  socketMode?: number;
  /** How often restrictions that have ended or whose user logged off are removed. */
  sweepMs?: number;
  log?: (line: string) => void;
}

export interface Netd {
  readonly socketPath: string;
  /** Lift what has ended or logged off; returns how many were lifted. */
  sweep(): Promise<number>;
  close(): Promise<void>;
}

interface Held {
  until: number | null;
}

/** Does any process of this uid still run? (/proc/<pid> is owned by the process's uid.) */
export async function uidHasProcesses(uid: number): Promise<boolean> {
  const entries = await readdir('/proc');
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      if ((await stat(`/proc/${e}`)).uid === uid) return true;
    } catch {
      // The process ended while we looked.
    }
  }
  return false;
}

export async function startNetd(opts: NetdOptions): Promise<Netd> {
  const minUid = opts.minUid ?? 1000;
  const now = opts.now ?? Date.now;
  const hasProcesses = opts.uidHasProcesses ?? uidHasProcesses;
  const log = opts.log ?? ((line: string) => console.log(line));
  const held = new Map<number, Held>();
  const enforcer = opts.enforcer;

  // One change at a time: the table is rewritten as a whole on each.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = queue.then(fn);
    queue = next.catch(() => undefined);
    return next;
  };

  async function mayLift(uid: number, h: Held): Promise<string | undefined> {
    if (h.until !== null && now() >= h.until) return undefined;
    if (!(await hasProcesses(uid))) return undefined;
    return h.until === null
      ? `uid ${uid} is restricted until staff lift it; the helper removes the rules when the user logs off`
      : `uid ${uid} is restricted until ${new Date(h.until).toISOString()} by this computer's clock; the helper removes the rules then or when the user logs off`;
  }

  async function sweepNow(): Promise<number> {
    let lifted = 0;
    for (const [uid, h] of [...held]) {
      if ((await mayLift(uid, h)) === undefined) {
        await enforcer.lift({ account: `uid ${uid}`, uid });
        held.delete(uid);
        lifted++;
        log(`lifted uid ${uid} (ended or logged off)`);
      }
    }
    return lifted;
  }

  async function handle(line: string): Promise<NetdResponse> {
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      return { ok: false, error: 'the request is not JSON' };
    }
    const parsed = NetdRequestSchema.safeParse(json);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      const where = first?.path.length ? `${first.path.join('.')}: ` : '';
      return {
        ok: false,
        error: `the request is not one classlock-netd accepts (${where}${first?.message ?? 'invalid'})`,
      };
    }
    const req = parsed.data;
    if (req.op === 'clear') {
      await sweepNow();
      return { ok: true };
    }
    if (req.uid < minUid) {
      return {
        ok: false,
        error: `uid ${req.uid} is ${req.uid === 0 ? 'root' : 'a system account'}; Classlock restricts only user accounts (uid ${minUid} and above)`,
      };
    }
    if (req.op === 'apply') {
      const before = held.get(req.uid);
      const until =
        before === undefined
          ? req.until
          : before.until === null || req.until === null
            ? null
            : Math.max(before.until, req.until);
      await enforcer.apply({ account: `uid ${req.uid}`, uid: req.uid }, req.allow);
      held.set(req.uid, { until });
      const unresolved = enforcer.lastWarnings();
      log(
        `applied uid ${req.uid} (${req.allow.length} allow-list entries, until ${until === null ? 'lifted' : new Date(until).toISOString()})`,
      );
      return unresolved.length ? { ok: true, unresolved } : { ok: true };
    }
    const h = held.get(req.uid);
    if (!h) return { ok: true };
    const refusal = await mayLift(req.uid, h);
    if (refusal) {
      log(`refused lift of uid ${req.uid}`);
      return { ok: false, error: refusal };
    }
    await enforcer.lift({ account: `uid ${req.uid}`, uid: req.uid });
    held.delete(req.uid);
    log(`lifted uid ${req.uid}`);
    return { ok: true };
  }

  const open = new Set<Socket>();
  function onConnection(sock: Socket): void {
    let buf = '';
    open.add(sock);
    sock.on('close', () => open.delete(sock));
    sock.setEncoding('utf8');
    sock.setTimeout(10_000, () => sock.destroy());
    sock.on('error', () => undefined);
    sock.on('data', (chunk: string) => {
      buf += chunk;
      if (buf.length > NETD_MAX_LINE && !buf.includes('\n')) {
        sock.end(`${JSON.stringify({ ok: false, error: 'the request is too long' })}\n`);
        sock.destroy();
        return;
      }
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        void serial(() => handle(line))
          .catch((err: unknown): NetdResponse => ({
            ok: false,
            error: err instanceof Error ? err.message : String(err),
          }))
          .then((res) => {
            if (!sock.destroyed) sock.write(`${JSON.stringify(res)}\n`);
          });
      }
    });
  }

  await enforcer.clearLeftovers();
  await unlink(opts.socketPath).catch(() => undefined);
  const server: Server = createServer(onConnection);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });
  await chmod(opts.socketPath, opts.socketMode ?? 0o660);
  if (opts.socketGid !== undefined) await chown(opts.socketPath, 0, opts.socketGid);

  const timer = setInterval(() => {
    void serial(sweepNow).catch((err: unknown) => log(`sweep failed: ${String(err)}`));
  }, opts.sweepMs ?? 30_000);
  timer.unref();

  return {
    socketPath: opts.socketPath,
    sweep: () => serial(sweepNow),
    async close() {
      clearInterval(timer);
      for (const s of open) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await serial(() => enforcer.clearLeftovers());
      held.clear();
    },
  };
}
