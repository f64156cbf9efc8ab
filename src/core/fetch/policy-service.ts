import { createHash, type KeyObject } from 'node:crypto';
import type { AuditSink } from '../audit/audit-log';
import type { Clock } from '../clock';
import {
  DEFAULT_MAX_POLICY_BYTES,
  verifyBundle,
  type TrustedKeys,
  type VerifiedBundle,
} from '../policy/bundle';
import type { Policy } from '../policy/schema';
import { writeFileAtomic } from '../storage/atomic-file';
import { readSafeFile } from '../storage/safe-file';
import { fetchSource } from './fetch-source';
import type { FetchOutcome, HttpFetch, Validators } from './fetch-types';

export type PolicyOrigin = 'cache' | 'fetched' | 'default';

export interface PolicyMeta {
  origin: PolicyOrigin;
  /** The source it came from: a URL or path, "cache" or "default". */
  source: string;
  serial: number;
  keyId: string | null;
  /** The policy's issuedAt, epoch ms. */
  issuedAt: number;
  /** The signed expiry, epoch ms; null when the policy carries none. */
  expires?: number | null;
}

export interface TrustedTimeObserver {
  observe(epochMs: number, source: string): void;
}

export interface PolicyServiceOptions {
  sources: readonly string[];
  /** How http(s) sources are fetched: Electron's net.fetch in the app; undici otherwise. */
  httpFetch?: HttpFetch;
  trustedKeys: TrustedKeys | Readonly<Record<string, KeyObject | string>>;
  /** The last good bundle, exactly as received: this session's own copy. */
  cachePath: string;
  /**
   * Copies other sessions on this PC keep, read at start alongside our own; the verified
   * one with the highest serial goes in force. Each session can rewrite only its own copy,
   * so nobody rolls the PC back to an older policy (one without their sanction) by
   * replacing or deleting a shared file.
   */
  otherCaches?: () => Promise<string[]>;
  pollSeconds: number;
  maxBytes?: number;
  audit: AuditSink;
  clock: Clock;
  trustedTime?: TrustedTimeObserver;
  /** Called with every policy put in force: the cached one at start, then each new one. */
  onPolicy(policy: Policy, meta: PolicyMeta): void | Promise<void>;
  /** The policy shipped with the app, used when no verified bundle is available. */
  defaultPolicy?: Policy | (() => Promise<Policy>);
  connectTimeoutMs?: number;
  totalTimeoutMs?: number;
  /** Time zone for the times in status(); default: the machine's. */
  statusTimeZone?: string;
  /**
   * The highest serial this machine has enforced, kept apart from the cache (the service
   * passes SeenSanctions.serialFloor): no bundle below it goes in force, even from the cache.
   */
  serialFloor?: () => number | undefined | Promise<number | undefined>;
  /** The uid that must own cachePath; default this process's (root for the service). */
  cacheOwner?: number | null;
  /** The time expiry is judged by (the trusted floor); default clock.now. */
  trustedNow?: () => number;
}

export interface PolicyStatus {
  policy: PolicyMeta | null;
  lastCheck: { at: number; ok: boolean; message?: string } | null;
  /** The policy in force is past its signed expiry: still obeyed, reported. */
  stale: boolean;
  /** Why it is stale, in words for IT (absent when not stale). */
  staleReason?: string;
}

interface InForce {
  policy: Policy;
  meta: PolicyMeta;
  bytes: Uint8Array | null;
}

function sameBytes(a: Uint8Array | null, b: Uint8Array): boolean {
  return a !== null && Buffer.from(a).equals(Buffer.from(b));
}

/**
 * Keeps the terminal's policy: the verified bundle on disk at start, then a poll of the
 * configured sources. A bundle is obeyed only if it verifies; anything else leaves the
 * last good policy in force (so a broken or hostile server can never lift a sanction) and
 * is audited with its reason and shown in status().
 */
export class PolicyService {
  private readonly trusted: TrustedKeys;
  private readonly maxBytes: number;
  private current: InForce | null = null;
  private validators = new Map<string, Validators>();
  private lastCheck: PolicyStatus['lastCheck'] = null;
  private lastAuditedFailure: string | undefined;
  private inFlight: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private staleAudited = false;

  constructor(private readonly opts: PolicyServiceOptions) {
    this.trusted =
      opts.trustedKeys instanceof Map
        ? opts.trustedKeys
        : new Map(Object.entries(opts.trustedKeys as Record<string, KeyObject | string>));
    this.maxBytes = opts.maxBytes ?? DEFAULT_MAX_POLICY_BYTES;
  }

  /** Put the cached bundle (re-verified) or the default policy in force, then start polling. */
  async start(): Promise<void> {
    await this.loadCache();
    await this.noteStale();
    this.running = true;
    this.schedule(0);
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /**
   * Check the sources now. Never throws. A check already under way may have fetched before
   * the caller's reason to ask (a policy published a moment ago), so a call made during one
   * queues exactly one more check after it, shared by every caller who asks meanwhile.
   */
  checkNow(): Promise<void> {
    if (!this.inFlight) return this.begin();
    this.queued ??= this.inFlight.then(() => {
      this.queued = undefined;
      return this.checkNow();
    });
    return this.queued;
  }

  private begin(): Promise<void> {
    this.inFlight = this.check()
      .catch(async (err: unknown) => {
        await this.recordFailure(`internal error while checking: ${(err as Error).message}`, [
          { source: '-', code: 'internal', message: String(err) },
        ]);
      })
      .then(() => this.noteStale())
      .finally(() => {
        this.inFlight = undefined;
        if (this.running) this.schedule(this.opts.pollSeconds * 1000);
      });
    return this.inFlight;
  }

  policy(): Policy | null {
    return this.current?.policy ?? null;
  }

  /** The signed bundle in force, exactly as published, or undefined for the built-in default. */
  currentBundleText(): string | undefined {
    const bytes = this.current?.bytes;
    return bytes ? Buffer.from(bytes).toString('utf8') : undefined;
  }

  snapshot(): PolicyStatus {
    const staleReason = this.staleReason();
    return {
      policy: this.current?.meta ?? null,
      lastCheck: this.lastCheck,
      stale: staleReason !== undefined,
      ...(staleReason ? { staleReason } : {}),
    };
  }

  /** Past its signed expiry, judged by trusted time. */
  isStale(): boolean {
    return this.staleReason() !== undefined;
  }

  private trustedNow(): number {
    return this.opts.trustedNow?.() ?? this.opts.clock.now();
  }

  private staleReason(): string | undefined {
    const m = this.current?.meta;
    if (!m || m.expires == null || this.trustedNow() < m.expires) return undefined;
    return `policy ${m.serial} expired ${this.when(m.expires)} and no newer signed policy has arrived; it is still enforced, nothing is lifted`;
  }

  /** Audit the moment the policy in force goes stale, once per policy. */
  private async noteStale(): Promise<void> {
    const reason = this.staleReason();
    if (!reason) {
      this.staleAudited = false;
      return;
    }
    if (this.staleAudited) return;
    this.staleAudited = true;
    await this.safeAudit({
      event: 'policy.stale',
      serial: this.current?.meta.serial ?? null,
      expires: new Date(this.current!.meta.expires!).toISOString(),
      reason,
    });
  }

  /** One line for the tray: "Policy 42 from 12:03; last check 12:05 failed: …". */
  status(): string {
    const m = this.current?.meta;
    const head = !m
      ? 'No policy in force'
      : m.origin === 'default'
        ? 'Built-in default policy (no signed policy received yet)'
        : `Policy ${m.serial} from ${this.when(m.issuedAt)}`;
    const stale = this.staleReason() ? ' (STALE: past its expiry, still enforced)' : '';
    const c = this.lastCheck;
    if (!c) return `${head}${stale}; not checked yet`;
    return `${head}${stale}; last check ${this.when(c.at)} ${c.ok ? 'ok' : `failed: ${c.message ?? ''}`}`;
  }

  private when(t: number): string {
    const tz = this.opts.statusTimeZone;
    const time = new Intl.DateTimeFormat('en-GB', {
      hour: '2-digit',
      minute: '2-digit',
      timeZone: tz,
    }).format(t);
    const day = (x: number) =>
      new Intl.DateTimeFormat('en-GB', {
        day: 'numeric',
        month: 'short',
        year: 'numeric',
        timeZone: tz,
      }).format(x);
    const d = day(t);
    return d === day(this.opts.clock.now()) ? time : `${d} ${time}`;
  }

  private schedule(delayMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    // ±10 % so thousands of terminals switched on together do not poll in lock-step.
    const jitter = delayMs === 0 ? 0 : delayMs * 0.1 * (Math.random() * 2 - 1);
    // A poll that falls due during a check asked for by someone else is already satisfied.
    this.timer = setTimeout(() => void (this.inFlight ?? this.begin()), delayMs + jitter);
    this.timer.unref();
  }

  private async loadCache(): Promise<void> {
    const others = await (this.opts.otherCaches?.() ?? Promise.resolve([])).catch(() => []);
    const paths = [...new Set([this.opts.cachePath, ...others])];
    let best: { v: VerifiedBundle; bytes: Uint8Array; path: string } | undefined;
    // Most copies on a busy PC are the same bundle: verify each distinct one once.
    const seen = new Set<string>();
    const minSerial = await this.minSerial();
    for (const path of paths) {
      const bytes = await this.readCache(path, path === this.opts.cachePath);
      if (!bytes) continue;
      const digest = createHash('sha256').update(bytes).digest('hex');
      if (seen.has(digest)) continue;
      seen.add(digest);
      const v = verifyBundle(bytes, this.trusted, {
        maxBytes: this.maxBytes,
        ...(minSerial !== undefined ? { minSerial } : {}),
      });
      if (!v.ok) {
        // Someone edited a saved copy, or the key it was signed with is no longer trusted.
        await this.safeAudit({
          event: 'policy.rejected',
          source: 'cache',
          code: v.code,
          reason: `the saved policy ${path} was refused: ${v.message}`,
        });
        continue;
      }
      if (best && v.serial === best.v.serial) {
        // Two different bundles signed with one serial: someone is showing terminals
        // different policies under the same number. Keep the first (our own copy).
        await this.safeAudit({
          event: 'policy.rejected',
          source: 'cache',
          code: 'equivocation',
          reason: `equivocation: the saved policy ${path} has serial ${v.serial}, like ${best.path}, but different contents; it is refused`,
        });
        continue;
      }
      if (!best || v.serial > best.v.serial) best = { v, bytes, path };
    }
    if (!best) return this.useDefault();
    const { v, bytes } = best;
    // Keep a copy of our own too, so the newest survives whichever session's copy goes.
    if (best.path !== this.opts.cachePath) {
      await writeFileAtomic(this.opts.cachePath, bytes, 0o644).catch(() => undefined);
    }
    this.observeTime(v.issuedAt, 'cached policy issuedAt');
    await this.putInForce(
      v.policy,
      {
        origin: 'cache',
        source: 'cache',
        serial: v.serial,
        keyId: v.keyId,
        issuedAt: v.issuedAt,
        expires: expiresOf(v.policy),
      },
      bytes,
    );
  }

  /** A saved copy's bytes; undefined (and audited, unless simply absent) when unreadable. */
  private async readCache(path: string, own: boolean): Promise<Uint8Array | undefined> {
    try {
      // No links, no FIFOs, no giant, nothing others could write; our own copy must also
      // be ours (another session's copy belongs to its user; its signature is what counts).
      const bytes = await readSafeFile(path, {
        maxBytes: this.maxBytes,
        ...(own
          ? this.opts.cacheOwner !== undefined
            ? { owner: this.opts.cacheOwner }
            : {}
          : { owner: null }),
      });
      return bytes === undefined ? undefined : new Uint8Array(bytes);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        await this.safeAudit({
          event: 'policy.rejected',
          source: 'cache',
          code: 'read',
          reason: `the saved policy ${path} cannot be read: ${(err as Error).message}`,
        });
      }
      return undefined;
    }
  }

  private async useDefault(): Promise<void> {
    const d = this.opts.defaultPolicy;
    if (!d) return;
    const policy = typeof d === 'function' ? await d() : d;
    await this.putInForce(
      policy,
      {
        origin: 'default',
        source: 'default',
        serial: policy.serial,
        keyId: null,
        issuedAt: Date.parse(policy.issuedAt),
        expires: expiresOf(policy),
      },
      null,
    );
  }

  /**
   * The lowest serial that may go in force: the one in force, and the highest this machine
   * has ever enforced (so deleting the cache does not let an older bundle back in).
   */
  private async minSerial(): Promise<number | undefined> {
    const m = this.current?.meta;
    const inForce = m && m.origin !== 'default' ? m.serial : undefined;
    const floor = await Promise.resolve(this.opts.serialFloor?.()).catch(() => undefined);
    const known = [inForce, floor].filter((x): x is number => typeof x === 'number');
    return known.length ? Math.max(...known) : undefined;
  }

  private async check(): Promise<void> {
    const failures: { source: string; code: string; message: string }[] = [];
    for (const source of this.opts.sources) {
      let outcome: FetchOutcome;
      try {
        outcome = await fetchSource(source, {
          validators: this.validators.get(source),
          maxBytes: this.maxBytes,
          connectTimeoutMs: this.opts.connectTimeoutMs ?? 5_000,
          totalTimeoutMs: this.opts.totalTimeoutMs ?? 20_000,
          ...(this.opts.httpFetch ? { fetch: this.opts.httpFetch } : {}),
        });
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        failures.push({
          source,
          code: typeof code === 'string' ? code : 'network',
          message: (err as Error).message,
        });
        continue;
      }
      if (outcome.kind === 'not-modified') {
        this.observeServerDate(outcome.serverDate, source);
        this.recordSuccess();
        return;
      }
      const v = verifyBundle(outcome.bytes, this.trusted, {
        maxBytes: this.maxBytes,
        minSerial: await this.minSerial(),
      });
      if (!v.ok) {
        failures.push({ source, code: v.code, message: v.message });
        continue;
      }
      const refusal = this.refusal(v, outcome.bytes);
      if (refusal) {
        failures.push({ source, ...refusal });
        continue;
      }
      this.observeTime(v.issuedAt, 'policy issuedAt');
      this.observeServerDate(outcome.serverDate, source);
      // Only the source that served the policy in force may answer "not modified".
      this.validators = new Map([[source, outcome.validators]]);
      if (!sameBytes(this.current?.bytes ?? null, outcome.bytes)) {
        try {
          await writeFileAtomic(this.opts.cachePath, outcome.bytes, 0o644);
        } catch (err) {
          await this.safeAudit({
            event: 'policy.cache-failed',
            reason: `the new policy could not be saved to ${this.opts.cachePath}: ${(err as Error).message}`,
          });
        }
        await this.safeAudit({ event: 'policy.applied', serial: v.serial, keyId: v.keyId, source });
        await this.putInForce(
          v.policy,
          {
            origin: 'fetched',
            source,
            serial: v.serial,
            keyId: v.keyId,
            issuedAt: v.issuedAt,
            expires: expiresOf(v.policy),
          },
          outcome.bytes,
        );
      }
      this.recordSuccess();
      return;
    }
    const several = this.opts.sources.length > 1;
    const message = failures.length
      ? failures.map((f) => (several ? `${f.source}: ${f.message}` : f.message)).join('; ')
      : 'no policy sources are configured';
    await this.recordFailure(message, failures);
  }

  /**
   * A verified bundle that must still not replace the one in force: the same serial with
   * different bytes (equivocation), or a newer one already past its expiry (a replay of
   * something IT has since replaced; TUF's freeze defence) while a signed one is in force.
   */
  private refusal(
    v: VerifiedBundle,
    bytes: Uint8Array,
  ): { code: string; message: string } | undefined {
    const cur = this.current;
    if (!cur || cur.meta.origin === 'default') return undefined;
    if (v.serial === cur.meta.serial && !sameBytes(cur.bytes, bytes)) {
      return {
        code: 'equivocation',
        message: `equivocation: a different policy was published under serial ${v.serial}, the serial in force; it is refused (IT: give every new policy a new serial)`,
      };
    }
    const expires = expiresOf(v.policy);
    if (v.serial > cur.meta.serial && expires !== null && this.trustedNow() >= expires) {
      return {
        code: 'expired',
        message: `the policy with serial ${v.serial} expired ${this.when(expires)}; the last good policy stays in force (IT: sign it again)`,
      };
    }
    return undefined;
  }

  private recordSuccess(): void {
    this.lastCheck = { at: this.opts.clock.now(), ok: true };
    this.lastAuditedFailure = undefined;
  }

  private async recordFailure(
    message: string,
    failures: { source: string; code: string; message: string }[],
  ): Promise<void> {
    this.lastCheck = { at: this.opts.clock.now(), ok: false, message };
    // A server down for a day would otherwise write 2,880 identical lines.
    if (message === this.lastAuditedFailure) return;
    this.lastAuditedFailure = message;
    await this.safeAudit({
      event: 'policy.rejected',
      reason: message,
      code: failures[0]?.code ?? 'none',
      source: failures[0]?.source ?? null,
      failures,
      serialInForce: this.current?.meta.serial ?? null,
    });
  }

  private async putInForce(
    policy: Policy,
    meta: PolicyMeta,
    bytes: Uint8Array | null,
  ): Promise<void> {
    this.current = { policy, meta, bytes };
    try {
      await this.opts.onPolicy(policy, meta);
    } catch (err) {
      await this.safeAudit({
        event: 'policy.apply-failed',
        serial: meta.serial,
        reason: (err as Error).message,
      });
    }
  }

  /**
   * A server's Date header moves the sanction clock forward, so only a server whose
   * identity TLS has proved may do it: on plain http anyone on the network could send a
   * Date next year and end every sanction early. The signed issuedAt is trusted anywhere.
   */
  private observeServerDate(date: number | undefined, source: string): void {
    if (date === undefined || !source.toLowerCase().startsWith('https://')) return;
    this.observeTime(date, `HTTP Date from ${source}`);
  }

  private observeTime(t: number, source: string): void {
    if (!Number.isFinite(t)) return;
    try {
      this.opts.trustedTime?.observe(t, source);
    } catch {
      // The time floor is advisory here; its owner reports its own problems.
    }
  }

  private async safeAudit(entry: { event: string; [k: string]: unknown }): Promise<void> {
    try {
      await this.opts.audit.append(entry);
    } catch {
      // An audit disk failure must not stop the terminal obeying its policy.
    }
  }
}

function expiresOf(policy: Policy): number | null {
  return policy.expires === undefined ? null : Date.parse(policy.expires);
}
