import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import type { Store } from '../store/store';

export interface NotifyOptions {
  /** SMTP server, e.g. smtp://relay.school.example:25 (nodemailer's URL form). */
  smtpUrl?: string;
  from?: string;
  /** Address of the dashboard, for the link in a message. */
  dashboardUrl?: string;
  /** How often unsent notifications are looked for (ms); a concern waits at most this long. */
  sweepEveryMs?: number;
}

interface ClaimedConcern {
  event_id: string;
  school: string;
  person: string | null;
  raised_at: Date | string;
  hostname: string | null;
  school_name: string;
  notify_emails: string[];
  webhook_url: string | null;
}

function iso(d: Date | string): string {
  return typeof d === 'string' ? new Date(d).toISOString() : d.toISOString();
}

/**
 * Tells the school's named people about each concern, by email and an optional webhook.
 * The work is claimed in the database (a claim expires after two minutes), so with several
 * hub processes each concern is sent once, and one whose process died is sent by another.
 */
export class ConcernNotifier {
  private readonly mailer: Transporter | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly store: Store,
    private readonly opts: NotifyOptions,
    private readonly log: (msg: string) => void,
  ) {
    this.mailer = opts.smtpUrl ? nodemailer.createTransport(opts.smtpUrl) : undefined;
  }

  start(): void {
    this.timer = setInterval(() => this.kick(), this.opts.sweepEveryMs ?? 20_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
    this.mailer?.close();
  }

  /** Look for unsent concerns now (after a batch brought a new one). */
  kick(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.sweep().catch((err: Error) => this.log(`concern notifications: ${err.message}`));
      } while (this.again);
    })().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async sweep(): Promise<void> {
    const claimed = await this.store.query<ClaimedConcern>(
      `UPDATE concerns c SET notify_claimed_at = now()
       FROM schools s, terminals t
       WHERE c.event_id IN (
         SELECT event_id FROM concerns
         WHERE notified_at IS NULL
           AND (notify_claimed_at IS NULL OR notify_claimed_at < now() - interval '2 minutes')
         ORDER BY raised_at LIMIT 20 FOR UPDATE SKIP LOCKED)
         AND s.id = c.school AND t.id = c.terminal_id
       RETURNING c.event_id, c.school, c.person, c.raised_at, t.hostname, s.name AS school_name,
         s.notify_emails, s.webhook_url`,
    );
    for (const c of claimed) await this.notifyOne(c);
  }

  private async notifyOne(c: ClaimedConcern): Promise<void> {
    const told: string[] = [];
    const problems: string[] = [];
    const where = c.hostname ?? 'a terminal';
    const who = c.person ?? 'someone who was not signed in';
    const link = this.opts.dashboardUrl
      ? `${this.opts.dashboardUrl.replace(/\/$/, '')}/#/concerns`
      : '';
    if (c.notify_emails.length) {
      if (!this.mailer) problems.push('no SMTP server is set (--smtp)');
      else {
        try {
          await this.mailer.sendMail({
            from: this.opts.from ?? 'classlock-hub@localhost',
            to: c.notify_emails,
            subject: `Classlock: ${who} asked for help at ${where}`,
            text: [
              `At ${iso(c.raised_at)}, ${who} hid the screen of ${where} (${c.school_name}) and asked for a member of staff.`,
              'Please go to them, then mark the concern handled in the hub dashboard.',
              link,
            ]
              .filter(Boolean)
              .join('\n\n'),
          });
          told.push(...c.notify_emails);
        } catch (err) {
          problems.push(`email not sent: ${(err as Error).message}`);
        }
      }
    }
    if (c.webhook_url) {
      try {
        const res = await fetch(c.webhook_url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            type: 'concernRaised',
            id: c.event_id,
            school: c.school,
            terminal: c.hostname,
            person: c.person,
            raisedAt: iso(c.raised_at),
          }),
          signal: AbortSignal.timeout(10_000),
        });
        if (res.ok) told.push('webhook');
        else problems.push(`webhook answered ${res.status}`);
      } catch (err) {
        problems.push(`webhook not reached: ${(err as Error).message}`);
      }
    }
    if (!c.notify_emails.length && !c.webhook_url)
      problems.push('nobody is set to be told for this school');
    // Sent to at least one place: done. Nothing sent: the claim lapses and a later sweep retries.
    await this.store.query(
      `UPDATE concerns SET told = $2, notify_problem = $3,
         notified_at = CASE WHEN cardinality($2::text[]) > 0 THEN now() ELSE NULL END
       WHERE event_id = $1`,
      [c.event_id, told, problems.length ? problems.join('; ') : null],
    );
    if (problems.length) this.log(`concern ${c.event_id}: ${problems.join('; ')}`);
  }
}
