import { generateKeyPairSync } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CommandRunner } from '../../src/core/enforcement/enforcer';
import {
  DirectNftablesEnforcer,
  NftablesEnforcer,
} from '../../src/core/enforcement/nftables-enforcer';
import { signPolicy } from '../../src/core/policy/bundle';
import type { Sanction } from '../../src/core/policy/schema';
import { ACCEPTED_SERIAL_FILE, startNetd, type Netd } from '../../src/helper/netd';
import { askNetd, FakeNft } from '../support/netd';
import { policyWith } from '../support/policy';

/**
 * An early lift proven by a signed policy, over the helper's real unix socket, with real
 * Ed25519 keys and real signed bundles, with nft replaced by FakeNft (test/support/netd.ts).
 */
/** The system's user database as `id -nu` answers it. */
const users: CommandRunner = {
  async run(file, args) {
    expect(file).toBe('id');
    const names: Record<string, string> = { '1500': 'jsmith', '1600': 'akhan' };
    const name = args[0] === '-nu' ? names[args[1] ?? ''] : undefined;
    return name
      ? { code: 0, stdout: `${name}\n`, stderr: '' }
      : { code: 1, stdout: '', stderr: `id: '${args[1]}': no such user` };
  },
};

const school = generateKeyPairSync('ed25519');
const rogue = generateKeyPairSync('ed25519');
const KEY_ID = 'school-2026';
const trusted = new Map([[KEY_ID, school.publicKey]]);

const NOW = Date.parse('2026-11-23T09:00:00Z');
const UNTIL = Date.parse('2026-11-23T10:00:00Z');

function sanction(change: Partial<Sanction> = {}): Sanction {
  return {
    id: '2026-041',
    user: 'jsmith',
    scope: 'internet',
    kind: 'sanction',
    until: '2026-11-23T10:00:00Z',
    reason: "Used another pupil's account",
    issuedBy: 'Mr Patel',
    issuedAt: '2026-11-23T08:00:00Z',
    ...change,
  };
}

/** A whole policy signed as classlock-admin signs it. */
function bundle(
  serial: number,
  sanctions: Sanction[],
  opts: { issuedAt?: string; key?: typeof school; keyId?: string } = {},
): string {
  const policy = policyWith((p) => {
    p.serial = serial;
    p.issuedAt = opts.issuedAt ?? '2026-11-23T08:30:00Z';
    p.sanctions = sanctions;
  });
  return signPolicy(policy, (opts.key ?? school).privateKey, opts.keyId ?? KEY_ID);
}

let dir: string;
let nft: FakeNft;
let netd: Netd;
let clock: number;

async function start(keys: typeof trusted | undefined = trusted): Promise<Netd> {
  return startNetd({
    socketPath: join(dir, 'netd.sock'),
    enforcer: new DirectNftablesEnforcer(nft, async () => []),
    now: () => clock,
    uidHasProcesses: async () => true,
    trustedKeys: keys,
    stateDir: join(dir, 'state'),
    runner: users,
    log: () => undefined,
  });
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'classlock-netd-signed-'));
  nft = new FakeNft();
  clock = NOW;
  netd = await start();
});

afterEach(async () => {
  await netd.close();
  await rm(dir, { recursive: true, force: true });
});

const send = (req: unknown) => askNetd(join(dir, 'netd.sock'), `${JSON.stringify(req)}\n`, 10_000);

const sanctioned = bundle(10, [sanction()]);
const lifted = bundle(11, []);

describe('classlock-netd: an early lift proven by the signed policy', () => {
  it('lifts at once when the signed policy no longer sanctions the user', async () => {
    expect(
      await send({ op: 'apply', uid: 1500, allow: [], until: UNTIL, bundle: sanctioned }),
    ).toEqual({ ok: true });
    expect(nft.restricted()).toEqual([1500]);
    expect(await send({ op: 'lift', uid: 1500, bundle: lifted })).toEqual({ ok: true });
    expect(nft.restricted()).toEqual([]);
  });

  it('lifts one user and keeps another whom the same policy still sanctions', async () => {
    const both = bundle(10, [
      sanction(),
      sanction({ id: '2026-042', user: 'SCHOOL\\akhan', until: undefined }),
    ]);
    await send({ op: 'apply', uid: 1500, allow: [], until: UNTIL, bundle: both });
    await send({ op: 'apply', uid: 1600, allow: [], until: null, bundle: both });
    const onlyAkhan = bundle(11, [
      sanction({ id: '2026-042', user: 'SCHOOL\\akhan', until: undefined }),
    ]);
    expect(await send({ op: 'lift', uid: 1500, bundle: onlyAkhan })).toEqual({ ok: true });
    // akhan is a bare local name; a sanction on SCHOOL\akhan still counts for it.
    const refused = await send({ op: 'lift', uid: 1600, bundle: onlyAkhan });
    expect(refused.ok).toBe(false);
    expect(refused.error).toMatch(
      /signed policy \(serial 11\) still withdraws internet access for akhan until a member of staff lifts it/,
    );
    expect(nft.restricted()).toEqual([1600]);
  });

  it('refuses when the signed policy still sanctions the user, and names until when', async () => {
    await send({ op: 'apply', uid: 1500, allow: [], until: UNTIL, bundle: sanctioned });
    const res = await send({ op: 'lift', uid: 1500, bundle: bundle(11, [sanction()]) });
    expect(res.ok).toBe(false);
    expect(res.error).toBe(
      'the signed policy (serial 11) still withdraws internet access for jsmith until 2026-11-23T10:00:00.000Z (sanction 2026-041)',
    );
    expect(nft.restricted()).toEqual([1500]);
    // A network sanction withdraws the internet too.
    const network = bundle(12, [sanction({ id: 'n-1', scope: 'network', until: undefined })]);
    expect((await send({ op: 'lift', uid: 1500, bundle: network })).error).toMatch(
      /serial 12\) still withdraws internet access for jsmith until a member of staff/,
    );
    expect(nft.restricted()).toEqual([1500]);
  });

  it('refuses a policy signed by a key the machine does not trust', async () => {
    await send({ op: 'apply', uid: 1500, allow: [], until: UNTIL, bundle: sanctioned });
    for (const forged of [
      bundle(11, [], { key: rogue }),
      bundle(11, [], { key: rogue, keyId: 'rogue-key' }),
    ]) {
      const res = await send({ op: 'lift', uid: 1500, bundle: forged });
      expect(res.ok).toBe(false);
      expect(res.error).toMatch(/not accepted: (signature does not match|signed with key rogue)/);
    }
    expect(nft.restricted()).toEqual([1500]);
  });

  it('refuses a signed policy with one byte changed', async () => {
    await send({ op: 'apply', uid: 1500, allow: [], until: UNTIL, bundle: sanctioned });
    // The pupil edits their own sanction out of a policy that still has it.
    const stillSanctioned = bundle(11, [sanction({ user: 'jsmith' })]);
    const at = stillSanctioned.indexOf('jsmith');
    const tampered = `${stillSanctioned.slice(0, at)}x${stillSanctioned.slice(at + 1)}`;
    expect(tampered).toContain('xsmith');
    const res = await send({ op: 'lift', uid: 1500, bundle: tampered });
    expect(res.ok).toBe(false);
    expect(res.error).toMatch(/signature does not match key school-2026/);
    expect(nft.restricted()).toEqual([1500]);
  });

  it('refuses an older policy than one already seen, also after the helper restarts', async () => {
    // Serial 11 had no sanction; serial 12 added it and restricted the pupil.
    const before = bundle(11, []);
    await send({
      op: 'apply',
      uid: 1500,
      allow: [],
      until: UNTIL,
      bundle: bundle(12, [sanction()]),
    });
    const replay = await send({ op: 'lift', uid: 1500, bundle: before });
    expect(replay.ok).toBe(false);
    expect(replay.error).toMatch(/serial 11 is older than the one in force \(12\)/);
    expect(nft.restricted()).toEqual([1500]);
    expect(JSON.parse(await readFile(join(dir, 'state', ACCEPTED_SERIAL_FILE), 'utf8'))).toEqual({
      highestSerial: 12,
    });

    await netd.close();
    netd = await start();
    // Re-applied by an app that did not send the policy: the floor survives on disk.
    await send({ op: 'apply', uid: 1500, allow: [], until: UNTIL });
    expect((await send({ op: 'lift', uid: 1500, bundle: before })).error).toMatch(
      /serial 11 is older than the one in force \(12\)/,
    );
    expect(nft.restricted()).toEqual([1500]);
    // Applied without a policy, so the lift's policy must also be issued after the apply.
    const later = bundle(13, [], { issuedAt: '2026-11-23T09:05:00Z' });
    expect(await send({ op: 'lift', uid: 1500, bundle: later })).toEqual({ ok: true });
    expect(nft.restricted()).toEqual([]);
  });

  it('with no serial known for a restriction, accepts only a policy issued after it was applied', async () => {
    // A restriction applied without a policy, on a helper that has never seen one.
    await send({ op: 'apply', uid: 1500, allow: [], until: UNTIL });
    const old = bundle(11, [], { issuedAt: '2026-11-23T08:59:00Z' });
    expect((await send({ op: 'lift', uid: 1500, bundle: old })).error).toMatch(
      /issued at 2026-11-23T08:59:00.000Z, before uid 1500 was restricted/,
    );
    expect(nft.restricted()).toEqual([1500]);
    clock = NOW + 60_000;
    const fresh = bundle(12, [], { issuedAt: '2026-11-23T09:01:00Z' });
    expect(await send({ op: 'lift', uid: 1500, bundle: fresh })).toEqual({ ok: true });
  });

  it('without a policy, the old rules stand: refused until the end or logoff', async () => {
    await send({ op: 'apply', uid: 1500, allow: [], until: UNTIL, bundle: sanctioned });
    expect((await send({ op: 'lift', uid: 1500 })).error).toMatch(
      /uid 1500 is restricted until 2026-11-23T10:00:00.000Z by this computer's clock/,
    );
    expect(nft.restricted()).toEqual([1500]);
    clock = UNTIL;
    expect(await send({ op: 'lift', uid: 1500 })).toEqual({ ok: true });
    expect(nft.restricted()).toEqual([]);
  });

  it('refuses a policy over 5 MB and one for a uid with no user name', async () => {
    await send({ op: 'apply', uid: 1500, allow: [], until: UNTIL, bundle: sanctioned });
    const huge = `${' '.repeat(5 * 1024 * 1024)}${lifted}`;
    const res = await send({ op: 'lift', uid: 1500, bundle: huge });
    expect(res.error).toMatch(/5\.0 MB, over the limit of 5\.0 MB/);
    await send({ op: 'apply', uid: 1700, allow: [], until: UNTIL, bundle: sanctioned });
    expect((await send({ op: 'lift', uid: 1700, bundle: lifted })).error).toMatch(
      /uid 1700 has no user name on this computer/,
    );
    expect(nft.restricted()).toEqual([1500, 1700]);
  });

  it('with no trusted keys configured, no early lift is possible', async () => {
    await netd.close();
    netd = await start(new Map());
    await send({ op: 'apply', uid: 1500, allow: [], until: UNTIL });
    expect((await send({ op: 'lift', uid: 1500, bundle: lifted })).error).toMatch(
      /trusts no policy signing key/,
    );
    expect(nft.restricted()).toEqual([1500]);
  });

  it('ignores a damaged state file rather than refusing to start', async () => {
    await netd.close();
    await mkdir(join(dir, 'state'));
    await writeFile(join(dir, 'state', ACCEPTED_SERIAL_FILE), 'not json');
    netd = await start();
    await send({ op: 'apply', uid: 1500, allow: [], until: UNTIL, bundle: sanctioned });
    expect(await send({ op: 'lift', uid: 1500, bundle: lifted })).toEqual({ ok: true });
    expect(JSON.parse(await readFile(join(dir, 'state', ACCEPTED_SERIAL_FILE), 'utf8'))).toEqual({
      highestSerial: 11,
    });
  });
});

describe('NftablesEnforcer with the current policy', () => {
  it('sends the policy in force, so IT’s early lift reaches the firewall', async () => {
    let current: string | undefined = sanctioned;
    const app = new NftablesEnforcer({
      socketPath: join(dir, 'netd.sock'),
      currentBundle: () => current,
    });
    await app.apply({ account: 'jsmith', uid: 1500 }, [], { until: UNTIL });
    expect(nft.restricted()).toEqual([1500]);
    await expect(app.lift({ account: 'jsmith', uid: 1500 })).rejects.toThrow(
      /network helper refused: the signed policy \(serial 10\) still withdraws internet access for jsmith/,
    );
    current = lifted;
    await app.lift({ account: 'jsmith', uid: 1500 });
    expect(nft.restricted()).toEqual([]);
    // The apply told the helper the serial in force.
    expect(JSON.parse(await readFile(join(dir, 'state', ACCEPTED_SERIAL_FILE), 'utf8'))).toEqual({
      highestSerial: 11,
    });
  });

  it('without a policy to send, a lift before the end is refused as before', async () => {
    const app = new NftablesEnforcer({ socketPath: join(dir, 'netd.sock') });
    await app.apply({ account: 'jsmith', uid: 1500 }, [], { until: UNTIL });
    await expect(app.lift({ account: 'jsmith', uid: 1500 })).rejects.toThrow(
      /uid 1500 is restricted until/,
    );
    expect(nft.restricted()).toEqual([1500]);
  });
});
