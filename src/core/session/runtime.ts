import { silentLogger, type Logger } from '../log';
import { join } from 'node:path';
import type { Intent } from '../../shared/intents';
import type { View } from '../../shared/view';
import { AcceptanceStore } from '../agreements/acceptance-store';
import type { AcceptanceRecord } from '../agreements/due';
import { AuditLog, type AuditSink } from '../audit/audit-log';
import type { Clock } from '../clock';
import type { RestrictionEnforcer } from '../enforcement/enforcer';
import type { GroupSource } from '../identity/groups';
import { resolveRole } from '../identity/roles';
import { parseUser, type UserIdentity } from '../identity/user';
import type { Policy, UnlockMethod } from '../policy/schema';
import { sanctionStatus } from '../sanctions/evaluate';
import { OverrideVerifier } from '../unlock/override-verifier';
import { PinStore } from '../unlock/pin-store';
import { PinVerifier } from '../unlock/pin-verifier';
import type { SchoolRecords } from '../school/school-records';
import { hashSecret } from '../unlock/scrypt-hash';
import {
  NO_FAILURES,
  afterFailure,
  secondsToWait,
  ThrottleBook,
  throttleKey,
  type ThrottleState,
} from '../unlock/throttle';
import type { Verifier, VerifyResult } from '../unlock/verifier';
import {
  canEndSession,
  decide,
  initialState,
  unlockBy,
  unlockMethods,
  type Effect,
  type SessionEvent,
  type SessionState,
  type UnlockOutcome,
} from './controller';
import { deriveFacts } from './derive-facts';
import type { SessionFacts } from './facts';
import { viewOf } from './view-of';

/** What the session asks of the desktop it runs in. The Electron shell and the test harness each provide one. */
export interface SessionShell {
  /** A new View for every window; screen 'none' means hide the windows. */
  present(view: View): void;
  /** Lock the operating-system session (second line for staff). */
  lockOs(): Promise<void>;
  /** End the user's desktop session. */
  logoff(): Promise<void>;
  /** Internet withdrawn (allow list) or restored (null): the shell blocks its own web sessions too. */
  restrictOwnRequests?(allowList: string[] | null): void;
}

export interface SessionRuntimeOptions {
  clock: Clock;
  /** As the OS reports it: jsmith, SCHOOL\jsmith, jsmith@school.local. */
  account: string;
  groups: string[];
  hostname: string;
  machineId: string;
  /** From the machine config. */
  profileId?: string;
  /** Already verified. */
  policy: Policy;
  /** Machine-wide data folder: acceptances, PIN hashes, throttle, audit. */
  dataDir: string;
  shell: SessionShell;
  /**
   * The throttle records. The service passes one ThrottleBook in its root-only folder,
   * shared by every session it hosts; default: <dataDir>/throttle.
   */
  throttles?: ThrottleBook;
  /**
   * The IT override code's hash from the machine config (`overrideHash`): when set it wins
   * over the policy's, so the built-in fallback policy's unusable hash never matters.
   */
  overrideHash?: string;
  /** Default: an AuditLog at <dataDir>/audit.jsonl. */
  audit?: AuditSink;
  /** Where problems that stop nothing are reported (pino at the edge). */
  log?: Logger;
  /** Extra verifiers, e.g. LDAP; PIN and override are built in. */
  verifiers?: Verifier[];
  enforcer?: RestrictionEnforcer;
  /** Linux: the uid the packet filter matches. */
  uid?: number;
  /** Hosts that must stay reachable under an internet sanction whatever IT's list says: the policy server, the directory. */
  infrastructureHosts?: string[];
  /** Group memberships of another user (staff unlocking a pupil's session with the directory). */
  groupSource?: GroupSource;
  /** Time for sanction expiry (the trusted floor); default clock.now. */
  trustedNow?: () => number;
  /** The user's language (BCP 47, e.g. cy): the agreement's text and the screens' words. */
  locale?: string;
  /** The hide-the-screen key in words ("Ctrl+Alt+H"), shown to pupils where they look. */
  hideScreenShortcut?: string;
  /** The school's shared records (the hub): acceptances and PINs made on other PCs. */
  school?: SchoolRecords;
}

export interface RuntimeStatus {
  restriction?: 'internet' | 'network';
  enforcementError?: string;
}

/**
 * One desktop session: feeds events to the pure controller, performs its effects in order
 * (persisting before acknowledging), and publishes the View. Events are handled one at a
 * time so an unlock check and an idle tick can never interleave.
 */
export class SessionRuntime {
  private state!: SessionState;
  private policy: Policy;
  private readonly user: UserIdentity;
  private readonly acceptances: AcceptanceStore;
  private readonly pins: PinStore;
  private readonly pinVerifier: PinVerifier;
  private readonly throttles: ThrottleBook;
  private readonly audit: AuditSink;
  private readonly verifiers = new Map<UnlockMethod, Verifier>();
  private readonly listeners = new Set<(v: View) => void>();
  private readonly startedAt: number;
  private queue: Promise<void> = Promise.resolve();
  private lastPublished = '';
  private nextSanctionChange: number | null = null;
  /** What the session last read from disk, kept current as it writes: the sanction clock needs no read. */
  private saved: { acceptances: Map<string, AcceptanceRecord>; hasPin: boolean } = {
    acceptances: new Map(),
    hasPin: false,
  };
  private enforcementError: string | undefined;

  private constructor(private readonly o: SessionRuntimeOptions) {
    this.policy = o.policy;
    this.user = parseUser(o.account);
    this.startedAt = o.clock.now();
    this.acceptances = new AcceptanceStore(join(o.dataDir, 'acceptances'));
    this.pins = new PinStore(join(o.dataDir, 'pins'));
    this.pinVerifier = new PinVerifier(this.pins, o.school ? (a) => o.school?.pinOf(a) : undefined);
    this.throttles =
      o.throttles ??
      new ThrottleBook(
        join(o.dataDir, 'throttle'),
        () => this.policy.unlock.maxDelaySeconds * 1000,
      );
    this.audit =
      o.audit ?? new AuditLog(join(o.dataDir, 'audit.jsonl'), o.machineId, () => o.clock.now());
    this.verifiers.set('pin', this.pinVerifier);
    this.verifiers.set(
      'override',
      new OverrideVerifier(() => o.overrideHash ?? this.policy.override.hash),
    );
    for (const v of o.verifiers ?? []) this.verifiers.set(v.method, v);
  }

  static async create(o: SessionRuntimeOptions): Promise<SessionRuntime> {
    const rt = new SessionRuntime(o);
    rt.state = initialState(await rt.facts());
    // Failures persisted by an earlier run still count: the owner's own credential here.
    const t = await rt.throttles.load(throttleKey('pin', o.account, o.account), o.clock.now());
    rt.state = { ...rt.state, failedAttempts: t.failures, waitUntil: t.waitUntil };
    return rt;
  }

  start(): Promise<void> {
    return this.enqueue(async () => this.apply({ type: 'started', facts: await this.facts() }));
  }

  view(): View {
    return viewOf(this.state, this.o.clock.now());
  }

  /** The controller's state, for tests and the tray. */
  snapshot(): Readonly<SessionState> {
    return this.state;
  }

  status(): RuntimeStatus {
    const f = this.state.facts;
    return {
      ...(f.network
        ? { restriction: 'network' as const }
        : f.internet
          ? { restriction: 'internet' as const }
          : {}),
      ...(this.enforcementError ? { enforcementError: this.enforcementError } : {}),
    };
  }

  onView(listener: (v: View) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async intent(i: Intent): Promise<View> {
    await this.enqueue(async () => {
      switch (i.type) {
        case 'unlock':
        case 'endSession':
          return this.checkCredential(i);
        case 'acceptAgreement':
          return this.apply({
            type: 'acceptAgreement',
            agreementId: i.agreementId,
            version: i.version,
            ...(i.typedName ? { typedName: i.typedName } : {}),
          });
        case 'declineAgreement':
          return this.apply({ type: 'declineAgreement', agreementId: i.agreementId });
        case 'enrolPin':
          return this.apply({ type: 'enrolPin', pin: i.pin, confirm: i.confirm });
        case 'dismissNotice':
          return this.apply({ type: 'dismissNotice', notice: i.notice });
        case 'showNotice':
          return this.apply({ type: 'showNotice', id: i.id });
        case 'cancelDecline':
        case 'activity':
        case 'lockNow':
        case 'hideScreen':
          return this.apply({ type: i.type });
      }
    });
    return this.view();
  }

  /** OS idle seconds, once a second from the shell: also the tick that runs countdowns and expiry. */
  idle(seconds: number): Promise<void> {
    return this.enqueue(async () => {
      const now = this.trustedNow();
      if (this.nextSanctionChange !== null && now >= this.nextSanctionChange) {
        await this.apply({ type: 'factsChanged', facts: this.factsFromSaved() });
      }
      await this.apply({ type: 'idle', seconds });
    });
  }

  suspend(): Promise<void> {
    return this.enqueue(() => this.apply({ type: 'suspend' }));
  }
  resume(): Promise<void> {
    return this.enqueue(() => this.apply({ type: 'resume' }));
  }
  lockNow(): Promise<void> {
    return this.enqueue(() => this.apply({ type: 'lockNow' }));
  }
  hideScreen(): Promise<void> {
    return this.enqueue(() => this.apply({ type: 'hideScreen' }));
  }
  /** Someone has been told about a hidden screen (the hub says who): the screen names them. */
  concernNotified(toldWho: string): Promise<void> {
    return this.enqueue(() => this.apply({ type: 'concernNotified', toldWho }));
  }

  /** Windows were re-laid out: give them the current View again. */
  displaysChanged(): void {
    this.o.shell.present(this.view());
  }

  /** A newly verified policy: new agreements, timeouts and sanctions apply to this session at once. */
  policyChanged(policy: Policy): Promise<void> {
    return this.enqueue(async () => {
      this.policy = policy;
      await this.apply({ type: 'factsChanged', facts: await this.facts() });
    });
  }

  /**
   * Apply the internet restriction again if one is in force: the enforcers are idempotent,
   * and something outside Classlock (a restarted helper, a Group Policy refresh of the
   * proxy settings) may have undone it. The shell calls this after every policy check.
   */
  reassert(): Promise<void> {
    return this.enqueue(async () => {
      if (this.state.internetEnforced) await this.enforceInternet(true, { quiet: true });
    });
  }

  private trustedNow(): number {
    return this.o.trustedNow ? this.o.trustedNow() : this.o.clock.now();
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    const next = this.queue.then(work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Facts after reading the user's records afresh (at start and when the policy changes). */
  private async facts(): Promise<SessionFacts> {
    this.saved = {
      acceptances: await this.acceptances.latest(this.user),
      hasPin:
        (await this.pins.get(this.user)) !== undefined ||
        this.o.school?.pinOf(this.user.raw) !== undefined,
    };
    const facts = this.factsFromSaved();
    if (!this.o.school || !facts.agreementsDue.length) return facts;
    return (await this.importSchoolAcceptances(facts)) ? this.factsFromSaved() : facts;
  }

  /**
   * Agreements due here that the person accepted on another PC of the school count as
   * accepted (asked once per person across the school). The hub's record is copied into
   * the local store so the next sign-in on this PC needs no hub. Returns whether any was.
   */
  private async importSchoolAcceptances(facts: SessionFacts): Promise<boolean> {
    let imported = false;
    for (const a of facts.agreementsDue) {
      const r = await this.o
        .school!.hasAccepted(this.user.raw, a.id, a.version, a.hash)
        .catch(() => ({ answer: 'unknown' as const }));
      if (r.answer !== 'yes') continue;
      const record: AcceptanceRecord = {
        user: this.user.raw,
        role: facts.role,
        agreementId: a.id,
        version: a.version,
        hash: a.hash,
        // When the hub says; else now (re-acceptance periods then count from this PC's import).
        acceptedAt: r.at ?? new Date(this.o.clock.now()).toISOString(),
        machineId: this.o.machineId,
      };
      try {
        await this.acceptances.record(this.user, record);
      } catch (err) {
        await this.safeAudit({
          event: 'agreement.importFailed',
          user: this.user.raw,
          agreementId: a.id,
          error: String(err),
        });
      }
      this.saved.acceptances.set(a.id, record);
      await this.safeAudit({
        event: 'agreement.acceptedElsewhere',
        user: this.user.raw,
        agreementId: a.id,
        version: a.version,
      });
      imported = true;
    }
    return imported;
  }

  private factsFromSaved(): SessionFacts {
    const sanctions = sanctionStatus(this.policy, this.user, this.trustedNow());
    const facts = deriveFacts({
      policy: this.policy,
      user: this.user,
      groups: this.o.groups,
      hostname: this.o.hostname,
      ...(this.o.profileId ? { profileId: this.o.profileId } : {}),
      locale: this.o.locale ?? this.policy.defaultLocale,
      acceptances: this.saved.acceptances,
      hasPin: this.saved.hasPin,
      sanctions,
      now: this.o.clock.now(),
      sessionStartedAt: this.startedAt,
      ...(this.o.hideScreenShortcut ? { hideScreenShortcut: this.o.hideScreenShortcut } : {}),
    });
    this.nextSanctionChange = sanctions.nextChangeAt;
    return facts;
  }

  /** A record could not be saved: audit why, and let the controller ask again. Stops the batch. */
  private async saveFailed(
    event: string,
    err: unknown,
    failure: Extract<SessionEvent, { type: 'persistFailed' }>,
  ): Promise<false> {
    await this.safeAudit({ event, user: this.user.raw, error: String(err) });
    this.state = decide(this.state, failure, this.o.clock.now()).state;
    return false;
  }

  /** Run one event through the controller, perform its effects in order, then publish. */
  private async apply(event: SessionEvent): Promise<void> {
    const { state, effects } = decide(this.state, event, this.o.clock.now());
    this.state = state;
    for (const effect of effects) {
      if (!(await this.perform(effect))) break;
    }
    this.publish();
  }

  /** Returns false when the effect failed and the rest of the batch must not run. */
  private async perform(effect: Effect): Promise<boolean> {
    switch (effect.type) {
      case 'persistAcceptance':
        try {
          const record: AcceptanceRecord = {
            user: this.user.raw,
            role: this.state.facts.role,
            agreementId: effect.agreement.id,
            version: effect.agreement.version,
            hash: effect.agreement.hash,
            acceptedAt: new Date(this.o.clock.now()).toISOString(),
            ...(effect.typedName ? { typedName: effect.typedName } : {}),
            machineId: this.o.machineId,
          };
          await this.acceptances.record(this.user, record);
          this.saved.acceptances.set(record.agreementId, record);
          return true;
        } catch (err) {
          return this.saveFailed('agreement.saveFailed', err, {
            type: 'persistFailed',
            what: 'acceptance',
            agreement: effect.agreement,
          });
        }
      case 'storePin':
        try {
          const hash = await hashSecret(effect.pin);
          await this.pins.set(this.user, {
            user: this.user.raw,
            role: this.state.facts.role,
            hash,
            setAt: new Date(this.o.clock.now()).toISOString(),
          });
          this.saved.hasPin = true;
          // Shared after the local copy is safe: a hub that is down never loses the PIN here.
          await this.o.school
            ?.pinStored(this.user.raw, this.state.facts.role, hash)
            .catch((err: unknown) =>
              this.safeAudit({ event: 'pin.shareFailed', user: this.user.raw, error: String(err) }),
            );
          return true;
        } catch (err) {
          return this.saveFailed('pin.saveFailed', err, { type: 'persistFailed', what: 'pin' });
        }
      case 'audit':
        await this.safeAudit(effect.entry);
        return true;
      case 'lockOs':
        await this.o.shell
          .lockOs()
          .catch((err: unknown) =>
            this.safeAudit({ event: 'os.lockFailed', user: this.user.raw, error: String(err) }),
          );
        return true;
      case 'logoff':
        // The record of why must be on disk before the session ends.
        await this.o.shell
          .logoff()
          .catch((err: unknown) =>
            this.safeAudit({ event: 'os.logoffFailed', user: this.user.raw, error: String(err) }),
          );
        return true;
      case 'enforceInternet':
        await this.enforceInternet(effect.on);
        return true;
    }
  }

  private async enforceInternet(on: boolean, opts: { quiet?: boolean } = {}): Promise<void> {
    const allow = on
      ? [
          ...new Set([
            ...this.policy.sanctionSettings.allowList,
            ...(this.o.infrastructureHosts ?? []),
          ]),
        ]
      : null;
    this.o.shell.restrictOwnRequests?.(allow);
    const enforcer = this.o.enforcer;
    if (!enforcer) return;
    const target = {
      account: this.user.raw,
      ...(this.o.uid !== undefined ? { uid: this.o.uid } : {}),
    };
    try {
      if (allow)
        await enforcer.apply(target, allow, { until: this.state.facts.internet?.until ?? null });
      else await enforcer.lift(target);
      this.enforcementError = undefined;
      if (opts.quiet) return;
      await this.safeAudit({
        event: on ? 'enforcement.applied' : 'enforcement.lifted',
        user: this.user.raw,
        enforcer: enforcer.describe(),
        result: 'ok',
      });
    } catch (err) {
      // The pupil still sees the notice; IT sees the failure in the tray and the audit log.
      this.enforcementError = `Could not ${on ? 'withdraw' : 'restore'} internet access with ${enforcer.describe()}: ${err instanceof Error ? err.message : String(err)}`;
      await this.safeAudit({
        event: 'enforcement.failed',
        user: this.user.raw,
        enforcer: enforcer.describe(),
        result: this.enforcementError,
      });
    }
  }

  private async safeAudit(entry: Parameters<AuditSink['append']>[0]): Promise<void> {
    try {
      await this.audit.append(entry);
    } catch (err) {
      // A full or read-only disk must not stop a teacher unlocking; say so where IT looks.
      (this.o.log ?? silentLogger).error(err, 'Classlock could not write its audit log');
    }
  }

  private publish(): void {
    const view = this.view();
    const json = JSON.stringify(view);
    if (json === this.lastPublished) return;
    this.lastPublished = json;
    this.o.shell.present(view);
    for (const l of this.listeners) l(view);
  }

  /**
   * Check a credential typed on the lock. The wait after failures is checked before the
   * credential is, and every wrong answer (or a pupil's valid password offered where staff
   * are needed) grows it, persisted so a restart does not reset it.
   */
  private async checkCredential(
    i: Extract<Intent, { type: 'unlock' | 'endSession' }>,
  ): Promise<void> {
    const s = this.state;
    if (s.phase !== 'locked') return;
    const now = this.o.clock.now();
    const purpose = i.type === 'unlock' ? 'unlock' : 'endSession';
    const by = unlockBy(s, purpose);
    const allowed = unlockMethods(s, purpose);
    const actor =
      by === 'owner' && i.method !== 'override'
        ? s.facts.account
        : i.username?.trim() || (i.method === 'override' ? 'IT' : '');
    const report = (outcome: UnlockOutcome, t: ThrottleState, detail?: string) =>
      this.apply({
        type: 'unlockChecked',
        purpose,
        outcome,
        method: i.method,
        actor,
        failedAttempts: t.failures,
        waitUntil: t.waitUntil,
        ...(detail ? { detail } : {}),
      });

    // Whose count: this credential's account at this session's owner (see ThrottleKey).
    const key = throttleKey(i.method, actor, s.facts.account);
    let t = await this.throttles.load(key, now);
    if (secondsToWait(t, now) > 0) return report('throttled', t);
    if (
      (purpose === 'endSession' && !canEndSession(s)) ||
      !allowed.includes(i.method) ||
      (by === 'staff' && i.method !== 'override' && !actor)
    )
      return report('notAllowed', t);

    const verifier = this.verifiers.get(i.method);
    const result: VerifyResult = verifier
      ? await verifier.verify(actor, i.secret)
      : {
          ok: false,
          method: i.method,
          kind: 'unavailable',
          detail: `${i.method} unlock is not set up on this computer`,
        };

    let outcome: UnlockOutcome = result.ok ? 'ok' : result.kind;
    if (
      result.ok &&
      by === 'staff' &&
      i.method !== 'override' &&
      !(await this.isStaff(actor, i.method, result.groups ?? []))
    )
      outcome = 'notAllowed';

    if (outcome === 'ok') {
      t = NO_FAILURES;
      await this.throttles.save(key, t);
    } else if (outcome === 'wrong' || outcome === 'notAllowed' || outcome === 'refused') {
      t = afterFailure(t, now, this.policy.unlock);
      await this.throttles.save(key, t);
    }
    return report(outcome, t, result.ok ? undefined : result.detail);
  }

  /**
   * Is the person whose credential just verified a member of staff? Their groups are the
   * ones the credential's source vouched for (the directory's memberOf) and whatever the OS
   * can say about that account; an OS that cannot answer for another user adds nothing.
   */
  private async isStaff(
    account: string,
    method: UnlockMethod,
    vouched: string[],
  ): Promise<boolean> {
    // Never from a stored record (a PIN file says who enrolled, not who they are now):
    // the signed policy's rules applied to the groups the credential's source and the OS give.
    const fromOs = this.o.groupSource
      ? await this.o.groupSource.groupsOf(parseUser(account).name).catch(() => [])
      : [];
    return resolveRole(this.policy, parseUser(account), [...vouched, ...fromOs]).role === 'staff';
  }
}
