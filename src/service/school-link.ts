import type { AuditEntry, AuditSink } from '../core/audit/audit-log';
import type { Clock } from '../core/clock';
import type { SchoolRecords } from '../core/school/school-records';
import { personKey } from '../shared/hub-protocol';
import type { ServiceStatus } from '../shared/service-protocol';
import { hubEventsFor } from './hub-link/audit-to-hub';
import { HubLink } from './hub-link/hub-link';

export interface SchoolLinkOptions {
  dataDir: string;
  hubUrl: string | undefined;
  enrolmentSecret: string | undefined;
  school: string | undefined;
  machineId: string;
  clock: Clock;
  log: (line: string) => void;
  hubCa?: string | Buffer;
  /** What the heartbeat reports (the policy serial in force, the enforcer, the version). */
  heartbeat: () => { serial: number; enforcement: string; version: string };
  /** False: sessions do not ask the hub whether someone accepted elsewhere (default true). */
  askAcceptances?: boolean;
  heartbeatMs?: number;
  /** Concern relay: how often and how many times to ask the hub who was told. */
  concernPollMs?: number;
  concernPolls?: number;
}

/**
 * The machine service's side of the school hub: forwards the audit events the hub keeps,
 * answers the sessions' school questions (acceptances and PINs made on other PCs), relays
 * who was told about a hidden screen, and beats every five minutes. Without a hub in the
 * machine config it does nothing and says so in the status.
 */
export class SchoolLink {
  private heart: NodeJS.Timeout | undefined;
  private readonly relays = new Set<Promise<unknown>>();
  private stopped = false;

  private constructor(
    private readonly o: SchoolLinkOptions,
    readonly link: HubLink | undefined,
  ) {}

  static async start(o: SchoolLinkOptions): Promise<SchoolLink> {
    const link = o.hubUrl
      ? await HubLink.start({
          dataDir: o.dataDir,
          hubUrl: o.hubUrl,
          enrolmentSecret: o.enrolmentSecret,
          school: o.school,
          machineId: o.machineId,
          clock: o.clock,
          log: o.log,
          ...(o.hubCa ? { hubCa: o.hubCa } : {}),
        })
      : undefined;
    const s = new SchoolLink(o, link);
    if (link) {
      s.heart = setInterval(() => s.beat(), o.heartbeatMs ?? 5 * 60_000);
      s.heart.unref();
    }
    return s;
  }

  status(): ServiceStatus['hub'] {
    return this.link?.status() ?? { url: null, enrolled: false, lastContact: null };
  }

  /** Sessions' questions to the school; undefined without a hub (the PC decides alone). */
  records(): SchoolRecords | undefined {
    const link = this.link;
    if (!link) return undefined;
    return {
      hasAccepted: async (person, id, version, hash) =>
        this.o.askAcceptances === false
          ? { answer: 'unknown' }
          : link.hasAccepted(person, id, version, hash),
      pinStored: (person, role, hash) => link.enrolPin(person, role, hash),
      pinOf: (person) => {
        const key = personKey(person);
        const p = link.pinHashes().find((x) => personKey(x.person) === key);
        return p ? { hash: p.hash, role: p.role, setAt: p.setAt } : undefined;
      },
    };
  }

  /**
   * The audit log with the hub's share of it forwarded. The local record is written first
   * and decides the result; the hub's copy never delays or fails a session's action.
   */
  forwarding(
    audit: AuditSink,
    onConcern: (entry: AuditEntry, told: string) => Promise<void>,
  ): AuditSink {
    return {
      append: async (entry) => {
        await audit.append(entry);
        if (!this.link || this.stopped) return;
        if (entry.event === 'concern.raised') {
          this.track(this.relayConcern(entry, onConcern));
          return;
        }
        for (const e of hubEventsFor(entry))
          await this.link
            .record(e)
            .catch((err: unknown) =>
              this.o.log(`Could not keep an event for the hub: ${String(err)}`),
            );
      },
    };
  }

  /** Waits for concern relays still running (a clean stop), then stops the link. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.heart);
    await Promise.all([...this.relays]);
    await this.link?.stop();
  }

  private track(p: Promise<unknown>): void {
    const q = p.catch(() => undefined).finally(() => this.relays.delete(q));
    this.relays.add(q);
  }

  /** Tells the hub this PC is alive, with its policy serial (every 5 minutes, and once started). */
  beat(): void {
    if (!this.link || this.stopped) return;
    const h = this.o.heartbeat();
    this.track(
      this.link.record({
        kind: 'heartbeat',
        serial: h.serial,
        enforcement: h.enforcement.slice(0, 300),
        versions: { classlock: h.version.slice(0, 60) },
      }),
    );
  }

  /** Tell the hub at once, then ask (a bounded number of times) whom it told, for the hidden screen. */
  private async relayConcern(
    entry: AuditEntry,
    onConcern: (entry: AuditEntry, told: string) => Promise<void>,
  ): Promise<void> {
    const link = this.link!;
    const who = typeof entry.user === 'string' && entry.user ? { person: entry.user } : {};
    const id = await link.record({ kind: 'concernRaised', ...who });
    await link.flush();
    const polls = this.o.concernPolls ?? 10;
    for (let i = 0; i < polls && !this.stopped; i++) {
      const s = await link.concernStatus(id);
      if (s?.told.length) return onConcern(entry, s.told.join(', '));
      await new Promise((r) => setTimeout(r, this.o.concernPollMs ?? 1000));
    }
    this.o.log(`The hub has not said who was told about concern ${id}; the screen stays general.`);
  }
}
