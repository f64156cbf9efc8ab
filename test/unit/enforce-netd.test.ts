import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DirectNftablesEnforcer,
  NftablesEnforcer,
} from '../../src/core/enforcement/nftables-enforcer';
import { NETD_MAX_LINE } from '../../src/core/enforcement/netd-protocol';
import { startNetd, type Netd } from '../../src/helper/netd';
import { askNetd, FakeNft } from '../support/netd';

/**
 * The helper's socket protocol, over a real unix socket in a temp folder, with nft
 * replaced by FakeNft (test/support/netd.ts).
 */
let dir: string;
let nft: FakeNft;
let netd: Netd;
let clock: number;
let loggedIn: Set<number>;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'classlock-netd-'));
  nft = new FakeNft();
  nft.loaded =
    'table inet classlock {\n\tchain output {\n\t\tmeta skuid 1234 jump user_1234\n\t}\n}\n';
  clock = Date.parse('2026-11-23T09:00:00Z');
  loggedIn = new Set([1500, 1600]);
  netd = await startNetd({
    socketPath: join(dir, 'netd.sock'),
    enforcer: new DirectNftablesEnforcer(nft, async () => []),
    now: () => clock,
    uidHasProcesses: async (uid) => loggedIn.has(uid),
    log: () => undefined,
  });
});

afterEach(async () => {
  await netd.close();
  await rm(dir, { recursive: true, force: true });
});

const ask = (text: string) => askNetd(join(dir, 'netd.sock'), text);
const send = (req: unknown) => ask(`${JSON.stringify(req)}\n`);
const UNTIL = Date.parse('2026-11-23T10:00:00Z');

describe('classlock-netd', () => {
  it('clears leftovers from an earlier run when it starts', () => {
    expect(nft.restricted()).toEqual([]);
    expect(nft.loaded).toContain('delete table inet classlock');
  });

  it('creates its socket with a mode the users group can use, not everyone', async () => {
    expect((await stat(join(dir, 'netd.sock'))).mode & 0o777).toBe(0o660);
  });

  it.each([
    [{ op: 'apply', uid: 0, allow: [] }, /root/],
    [{ op: 'apply', uid: 999, allow: [] }, /system account/],
    [{ op: 'lift', uid: 0 }, /root/],
    [{ op: 'apply', uid: -1, allow: [] }, /not one classlock-netd accepts/],
    [{ op: 'apply', uid: 1.5, allow: [] }, /not one classlock-netd accepts/],
    [{ op: 'apply', uid: '1500', allow: [] }, /not one classlock-netd accepts/],
    [{ op: 'apply', uid: 1500 }, /allow/],
    [{ op: 'apply', uid: 1500, allow: ['10.0.0.1; flush ruleset'] }, /allow\.0/],
    [{ op: 'apply', uid: 1500, allow: ['"}; table ip x {'] }, /allow\.0/],
    [{ op: 'apply', uid: 1500, allow: [], extra: true }, /not one classlock-netd accepts/],
    [{ op: 'flush' }, /not one classlock-netd accepts/],
    [[], /not one classlock-netd accepts/],
  ])('refuses %j and changes nothing', async (req, why) => {
    const res = await send(req);
    expect(res.ok).toBe(false);
    expect(res.error).toMatch(why);
    expect(nft.restricted()).toEqual([]);
  });

  it('refuses text that is not JSON, and a line that never ends', async () => {
    expect(await ask('{"op":"apply",\n')).toEqual({ ok: false, error: 'the request is not JSON' });
    expect(await ask('x'.repeat(NETD_MAX_LINE + 1))).toEqual({
      ok: false,
      error: 'the request is too long',
    });
    expect(nft.restricted()).toEqual([]);
  });

  it('applies for a user account and keeps it while the user is logged in', async () => {
    expect(await send({ op: 'apply', uid: 1500, allow: ['10.0.0.0/8'], until: UNTIL })).toEqual({
      ok: true,
    });
    expect(nft.restricted()).toEqual([1500]);
    expect(nft.loaded).toContain('elements = { 10.0.0.0/8 }');
    const early = await send({ op: 'lift', uid: 1500 });
    expect(early.ok).toBe(false);
    expect(early.error).toMatch(/until 2026-11-23T10:00:00.000Z/);
    expect(nft.restricted()).toEqual([1500]);
  });

  it('lifts once the end has passed by its own clock', async () => {
    await send({ op: 'apply', uid: 1500, allow: [], until: UNTIL });
    clock = UNTIL;
    expect(await send({ op: 'lift', uid: 1500 })).toEqual({ ok: true });
    expect(nft.restricted()).toEqual([]);
    // Lifting what is not restricted is fine.
    expect(await send({ op: 'lift', uid: 1500 })).toEqual({ ok: true });
  });

  it('a second apply can extend a restriction but never shorten it', async () => {
    await send({ op: 'apply', uid: 1500, allow: [], until: UNTIL });
    await send({ op: 'apply', uid: 1500, allow: [], until: 0 });
    clock = UNTIL - 1;
    expect((await send({ op: 'lift', uid: 1500 })).ok).toBe(false);
    await send({ op: 'apply', uid: 1500, allow: [], until: null });
    clock = UNTIL + 1;
    expect((await send({ op: 'lift', uid: 1500 })).error).toMatch(/until staff lift it/);
  });

  it('removes the rules of a user who logged off, on lift, clear or its own sweep', async () => {
    await send({ op: 'apply', uid: 1500, allow: [] });
    await send({ op: 'apply', uid: 1600, allow: [] });
    expect(nft.restricted()).toEqual([1500, 1600]);
    expect((await send({ op: 'clear' })).ok).toBe(true);
    expect(nft.restricted()).toEqual([1500, 1600]);
    loggedIn.delete(1500);
    expect(await send({ op: 'clear' })).toEqual({ ok: true });
    expect(nft.restricted()).toEqual([1600]);
    loggedIn.delete(1600);
    expect(await netd.sweep()).toBe(1);
    expect(nft.restricted()).toEqual([]);
  });

  it('removes every rule when it stops', async () => {
    await send({ op: 'apply', uid: 1500, allow: [] });
    await netd.close();
    expect(nft.restricted()).toEqual([]);
    netd = { socketPath: '', sweep: async () => 0, close: async () => undefined };
  });
});

describe('NftablesEnforcer, the desktop app’s client', () => {
  it('restricts and lifts through the helper', async () => {
    const client = new NftablesEnforcer(join(dir, 'netd.sock'));
    await client.apply({ account: 'jsmith', uid: 1500 }, ['intranet.school.local'], {
      until: UNTIL,
    });
    expect(nft.restricted()).toEqual([1500]);
    await expect(client.lift({ account: 'jsmith', uid: 1500 })).rejects.toThrow(
      /network helper refused: uid 1500 is restricted until/,
    );
    clock = UNTIL;
    await client.lift({ account: 'jsmith', uid: 1500 });
    expect(nft.restricted()).toEqual([]);
  });

  it('says in words when the helper is not running or the user has no uid', async () => {
    const client = new NftablesEnforcer(join(dir, 'missing.sock'));
    await expect(client.apply({ account: 'jsmith', uid: 1500 }, [])).rejects.toThrow(
      /not running .*systemctl enable --now classlock-netd/,
    );
    await expect(client.apply({ account: 'jsmith' }, [])).rejects.toThrow(
      /No Linux user id for jsmith/,
    );
  });
});
