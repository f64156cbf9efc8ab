import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import type { Clock } from '../../core/clock';
import { writeFileAtomic } from '../../core/storage/atomic-file';
import {
  AcceptanceAnswerSchema,
  ConcernStatusSchema,
  EnrolResponseSchema,
  EventBatchResponseSchema,
  HubEventSchema,
  personKey,
  PinListSchema,
  type ConcernStatus,
  type HubEvent,
  type PinEntry,
} from '../../shared/hub-protocol';
import { loadOrCreateMachineKey, type MachineKey } from './machine-key';
import { DEFAULT_OUTBOX_BYTES, Outbox } from './outbox';
import { HubUnreachableError, signedRequest, type HubResponse } from './signed-request';

/** What the machine service gives the link (all from the machine config but the clock and log). */
export interface HubLinkOptions {
  /** The service's root-only data folder; the link keeps its files in `<dataDir>/hub`. */
  dataDir: string;
  hubUrl: string | undefined;
  enrolmentSecret: string | undefined;
  school: string | undefined;
  machineId: string;
  clock: Clock;
  log: (msg: string) => void;
  hostname?: string;
  /** PEM of the CA that issued the hub's certificate, when it is not in the OS's store. */
  hubCa?: string | Buffer;
  outboxBytes?: number;
  /** Events per batch (the hub takes up to 1000). */
  batchSize?: number;
  /** How often staff PINs are fetched from the hub. */
  pinsEveryMs?: number;
  /** Longest wait between retries while the hub cannot be reached. */
  maxBackoffMs?: number;
  /** False: nothing is sent until `flush()` (tests). Default true. */
  autoSend?: boolean;
}

export interface HubLinkStatus {
  url: string | null;
  enrolled: boolean;
  lastContact: string | null;
  problem?: string;
}

export type AcceptanceAnswer =
  | { answer: 'yes'; at: string | null }
  | { answer: 'no' }
  /** The hub could not be asked: the service falls back to its own record. */
  | { answer: 'unknown'; problem: string };

/** An event as the service records it: the link adds the id and time when they are missing. */
export type NewHubEvent = HubEvent extends infer E
  ? E extends HubEvent
    ? Omit<E, 'id' | 'at'> & { id?: string; at?: string }
    : never
  : never;

const EnrolmentFileSchema = z.object({
  hubUrl: z.string(),
  terminalId: z.string(),
  school: z.string(),
});
type Enrolment = z.infer<typeof EnrolmentFileSchema>;

/**
 * The machine service's one connection to the school's hub: enrols with the machine key,
 * keeps the outbox, asks the questions one PC cannot answer alone, and keeps the school's
 * staff PIN hashes on disk for offline checks. Every file it writes is root-only.
 */
export class HubLink {
  private key!: MachineKey;
  private outbox!: Outbox;
  private enrolment: Enrolment | undefined;
  private pins: { revision: number; pins: PinEntry[] } = { revision: -1, pins: [] };
  private lastContact: string | null = null;
  private problem: string | undefined;
  private failures = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private sending: Promise<void> | undefined;
  private lastPinsFetch = 0;
  private readonly pinListeners = new Set<(pins: PinEntry[]) => void>();
  private readonly dir: string;

  private constructor(private readonly o: HubLinkOptions) {
    this.dir = join(o.dataDir, 'hub');
  }

  static async start(o: HubLinkOptions): Promise<HubLink> {
    const link = new HubLink(o);
    await link.open();
    return link;
  }

  private async open(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    this.key = await loadOrCreateMachineKey(join(this.dir, 'machine-key.pem'));
    this.outbox = await Outbox.open(
      join(this.dir, 'outbox.jsonl'),
      join(this.dir, 'outbox-state.json'),
      this.o.outboxBytes ?? DEFAULT_OUTBOX_BYTES,
    );
    try {
      const e = EnrolmentFileSchema.parse(
        JSON.parse(await readFile(join(this.dir, 'enrolment.json'), 'utf8')),
      );
      // Pointed at another hub (or school): enrol there afresh.
      if (e.hubUrl === this.o.hubUrl && (!this.o.school || e.school === this.o.school))
        this.enrolment = e;
    } catch {
      // not enrolled yet
    }
    try {
      this.pins = PinListSchema.parse(
        JSON.parse(await readFile(join(this.dir, 'pins.json'), 'utf8')),
      );
    } catch {
      // no PINs synced yet
    }
    if (!this.o.hubUrl) this.problem = undefined;
    else if (!this.enrolment && (!this.o.enrolmentSecret || !this.o.school))
      this.problem =
        'The machine config names a hub but not the school and enrolment secret, so this PC cannot enrol.';
    if (this.o.autoSend !== false && this.o.hubUrl) this.schedule(0);
  }

  /** Stops sending; what is in the outbox stays on disk for next time. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.sending;
  }

  status(): HubLinkStatus {
    return {
      url: this.o.hubUrl ?? null,
      enrolled: !!this.enrolment,
      lastContact: this.lastContact,
      ...(this.problem ? { problem: this.problem } : {}),
    };
  }

  outboxStatus(): { pending: number; bytes: number; dropped: Record<string, number> } {
    return {
      pending: this.outbox.size,
      bytes: this.outbox.pendingBytes,
      dropped: this.outbox.dropped,
    };
  }

  /**
   * Keeps an event for the hub (on disk before this resolves) and returns its id. Works
   * with no hub configured too: the events simply wait. Refuses an event the hub would.
   */
  async record(e: NewHubEvent): Promise<string> {
    const full = {
      ...e,
      id: e.id ?? randomUUID(),
      at: e.at ?? new Date(this.o.clock.now()).toISOString(),
    };
    if (full.kind === 'heartbeat' && this.outbox.droppedTotal)
      (full as { outboxDropped?: number }).outboxDropped = this.outbox.droppedTotal;
    const parsed = HubEventSchema.safeParse(full);
    if (!parsed.success)
      throw new Error(
        `This ${e.kind} event cannot go to the hub: ${parsed.error.issues[0]?.message ?? 'bad event'}`,
      );
    await this.outbox.append(parsed.data);
    if (this.o.autoSend !== false && this.o.hubUrl && !this.failures) this.schedule(1000);
    return parsed.data.id;
  }

  /**
   * Has this person accepted this exact agreement text anywhere in the school? 'unknown'
   * when the hub cannot say (offline, not enrolled): the service then uses its own record.
   */
  async hasAccepted(
    person: string,
    agreementId: string,
    version: string,
    textHash: string,
  ): Promise<AcceptanceAnswer> {
    const p = personKey(person);
    const local = this.outbox.find(
      (e) =>
        e.kind === 'acceptance' &&
        personKey(e.person) === p &&
        e.agreementId === agreementId &&
        e.version === version &&
        e.textHash === textHash,
    );
    if (local) return { answer: 'yes', at: local.at };
    const r = await this.ask(
      'POST',
      '/api/v1/t/acceptances/check',
      { person, agreementId, version, textHash },
      3000,
    );
    if ('problem' in r) return { answer: 'unknown', problem: r.problem };
    const a = AcceptanceAnswerSchema.safeParse(r.body);
    if (!a.success)
      return { answer: 'unknown', problem: 'the hub gave an answer in an unexpected form' };
    return a.data.accepted ? { answer: 'yes', at: a.data.at } : { answer: 'no' };
  }

  /** Who was told about a concern this PC raised (for the hidden screen); undefined if not known yet. */
  async concernStatus(concernId: string): Promise<ConcernStatus | undefined> {
    const r = await this.ask(
      'GET',
      `/api/v1/t/concerns/${encodeURIComponent(concernId)}`,
      undefined,
      3000,
    );
    if ('problem' in r) return undefined;
    const s = ConcernStatusSchema.safeParse(r.body);
    return s.success ? s.data : undefined;
  }

  /** The school's staff PIN hashes as last synced (kept on disk, so they work offline). */
  pinHashes(): PinEntry[] {
    return this.pins.pins.map((p) => ({ ...p }));
  }

  /** Called with the whole list whenever the hub's list changes. Returns an unsubscribe. */
  onPinsChanged(fn: (pins: PinEntry[]) => void): () => void {
    this.pinListeners.add(fn);
    return () => this.pinListeners.delete(fn);
  }

  /** A PIN enrolled on this PC: valid here at once, and on every PC once the hub has it. */
  async enrolPin(person: string, role: string, hash: string): Promise<void> {
    const at = new Date(this.o.clock.now()).toISOString();
    await this.record({ kind: 'pinEnrolled', person, role, hash, at });
    const p = personKey(person);
    await this.savePins({
      revision: this.pins.revision,
      pins: [...this.pins.pins.filter((x) => x.person !== p), { person: p, role, hash, setAt: at }],
    });
  }

  /** Sends everything pending now and refreshes the PINs; resolves when done or the hub failed. */
  async flush(): Promise<void> {
    if (this.sending) await this.sending;
    this.sending = this.round(true).finally(() => {
      this.sending = undefined;
    });
    await this.sending;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      if (this.sending) return this.schedule(1000);
      this.sending = this.round(false).finally(() => {
        this.sending = undefined;
      });
    }, ms);
    this.timer.unref();
  }

  /** One round: enrol if needed, send batches until the outbox is empty, refresh PINs. */
  private async round(forcePins: boolean): Promise<void> {
    let ok: boolean;
    try {
      ok = await this.enrol();
      const batch = this.o.batchSize ?? 500;
      while (ok && this.outbox.size && !this.stopped) ok = await this.sendBatch(batch);
      const pinsDue = this.o.clock.now() - this.lastPinsFetch >= (this.o.pinsEveryMs ?? 5 * 60_000);
      if (ok && (forcePins || pinsDue)) ok = await this.fetchPins();
    } catch (err) {
      ok = false;
      this.problem = `hub link: ${(err as Error).message}`;
    }
    if (ok) {
      this.failures = 0;
      // An event recorded while this round was finishing must not wait for the next PIN fetch.
      this.schedule(this.outbox.size ? 1000 : (this.o.pinsEveryMs ?? 5 * 60_000));
    } else {
      this.failures++;
      this.schedule(this.backoff());
    }
  }

  /** Exponential backoff with full jitter, so a school's PCs coming back together do not stampede. */
  private backoff(): number {
    const cap = Math.min(
      this.o.maxBackoffMs ?? 5 * 60_000,
      2000 * 2 ** Math.min(this.failures, 20),
    );
    return Math.round(500 + Math.random() * cap);
  }

  private async enrol(): Promise<boolean> {
    if (this.enrolment) return true;
    const { hubUrl, enrolmentSecret, school } = this.o;
    if (!hubUrl || !enrolmentSecret || !school) return false;
    let r: HubResponse;
    try {
      r = await signedRequest({
        hubUrl,
        method: 'POST',
        path: '/api/v1/enrol',
        body: {
          school,
          machineId: this.o.machineId,
          hostname: this.o.hostname ?? hostname(),
          publicKey: this.key.publicKeyPem,
          secret: enrolmentSecret,
        },
        key: this.key.privateKey,
        terminal: 'enrol',
        now: this.o.clock.now(),
        ...(this.o.hubCa ? { ca: this.o.hubCa } : {}),
      });
    } catch (err) {
      this.problem = `The hub (${hubUrl}) cannot be reached: ${(err as Error).message}`;
      return false;
    }
    const parsed = EnrolResponseSchema.safeParse(r.body);
    if (r.status !== 200 || !parsed.success) {
      this.problem = `The hub refused enrolment: ${errorText(r)}`;
      return false;
    }
    this.enrolment = { hubUrl, terminalId: parsed.data.terminalId, school: parsed.data.school };
    await writeFileAtomic(join(this.dir, 'enrolment.json'), JSON.stringify(this.enrolment), 0o600);
    this.contact();
    this.o.log(`enrolled at the hub ${hubUrl} as terminal ${parsed.data.terminalId}`);
    return true;
  }

  private async sendBatch(n: number): Promise<boolean> {
    const events = this.outbox.peek(n);
    const r = await this.ask('POST', '/api/v1/t/events', { events });
    if ('problem' in r) return false;
    const parsed = EventBatchResponseSchema.safeParse(r.body);
    if (!parsed.success) {
      this.problem = 'The hub answered a batch in an unexpected form.';
      return false;
    }
    for (const rej of parsed.data.rejected)
      this.o.log(`the hub refused event ${rej.id ?? '?'}: ${rej.problem}`);
    const answered = [
      ...parsed.data.accepted,
      ...parsed.data.rejected.flatMap((x) => (x.id ? [x.id] : [])),
    ];
    const before = this.outbox.size;
    await this.outbox.acknowledge(answered);
    return this.outbox.size < before;
  }

  private async fetchPins(): Promise<boolean> {
    const r = await this.ask('GET', '/api/v1/t/pins', undefined);
    if ('problem' in r) return false;
    const parsed = PinListSchema.safeParse(r.body);
    if (!parsed.success) return false;
    this.lastPinsFetch = this.o.clock.now();
    if (parsed.data.revision !== this.pins.revision || !samePins(parsed.data.pins, this.pins.pins))
      await this.savePins(parsed.data);
    return true;
  }

  private async savePins(list: { revision: number; pins: PinEntry[] }): Promise<void> {
    this.pins = list;
    await writeFileAtomic(join(this.dir, 'pins.json'), JSON.stringify(list), 0o600);
    for (const fn of this.pinListeners) fn(this.pinHashes());
  }

  private contact(): void {
    this.lastContact = new Date(this.o.clock.now()).toISOString();
    this.problem = undefined;
  }

  /** A signed request as this terminal: the answer, or a problem in words for the status. */
  private async ask(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    timeoutMs?: number,
  ): Promise<HubResponse | { problem: string }> {
    if (!this.o.hubUrl) return { problem: 'no hub is configured' };
    if (!this.enrolment)
      return { problem: this.problem ?? 'this PC is not enrolled at the hub yet' };
    let r: HubResponse;
    try {
      r = await signedRequest({
        hubUrl: this.o.hubUrl,
        method,
        path,
        body,
        key: this.key.privateKey,
        terminal: this.enrolment.terminalId,
        now: this.o.clock.now(),
        ...(timeoutMs ? { timeoutMs } : {}),
        ...(this.o.hubCa ? { ca: this.o.hubCa } : {}),
      });
    } catch (err) {
      const msg = err instanceof HubUnreachableError ? err.message : String(err);
      this.problem = `The hub (${this.o.hubUrl}) cannot be reached: ${msg}`;
      return { problem: this.problem };
    }
    if (r.status >= 200 && r.status < 300) {
      this.contact();
      return r;
    }
    if ((r.body as { reason?: unknown } | undefined)?.reason === 'unknown-terminal') {
      // The hub no longer knows this PC (its database was rebuilt, or IT removed it): enrol again.
      this.enrolment = undefined;
      await rm(join(this.dir, 'enrolment.json'), { force: true });
    }
    const problem = `The hub refused: ${errorText(r)}`;
    if (r.status === 401 || r.status === 403) this.problem = problem;
    return { problem };
  }
}

function errorText(r: HubResponse): string {
  const e = (r.body as { error?: unknown } | undefined)?.error;
  return typeof e === 'string' ? e : `HTTP ${r.status}`;
}

function samePins(a: PinEntry[], b: PinEntry[]): boolean {
  return (
    a.length === b.length && a.every((p, i) => p.person === b[i]?.person && p.hash === b[i]?.hash)
  );
}
