import { open, readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../../core/storage/atomic-file';
import { LOW_VALUE_KINDS, type HubEvent } from '../../shared/hub-protocol';

interface Entry {
  event: HubEvent;
  bytes: number;
}

interface OutboxState {
  /** The newest event the hub has answered for; everything after it in the file is pending. */
  ackedThrough: string | null;
  /** Low-value events dropped because the outbox was full, per kind, since it was made. */
  dropped: Record<string, number>;
}

export const DEFAULT_OUTBOX_BYTES = 32 * 1024 * 1024;

/**
 * Events waiting for the hub, on disk before `append` resolves (append + fsync), so a
 * power cut or weeks offline lose nothing. Progress is kept as "acknowledged through event
 * id", never a byte offset, so every crash order is safe: at worst an event is sent twice
 * and the hub keeps one. When full, the outbox drops heartbeats, then locks, then unlocks
 * (oldest first) and counts them; acceptances, concerns, override uses and the rest are
 * never dropped, even if that takes the outbox over its size.
 */
export class Outbox {
  private pending: Entry[] = [];
  private fileBytes = 0;
  private state: OutboxState = { ackedThrough: null, dropped: {} };
  private chain: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly file: string,
    private readonly stateFile: string,
    private readonly capBytes: number,
  ) {}

  static async open(
    file: string,
    stateFile: string,
    capBytes = DEFAULT_OUTBOX_BYTES,
  ): Promise<Outbox> {
    const o = new Outbox(file, stateFile, capBytes);
    await o.load();
    return o;
  }

  private async load(): Promise<void> {
    try {
      const s = JSON.parse(await readFile(this.stateFile, 'utf8')) as Partial<OutboxState>;
      this.state = { ackedThrough: s.ackedThrough ?? null, dropped: s.dropped ?? {} };
    } catch {
      // no state yet (or damaged): send everything in the file; the hub de-duplicates
    }
    let text = '';
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    this.fileBytes = Buffer.byteLength(text);
    const all: Entry[] = [];
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        all.push({ event: JSON.parse(line) as HubEvent, bytes: Buffer.byteLength(line) + 1 });
      } catch {
        // a line torn by a power cut: the event was never acknowledged to its caller
      }
    }
    const i = this.state.ackedThrough
      ? all.findIndex((e) => e.event.id === this.state.ackedThrough)
      : -1;
    this.pending = all.slice(i + 1);
  }

  /** Serialises file work: appends, acknowledgements and compactions never interleave. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => undefined);
    return next;
  }

  get size(): number {
    return this.pending.length;
  }
  get pendingBytes(): number {
    return this.pending.reduce((n, e) => n + e.bytes, 0);
  }
  get dropped(): Record<string, number> {
    return { ...this.state.dropped };
  }
  get droppedTotal(): number {
    return Object.values(this.state.dropped).reduce((a, b) => a + b, 0);
  }

  /** The oldest `n` pending events, in the order they happened. */
  peek(n: number): HubEvent[] {
    return this.pending.slice(0, n).map((e) => e.event);
  }

  /** Pending events matching `pred` (e.g. an acceptance not yet at the hub). */
  find(pred: (e: HubEvent) => boolean): HubEvent | undefined {
    return this.pending.find((e) => pred(e.event))?.event;
  }

  /** Resolves once the event is on disk; false when a full outbox dropped it (low-value only). */
  append(event: HubEvent): Promise<boolean> {
    return this.serial(async () => {
      const line = `${JSON.stringify(event)}\n`;
      const bytes = Buffer.byteLength(line);
      if (this.pendingBytes + bytes > this.capBytes) {
        this.dropLowValue(this.pendingBytes + bytes - this.capBytes);
        if (this.pendingBytes + bytes > this.capBytes && LOW_VALUE_KINDS.includes(event.kind)) {
          this.count(event.kind);
          await this.rewrite();
          return false;
        }
        await this.rewrite();
      } else if (this.fileBytes > this.capBytes * 2) {
        // Acknowledged lines are only trimmed now and then, to keep appends cheap.
        await this.rewrite();
      }
      const fh = await open(this.file, 'a', 0o600);
      try {
        await fh.write(line);
        await fh.sync();
      } finally {
        await fh.close();
      }
      this.fileBytes += bytes;
      this.pending.push({ event, bytes });
      return true;
    });
  }

  /** The hub has answered for these ids: forget the leading run of them. */
  acknowledge(ids: Iterable<string>): Promise<void> {
    const done = new Set(ids);
    return this.serial(async () => {
      let n = 0;
      while (n < this.pending.length && done.has((this.pending[n] as Entry).event.id)) n++;
      if (!n) return;
      this.state.ackedThrough = (this.pending[n - 1] as Entry).event.id;
      this.pending = this.pending.slice(n);
      await writeFileAtomic(this.stateFile, JSON.stringify(this.state), 0o600);
      if (!this.pending.length) await this.rewrite();
    });
  }

  private count(kind: string): void {
    this.state.dropped[kind] = (this.state.dropped[kind] ?? 0) + 1;
  }

  private dropLowValue(need: number): void {
    let freed = 0;
    for (const kind of LOW_VALUE_KINDS) {
      if (freed >= need) break;
      const keep: Entry[] = [];
      for (const e of this.pending) {
        if (freed < need && e.event.kind === kind) {
          freed += e.bytes;
          this.count(kind);
        } else keep.push(e);
      }
      this.pending = keep;
    }
  }

  /** Writes only the pending events back (atomically), then the state that matches it. */
  private async rewrite(): Promise<void> {
    const text = this.pending.map((e) => `${JSON.stringify(e.event)}\n`).join('');
    await writeFileAtomic(this.file, text, 0o600);
    this.fileBytes = Buffer.byteLength(text);
    // ackedThrough may now name an event no longer in the file: load() then sends all, which is safe.
    await writeFileAtomic(this.stateFile, JSON.stringify(this.state), 0o600);
  }
}
