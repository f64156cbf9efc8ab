import { chmod, chown, readdir, stat, unlink } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { ProcessRunner, type CommandRunner } from '../core/enforcement/enforcer';
import type { DirectNftablesEnforcer } from '../core/enforcement/nftables-enforcer';
import {
  NETD_MAX_LINE,
  NetdRequestSchema,
  type NetdResponse,
} from '../core/enforcement/netd-protocol';
import type { TrustedKeys } from '../core/policy/bundle';
import { AcceptedSerial } from './accepted-serial';
import { acceptBundle, internetRestriction, userNameOf } from './signed-lift';

/**
 * classlock-netd: the small root helper that owns Classlock's nftables table on Linux.
 *
 * Who may ask what. Node cannot read SO_PEERCRED, and even if it could it would not help:
 * the Classlock session runs as the pupil, so a request from Classlock and one from a
 * program the pupil wrote look the same. The helper therefore trusts no caller with a
 * decision that frees anyone:
 *  - `apply` restricts a uid of a person (≥ minUid, never root or a system account). The
 *    restriction is remembered with its end; a later apply can extend it, never shorten it.
 *  - `lift` is honoured when the restriction has ended by the helper's own clock (the
 *    system clock, which only root can set), when the uid has no process left (the user
 *    logged off), or when it carries a signed policy that proves IT lifted it early: signed
 *    by a key the machine config trusts, not older than any policy the helper has seen
 *    (the highest serial is kept on disk), and no longer withdrawing that user's internet.
 *    The proof is in the signature, so it does not matter who sends it.
 *  - `clear` lifts what has ended or logged off.
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
  /**
   * Public keys allowed to sign the policy (the machine config's trustedKeys). A function
   * is asked each time, so a key IT adds or withdraws counts without a restart. None: no
   * early lift is possible.
   */
  trustedKeys?: TrustedKeys | (() => Promise<TrustedKeys>);
  /** Folder for the highest policy serial seen; without it the serial is kept in memory. */
  stateDir?: string;
  /** Runs `id -nu UID` to name the user a signed policy is read for. */
  runner?: CommandRunner;
}

/** The file in the state folder that keeps the highest accepted policy serial. */
export const ACCEPTED_SERIAL_FILE = 'accepted-serial.json';

export interface Netd {
  readonly socketPath: string;
  /** Lift what has ended or logged off; returns how many were lifted. */
  sweep(): Promise<number>;
  close(): Promise<void>;
}

interface Held {
  until: number | null;
  /** Helper clock at the latest apply. */
  appliedAt: number;
  /**
   * Whether an apply carried a verified policy, so the serial floor is at least the one
   * the restriction came from. Otherwise a lift's policy must be issued after appliedAt.
   */
  serialKnown: boolean;
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
  const runner = opts.runner ?? new ProcessRunner();
  const keysOption = opts.trustedKeys;
  const trustedKeys = async (): Promise<TrustedKeys> =>
    typeof keysOption === 'function' ? keysOption() : (keysOption ?? new Map());
  const serials = await AcceptedSerial.open(
    opts.stateDir === undefined ? undefined : join(opts.stateDir, ACCEPTED_SERIAL_FILE),
    log,
  );

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

  /** Does the signed policy prove IT lifted this restriction early? A reason if not. */
  async function signedLiftRefusal(
    uid: number,
    h: Held,
    bundle: string,
  ): Promise<string | undefined> {
    const checked = await acceptBundle(bundle, await trustedKeys(), serials);
    if (!checked.ok)
      return `the signed policy sent with the lift was not accepted: ${checked.message}`;
    const { policy, serial, issuedAt } = checked;
    if (!h.serialKnown && issuedAt < h.appliedAt) {
      return `the signed policy (serial ${serial}) was issued at ${new Date(issuedAt).toISOString()}, before uid ${uid} was restricted (${new Date(h.appliedAt).toISOString()}), so it cannot show a later lift`;
    }
    const userName = await userNameOf(uid, runner);
    if (userName === undefined) {
      return `uid ${uid} has no user name on this computer (id -nu ${uid} failed), so the signed policy cannot be read for it`;
    }
    const still = internetRestriction(policy, userName, Math.max(now(), issuedAt));
    if (still === null) return undefined;
    const until =
      still.until === null ? 'a member of staff lifts it' : new Date(still.until).toISOString();
    return `the signed policy (serial ${serial}) still withdraws internet access for ${userName} until ${until} (sanction ${still.sanctionIds.join(', ')})`;
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
      // Restricting needs no proof; a policy sent along only raises the serial floor. Each
      // apply may come from a newer sanction, so what is known is what this apply brought.
      let serialKnown = false;
      if (req.bundle !== undefined) {
        const checked = await acceptBundle(req.bundle, await trustedKeys(), serials);
        if (checked.ok) serialKnown = true;
        else
          log(
            `apply of uid ${req.uid}: the policy sent along was not accepted: ${checked.message}`,
          );
      }
      await enforcer.apply({ account: `uid ${req.uid}`, uid: req.uid }, req.allow);
      held.set(req.uid, { until, appliedAt: now(), serialKnown });
      const unresolved = enforcer.lastWarnings();
      log(
        `applied uid ${req.uid} (${req.allow.length} allow-list entries, until ${until === null ? 'lifted' : new Date(until).toISOString()})`,
      );
      return unresolved.length ? { ok: true, unresolved } : { ok: true };
    }
    const h = held.get(req.uid);
    if (!h) return { ok: true };
    let refusal = await mayLift(req.uid, h);
    let how = '';
    if (refusal !== undefined && req.bundle !== undefined) {
      refusal = await signedLiftRefusal(req.uid, h, req.bundle);
      how = ` early: the signed policy (serial ${serials.highest}) no longer restricts it`;
    }
    if (refusal !== undefined) {
      log(`refused lift of uid ${req.uid}: ${refusal}`);
      return { ok: false, error: refusal };
    }
    await enforcer.lift({ account: `uid ${req.uid}`, uid: req.uid });
    held.delete(req.uid);
    log(`lifted uid ${req.uid}${how}`);
    return { ok: true };
  }

  const open = new Set<Socket>();
  function onConnection(sock: Socket): void {
    let buf = '';
    // Where the search for the end of the line resumes: a long line arrives in many pieces.
    let scanned = 0;
    open.add(sock);
    sock.on('close', () => open.delete(sock));
    sock.setEncoding('utf8');
    sock.setTimeout(10_000, () => sock.destroy());
    sock.on('error', () => undefined);
    sock.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n', scanned)) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        scanned = 0;
        void serial(() => handle(line))
          .catch((err: unknown): NetdResponse => ({
            ok: false,
            error: err instanceof Error ? err.message : String(err),
          }))
          .then((res) => {
            if (!sock.destroyed) sock.write(`${JSON.stringify(res)}\n`);
          });
      }
      scanned = buf.length;
      if (buf.length > NETD_MAX_LINE) {
        sock.end(`${JSON.stringify({ ok: false, error: 'the request is too long' })}\n`);
        sock.destroy();
      }
    });
  }

  await enforcer.clearLeftovers();
  await unlink(opts.socketPath).catch(() => undefined);
  const server: Server = createServer(onConnection);
  // Each connection may buffer a request with a whole policy in it: bound the total.
  server.maxConnections = 16;
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
