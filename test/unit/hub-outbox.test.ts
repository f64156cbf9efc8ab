import { randomUUID } from 'node:crypto';
import { appendFile, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Outbox } from '../../src/service/hub-link/outbox';
import type { HubEvent } from '../../src/shared/hub-protocol';
import { tempDir } from '../support/hub-harness';

const at = '2026-11-30T08:00:00.000Z';
const heartbeat = (): HubEvent => ({
  id: randomUUID(),
  at,
  kind: 'heartbeat',
  serial: 7,
  enforcement: 'nftables ok',
});
const lock = (): HubEvent => ({ id: randomUUID(), at, kind: 'lock', person: 'p', reason: 'idle' });
const acceptance = (): HubEvent => ({
  id: randomUUID(),
  at,
  kind: 'acceptance',
  person: 'pupil',
  agreementId: 'aua',
  version: '3',
  textHash: 'abc',
});
const concern = (): HubEvent => ({ id: randomUUID(), at, kind: 'concernRaised', person: 'pupil' });
const override = (): HubEvent => ({ id: randomUUID(), at, kind: 'overrideUsed' });

describe('the hub outbox', () => {
  const dirs: { remove(): void }[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => d.remove()));
  const open = async (cap?: number) => {
    const t = tempDir('classlock-outbox-');
    dirs.push(t);
    const files = [join(t.dir, 'outbox.jsonl'), join(t.dir, 'state.json')] as const;
    return {
      files,
      box: await Outbox.open(files[0], files[1], cap),
      reopen: () => Outbox.open(files[0], files[1], cap),
    };
  };

  it('keeps what was appended across a restart, in order, root-only', async () => {
    const { box, reopen, files } = await open();
    const events = [acceptance(), lock(), concern()];
    for (const e of events) await box.append(e);
    expect((await stat(files[0])).mode & 0o777).toBe(0o600);
    const again = await reopen();
    expect(again.peek(10).map((e) => e.id)).toEqual(events.map((e) => e.id));
  });

  it('forgets acknowledged events, also after a restart, and keeps the rest', async () => {
    const { box, reopen } = await open();
    const events = [acceptance(), lock(), concern(), override()];
    for (const e of events) await box.append(e);
    // The hub answered for the first two (and, out of order, the fourth): only the leading run goes.
    await box.acknowledge([events[0]!.id, events[1]!.id, events[3]!.id]);
    expect(box.peek(10).map((e) => e.kind)).toEqual(['concernRaised', 'overrideUsed']);
    expect((await reopen()).peek(10).map((e) => e.kind)).toEqual(['concernRaised', 'overrideUsed']);
  });

  it('skips a line torn by a power cut and keeps the others', async () => {
    const { box, reopen, files } = await open();
    const a = acceptance();
    await box.append(a);
    await appendFile(files[0], '{"id":"half-writ');
    expect((await reopen()).peek(10).map((e) => e.id)).toEqual([a.id]);
  });

  it('when full, drops heartbeats first, then locks, counts them, and never drops acceptances, concerns or override uses', async () => {
    const { box, reopen } = await open(4000);
    const keep: HubEvent[] = [];
    for (let i = 0; i < 60; i++) {
      const e =
        i % 3 === 0
          ? heartbeat()
          : i % 3 === 1
            ? lock()
            : [acceptance, concern, override][i % 9 === 2 ? 0 : i % 9 === 5 ? 1 : 2]!();
      if (!['heartbeat', 'lock'].includes(e.kind)) keep.push(e);
      await box.append(e);
    }
    const left = box.peek(1000);
    const ids = new Set(left.map((e) => e.id));
    for (const e of keep) expect(ids.has(e.id)).toBe(true);
    const dropped = box.dropped;
    expect(dropped.heartbeat).toBe(20);
    expect((dropped.lock ?? 0) > 0).toBe(true);
    expect(left.filter((e) => e.kind === 'heartbeat').length).toBe(0);
    // The count survives a restart, so the hub learns how much was lost.
    expect((await reopen()).dropped).toEqual(dropped);
    // What stays is still in the order it happened.
    const order = left.map((e) => e.id);
    const appended = [...keep.map((e) => e.id)];
    expect(order.filter((id) => appended.includes(id))).toEqual(appended);
  });

  it('keeps an essential event even when that takes it over its size', async () => {
    const { box } = await open(600);
    for (let i = 0; i < 6; i++) await box.append(acceptance());
    expect(box.size).toBe(6);
    expect(box.pendingBytes).toBeGreaterThan(600);
    expect(await box.append(heartbeat())).toBe(false);
    expect(box.dropped.heartbeat).toBe(1);
  });

  it('writes every event to disk before append resolves', async () => {
    const { box, files } = await open();
    const e = concern();
    await box.append(e);
    expect(await readFile(files[0], 'utf8')).toContain(e.id);
  });
});
