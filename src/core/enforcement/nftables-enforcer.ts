import { lookup as dnsLookup } from 'node:dns/promises';
import { createConnection } from 'node:net';
import { resolveAllowList, type HostLookup } from './allow-list';
import type {
  ApplyOptions,
  CommandRunner,
  EnforcementTarget,
  RestrictionEnforcer,
} from './enforcer';
import { ProcessRunner } from './enforcer';
import { nftRuleset, NFT_TABLE, type UidAllow } from './nft-ruleset';
import { NETD_MAX_LINE, NetdResponseSchema, type NetdRequest } from './netd-protocol';

export const DEFAULT_NETD_SOCKET = '/run/classlock/netd.sock';

const systemLookup: HostLookup = (host) => dnsLookup(host, { all: true, verbatim: true });

function uidOf(target: EnforcementTarget): number {
  if (target.uid === undefined) {
    throw new Error(
      `No Linux user id for ${target.account}: the firewall rules need one to match the user's traffic.`,
    );
  }
  return target.uid;
}

/**
 * Runs `nft` itself: for the privileged helper (root) and for tests inside a network
 * namespace (give it a runner that prefixes `ip netns exec NS`). It keeps every restricted
 * uid and rewrites the whole table on each change, so rules for one user never disturb
 * another's and nothing half-applied can remain.
 */
export class DirectNftablesEnforcer implements RestrictionEnforcer {
  private readonly uids = new Map<number, UidAllow>();
  private warnings: string[] = [];

  constructor(
    private readonly runner: CommandRunner = new ProcessRunner(),
    private readonly lookup: HostLookup = systemLookup,
  ) {}

  async apply(target: EnforcementTarget, allowList: string[]): Promise<void> {
    const uid = uidOf(target);
    const resolved = await resolveAllowList(allowList, this.lookup);
    this.warnings = resolved.unresolved;
    const next = new Map(this.uids);
    next.set(uid, { v4: resolved.v4, v6: resolved.v6 });
    await this.load(next);
  }

  async lift(target: EnforcementTarget): Promise<void> {
    const uid = uidOf(target);
    const next = new Map(this.uids);
    next.delete(uid);
    await this.load(next);
  }

  async clearLeftovers(): Promise<void> {
    await this.load(new Map());
  }

  /** The uids currently restricted by this enforcer. */
  restricted(): number[] {
    return [...this.uids.keys()];
  }

  /** Allow-list entries the last apply could not turn into addresses. */
  lastWarnings(): string[] {
    return [...this.warnings];
  }

  describe(): string {
    const extra = this.warnings.length ? `; not allowed: ${this.warnings.join('; ')}` : '';
    return `nftables table inet ${NFT_TABLE}, ${this.uids.size} user(s) restricted${extra}`;
  }

  private async load(next: Map<number, UidAllow>): Promise<void> {
    const res = await this.runner.run('nft', ['-f', '-'], nftRuleset(next));
    if (res.code !== 0) {
      throw new Error(
        `nftables refused Classlock's rules (nft exit ${res.code}): ${res.stderr.trim() || res.stdout.trim()}`,
      );
    }
    this.uids.clear();
    for (const [k, v] of next) this.uids.set(k, v);
  }
}

export interface NftablesClientOptions {
  socketPath?: string;
  timeoutMs?: number;
  /**
   * The signed policy bundle in force, exactly as fetched (its text). Sent with every
   * apply and lift: the helper lifts early only on the proof of a signed policy that no
   * longer restricts the user, and learns from each apply which serial a restriction came
   * from so an older policy cannot be replayed against it.
   */
  currentBundle?: () => string | undefined;
}

/**
 * The desktop app's side on Linux: it never runs as root, so it asks the classlock-netd
 * helper over its unix socket.
 */
export class NftablesEnforcer implements RestrictionEnforcer {
  private readonly socketPath: string;
  private readonly timeoutMs: number;
  private readonly currentBundle: () => string | undefined;

  constructor(options: string | NftablesClientOptions = {}, timeoutMs?: number) {
    const o = typeof options === 'string' ? { socketPath: options } : options;
    this.socketPath = o.socketPath ?? DEFAULT_NETD_SOCKET;
    this.timeoutMs = timeoutMs ?? o.timeoutMs ?? 10_000;
    this.currentBundle = o.currentBundle ?? (() => undefined);
  }

  async apply(
    target: EnforcementTarget,
    allowList: string[],
    options: ApplyOptions = {},
  ): Promise<void> {
    await this.send(
      this.withBundle({
        op: 'apply',
        uid: uidOf(target),
        allow: allowList,
        until: options.until ?? null,
      }),
    );
  }

  async lift(target: EnforcementTarget): Promise<void> {
    await this.send(this.withBundle({ op: 'lift', uid: uidOf(target) }));
  }

  /** The helper clears the table itself when it starts; the app has nothing to clear. */
  async clearLeftovers(): Promise<void> {}

  describe(): string {
    return `nftables via the classlock-netd helper (${this.socketPath})`;
  }

  /**
   * Add the current policy when it fits in one request. Without it an apply still
   * restricts, and a lift is judged by the helper's own rules (ended, or logged off).
   */
  private withBundle(req: NetdRequest): NetdRequest {
    if (req.op === 'clear') return req;
    const bundle = this.currentBundle();
    if (bundle === undefined || bundle === '') return req;
    const withIt = { ...req, bundle };
    return JSON.stringify(withIt).length < NETD_MAX_LINE ? withIt : req;
  }

  private send(req: NetdRequest): Promise<void> {
    return new Promise((resolve, reject) => {
      const sock = createConnection(this.socketPath);
      let buf = '';
      let settled = false;
      const finish = (err?: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        sock.destroy();
        if (err) reject(err);
        else resolve();
      };
      const timer = setTimeout(
        () =>
          finish(
            new Error(
              `The Classlock network helper did not answer within ${this.timeoutMs / 1000} s (${this.socketPath}).`,
            ),
          ),
        this.timeoutMs,
      );
      sock.setEncoding('utf8');
      sock.on('connect', () => sock.write(`${JSON.stringify(req)}\n`));
      sock.on('data', (d: string) => {
        buf += d;
        const nl = buf.indexOf('\n');
        if (nl < 0) return;
        const parsed = NetdResponseSchema.safeParse(safeJson(buf.slice(0, nl)));
        if (!parsed.success)
          finish(
            new Error('The Classlock network helper gave an answer Classlock does not understand.'),
          );
        else if (parsed.data.ok) finish();
        else finish(new Error(`The Classlock network helper refused: ${parsed.data.error}`));
      });
      sock.on('error', (err: NodeJS.ErrnoException) => {
        const why =
          err.code === 'ENOENT' || err.code === 'ECONNREFUSED'
            ? `it is not running (no socket at ${this.socketPath}); run: systemctl enable --now classlock-netd.service`
            : err.code === 'EACCES'
              ? `this user may not use ${this.socketPath}; check the group in classlock-netd.service`
              : err.message;
        finish(new Error(`Could not reach the Classlock network helper: ${why}`));
      });
      sock.on('end', () =>
        finish(new Error('The Classlock network helper closed the connection without answering.')),
      );
    });
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
