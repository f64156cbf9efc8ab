import { chmod, copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseAuditLines } from '../../src/core/audit/audit-log';
import { ManualClock } from '../../src/core/clock';
import { ProcessRunner, type CommandRunner } from '../../src/core/enforcement/enforcer';
import { DirectNftablesEnforcer } from '../../src/core/enforcement/nftables-enforcer';
import { PosixGroups } from '../../src/core/identity/groups';
import { parseUser } from '../../src/core/identity/user';
import type { Policy } from '../../src/core/policy/schema';
import { PinStore } from '../../src/core/unlock/pin-store';
import { hashSecret } from '../../src/core/unlock/scrypt-hash';
import { startClasslockd, type Classlockd } from '../../src/service/classlockd';
import { osIdentityResolver } from '../../src/service/identity';
import { ManualSessionSource } from '../../src/service/os/manual-session-source';
import { accountOfUid, PeerCredProvider } from '../../src/service/peer-credentials';
import { SERVICE_PROTOCOL } from '../../src/shared/service-protocol';
import { FakeNft } from '../support/netd';
import { policyWith } from '../support/policy';
import { T0 } from '../support/session';
import {
  addGroup,
  addUser,
  Lines,
  realUsersUnavailable,
  removeGroup,
  removeUser,
  sh,
  spawnAs,
  type TestUser,
} from './support/os-users';

/**
 * classlockd as root with three real Linux accounts (a pupil, a teacher, a second pupil)
 * whose own programs talk to its socket and poke at its data folder. Each attack from
 * issue 8 is tried the way a pupil would, from their own account.
 */
const skip = realUsersUnavailable();
const STAFF_GROUP = 'clt8staff';
const PIN = 'Tea4two!';
let pupil: TestUser;
let teacher: TestUser;
let pupil2: TestUser;

beforeAll(() => {
  if (skip) return;
  addGroup(STAFF_GROUP, 3810);
  pupil = addUser('clt8pupil', 3801);
  teacher = addUser('clt8teach', 3802, [STAFF_GROUP]);
  pupil2 = addUser('clt8pupil2', 3803);
});
afterAll(() => {
  if (skip) return;
  for (const u of ['clt8pupil', 'clt8teach', 'clt8pupil2']) removeUser(u);
  removeGroup(STAFF_GROUP);
});

const basePolicy = (change: (p: Policy) => void = () => undefined): Policy =>
  policyWith((p) => {
    p.agreements = [];
    p.roleMapping.rules = [{ role: 'staff', groups: [STAFF_GROUP] }];
    change(p);
  });

const internetSanction = (user: string): Policy['sanctions'][number] => ({
  id: `net-${user}`,
  user,
  scope: 'internet',
  kind: 'sanction',
  until: new Date(T0 + 7 * 86_400_000).toISOString(),
  reason: 'Misuse of the school network',
  issuedBy: 'Mr Patel',
  issuedAt: new Date(T0 - 86_400_000).toISOString(),
});

interface Booted {
  service: Classlockd;
  source: ManualSessionSource;
  clock: ManualClock;
  base: string;
  data: string;
  socket: string;
  script: string;
}
const running: Booted[] = [];
const children: Lines[] = [];

async function boot(
  policy: Policy,
  o: { enforcer?: DirectNftablesEnforcer; helloTimeoutMs?: number; base?: string } = {},
): Promise<Booted> {
  const base = o.base ?? (await mkdtemp(join(tmpdir(), 'clt8-')));
  // Users may reach the socket and the script; the data folder inside stays root-only.
  await chmod(base, 0o755);
  const run = join(base, 'run');
  await mkdir(run, { recursive: true, mode: 0o755 });
  const script = join(run, 'user-client.mjs');
  await copyFile(join(import.meta.dirname, 'support', 'user-client.mjs'), script);
  await chmod(script, 0o644);
  const clock = new ManualClock(T0);
  const source = new ManualSessionSource({
    perform: { lock: async () => undefined, terminate: async () => undefined },
  });
  const groups = new PosixGroups();
  const data = join(base, 'data');
  const socket = join(run, 'classlockd.sock');
  const service = await startClasslockd({
    socketPath: socket,
    dataDir: data,
    dataDirOwner: 0,
    clock,
    config: null,
    defaultPolicy: async () => policy,
    source,
    peers: new PeerCredProvider(),
    resolveIdentity: osIdentityResolver({ accountOfUid, groups, minUid: 1000 }),
    groups,
    hostname: 'ROOM12-LAB-01',
    readOsMachineId: () => 'test-machine-0008',
    ...(o.enforcer ? { enforcer: o.enforcer } : {}),
    ...(o.helloTimeoutMs ? { helloTimeoutMs: o.helloTimeoutMs } : {}),
    tickMs: 0,
    syncMs: 0,
    log: () => undefined,
  });
  const b = { service, source, clock, base, data, socket, script };
  running.push(b);
  return b;
}

afterEach(async () => {
  for (const c of children.splice(0)) c.child.kill('SIGKILL');
  for (const b of running.splice(0)) {
    await b.service.close();
    await rm(b.base, { recursive: true, force: true });
  }
});

const hello = { type: 'hello', protocol: SERVICE_PROTOCOL, clientVersion: 'test' };

/** Run the client script as `user` with these requests; every answer line. */
async function ask(
  b: Booted,
  user: TestUser,
  requests: object[],
): Promise<Record<string, unknown>[]> {
  const lines = new Lines(
    spawnAs(user, [process.execPath, b.script, 'requests', b.socket, JSON.stringify(requests)]),
  );
  children.push(lines);
  await lines.exited;
  return lines.all.filter((l) => typeof l.id === 'number');
}

/** A client that stays connected (until killed). */
async function hold(b: Booted, user: TestUser, requests: object[] = [hello]): Promise<Lines> {
  const lines = new Lines(
    spawnAs(user, [
      process.execPath,
      b.script,
      'requests',
      b.socket,
      JSON.stringify(requests),
      'hold',
    ]),
  );
  children.push(lines);
  await lines.waitFor((l) => l.done === true);
  return lines;
}

/** A file operation as `user`: 'OK' or the error code. */
async function tryAs(
  user: TestUser,
  b: Booted,
  op: string,
  path: string,
  data?: string,
): Promise<string> {
  const lines = new Lines(
    spawnAs(user, [process.execPath, b.script, 'fs', JSON.stringify({ op, path, data })]),
  );
  children.push(lines);
  await lines.exited;
  return String(lines.all[0]?.result);
}

async function audit(b: Booted) {
  return parseAuditLines(await readFile(join(b.data, 'audit.jsonl'), 'utf8'));
}

const sessionOf = (b: Booted, account: string) =>
  b.service.host.list().find((h) => h.account === account);

async function enrolTeacher(b: Booted): Promise<void> {
  const r = await ask(b, teacher, [
    hello,
    { type: 'intent', intent: { type: 'enrolPin', pin: PIN, confirm: PIN } },
  ]);
  expect(r.map((x) => x.screen)).toEqual(['pinEnrol', 'none']);
}

describe.skipIf(skip)(`classlockd with real OS users${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it("knows each client's account from the kernel: each user gets their own session", async () => {
    const b = await boot(basePolicy());
    const [p] = await ask(b, pupil, [hello]);
    const [t] = await ask(b, teacher, [hello]);
    expect(p).toMatchObject({ ok: true, account: 'clt8pupil', screen: 'none' });
    // Staff by the policy's rule and the OS group, so asked to set a PIN.
    expect(t).toMatchObject({ ok: true, account: 'clt8teach', screen: 'pinEnrol' });
  });

  it("a teacher's PIN set on this PC unlocks a pupil's concern lock from the pupil's session", async () => {
    const b = await boot(basePolicy());
    await enrolTeacher(b);
    const r = await ask(b, pupil, [
      hello,
      { type: 'hideScreen' },
      {
        type: 'intent',
        intent: { type: 'unlock', method: 'pin', username: 'clt8teach', secret: PIN },
      },
    ]);
    expect(r[1]).toMatchObject({ screen: 'locked', reason: 'concern' });
    expect(r[2]).toMatchObject({ ok: true, screen: 'none' });
  });

  it('attack 1: a pupil cannot plant a PIN record for a teacher; the teacher is still asked to set one', async () => {
    const b = await boot(basePolicy());
    expect(await tryAs(pupil, b, 'write', join(b.data, 'pins', 'planted.json'))).toBe('EACCES');
    expect(await tryAs(pupil, b, 'readdir', join(b.data, 'pins'))).toBe('EACCES');
    const [t] = await ask(b, teacher, [hello]);
    expect(t?.screen).toBe('pinEnrol');
  });

  it("attack 2: 'staff' written in a pupil's own PIN record does not make them staff on another pupil's lock", async () => {
    const b = await boot(basePolicy());
    expect(await tryAs(pupil, b, 'write', join(b.data, 'pins', 'mine.json'))).toBe('EACCES');
    // Even a record that says staff (from an earlier version, or a restore) counts for nothing.
    await new PinStore(join(b.data, 'pins')).set(parseUser('clt8pupil'), {
      user: 'clt8pupil',
      role: 'staff',
      hash: await hashSecret('Pup1l!pin'),
      setAt: new Date(T0).toISOString(),
    });
    const r = await ask(b, pupil2, [
      hello,
      { type: 'hideScreen' },
      {
        type: 'intent',
        intent: { type: 'unlock', method: 'pin', username: 'clt8pupil', secret: 'Pup1l!pin' },
      },
    ]);
    expect(r[2]).toMatchObject({ screen: 'locked', message: 'unlock.notAllowed' });
  });

  it("attack 3: a pupil cannot plant or delete a throttle, and their wrong tries do not slow the teacher's own PIN", async () => {
    const b = await boot(basePolicy());
    await enrolTeacher(b);
    expect(
      await tryAs(
        pupil,
        b,
        'write',
        join(b.data, 'throttle', 'teacher.json'),
        '{"failures":99,"waitUntil":9e15}',
      ),
    ).toBe('EACCES');
    expect(await tryAs(pupil, b, 'unlink', join(b.data, 'throttle', 'anything.json'))).toBe(
      'EACCES',
    );
    const wrong = {
      type: 'intent',
      intent: { type: 'unlock', method: 'pin', username: 'clt8teach', secret: 'Wr0ng!!' },
    };
    await ask(b, pupil, [hello, { type: 'hideScreen' }, wrong, wrong, wrong, wrong, wrong]);
    const r = await ask(b, teacher, [
      hello,
      { type: 'lockNow' },
      { type: 'intent', intent: { type: 'unlock', method: 'pin', secret: PIN } },
    ]);
    expect(r[1]?.screen).toBe('locked');
    expect(r[2]).toMatchObject({ ok: true, screen: 'none' });
  });

  it('attack 4: a pupil cannot plant a FIFO in state/ or policies/; the service restarts and serves', async () => {
    const b = await boot(basePolicy());
    expect(await tryAs(pupil, b, 'mkfifo', join(b.data, 'state', 'trusted-time.json'))).toBe(
      'EACCES',
    );
    expect(await tryAs(pupil, b, 'mkfifo', join(b.data, 'policies', 'zz.json'))).toBe('EACCES');
    await b.service.close();
    running.splice(running.indexOf(b), 1);
    const again = await boot(basePolicy(), { base: b.base });
    const [p] = await ask(again, pupil, [hello]);
    expect(p).toMatchObject({ ok: true, account: 'clt8pupil' });
  });

  it('attack 5: killing the client changes nothing: the sanction stays and the watchdog locks the session', async () => {
    const nft = new FakeNft();
    const b = await boot(
      basePolicy((p) => (p.sanctions = [internetSanction('clt8pupil')])),
      {
        enforcer: new DirectNftablesEnforcer(nft, async () => []),
      },
    );
    // Applied at sign-in, before any client exists.
    b.source.add({ id: 'c1', uid: pupil.uid, account: 'clt8pupil', graphical: true });
    await b.service.sync();
    expect(nft.restricted()).toEqual([pupil.uid]);

    const client = await hold(b, pupil);
    await expect.poll(() => sessionOf(b, 'clt8pupil')?.clients.size, { timeout: 10_000 }).toBe(1);
    client.child.kill('SIGKILL');
    await expect.poll(() => sessionOf(b, 'clt8pupil')?.clients.size, { timeout: 10_000 }).toBe(0);

    b.clock.advance(21_000);
    await b.service.tick();
    expect(b.source.locked).toEqual(['c1']);
    expect(nft.restricted()).toEqual([pupil.uid]);
    const records = await audit(b);
    expect(records.find((r) => r.event === 'watchdog.locked')).toMatchObject({
      osAccount: 'clt8pupil',
    });
  });

  it('pausing the client (kill -STOP) is the same as killing it: the watchdog locks the session', async () => {
    const b = await boot(basePolicy());
    b.source.add({ id: 'c1', uid: pupil.uid, account: 'clt8pupil', graphical: true });
    await b.service.sync();
    const client = await hold(b, pupil);
    await expect.poll(() => sessionOf(b, 'clt8pupil')?.clients.size, { timeout: 10_000 }).toBe(1);
    client.child.kill('SIGSTOP');
    for (let i = 0; i < 21; i++) {
      b.clock.advance(1000);
      await b.service.tick();
    }
    // Still connected, yet locked.
    expect(sessionOf(b, 'clt8pupil')?.clients.size).toBe(1);
    expect(b.source.locked).toEqual(['c1']);
    client.child.kill('SIGKILL');
  });

  it('attack 6: sixteen idle connections from a pupil starve nothing', async () => {
    const nft = new FakeNft();
    const b = await boot(
      basePolicy((p) => (p.sanctions = [internetSanction('clt8pupil2')])),
      {
        enforcer: new DirectNftablesEnforcer(nft, async () => []),
        helloTimeoutMs: 800,
      },
    );
    const flood = new Lines(
      spawnAs(pupil, [process.execPath, b.script, 'idle', b.socket, '16', '1500']),
    );
    children.push(flood);

    await expect
      .poll(() => b.service.connections().get(`uid ${pupil.uid}`), { timeout: 10_000 })
      .toBe(4);
    // While the pupil holds what they can: another user signs in and is restricted, and a teacher is answered.
    b.source.add({ id: 'c2', uid: pupil2.uid, account: 'clt8pupil2', graphical: true });
    await b.service.sync();
    expect(nft.restricted()).toEqual([pupil2.uid]);
    const [t] = await ask(b, teacher, [hello]);
    expect(t?.ok).toBe(true);
    await flood.exited;
    // At most four were let in, and those were closed for never saying hello.
    expect(flood.all[0]).toEqual({ opened: 16, closedBy: 16 });
  });

  it('attack 7: a pupil cannot write the audit log, and text they send cannot forge a record', async () => {
    const b = await boot(basePolicy());
    expect(
      await tryAs(pupil, b, 'append', join(b.data, 'audit.jsonl'), '{"event":"forged"}\n{"ev'),
    ).toBe('EACCES');
    await ask(b, pupil, [
      hello,
      {
        type: 'shellReport',
        report: { problems: ['x"}\n{"event":"forged","user":"clt8teach"}\n'] },
      },
    ]);
    const text = await readFile(join(b.data, 'audit.jsonl'), 'utf8');
    const lines = text.split('\n').filter(Boolean);
    expect(lines.every((l) => JSON.parse(l) !== null)).toBe(true);
    expect(lines.some((l) => (JSON.parse(l) as { event: string }).event === 'forged')).toBe(false);
    expect((await audit(b)).find((r) => r.event === 'client.problems')).toMatchObject({
      osAccount: 'clt8pupil',
    });
  });

  it("a second pupil cannot read or change the first one's records or session", async () => {
    const b = await boot(basePolicy());
    await ask(b, pupil, [hello]);
    expect(await tryAs(pupil2, b, 'readdir', join(b.data, 'acceptances'))).toBe('EACCES');
    expect(await tryAs(pupil2, b, 'read', join(b.data, 'audit.jsonl'))).toBe('EACCES');
    const r = await ask(b, pupil2, [hello, { type: 'lockNow' }]);
    expect(r[0]?.account).toBe('clt8pupil2');
    expect(r[1]?.screen).toBe('locked');
    expect(sessionOf(b, 'clt8pupil')?.runtime.view().screen).toBe('none');
  });

  it('refuses to start on a data folder other accounts can write, in words IT understands', async () => {
    const base = await mkdtemp(join(tmpdir(), 'clt8-'));
    await mkdir(join(base, 'data'), { mode: 0o777 });
    await chmod(join(base, 'data'), 0o1777);
    await expect(boot(basePolicy(), { base })).rejects.toThrow(
      /can be opened by other accounts.*chmod 700/,
    );
    await rm(base, { recursive: true, force: true });
  });
});

/** nftables in a network namespace this test creates, as test/system/nftables.test.ts does. */
const NS = `clt8-${process.pid % 10000}`;
function netnsUnavailable(): string | undefined {
  if (skip) return skip;
  const add = sh(['ip', 'netns', 'add', `${NS}p`]);
  if (add.code !== 0) return `the kernel refused a network namespace: ${add.err.trim()}`;
  const nft = sh(
    ['ip', 'netns', 'exec', `${NS}p`, 'nft', '-f', '-'],
    'table inet probe\ndelete table inet probe\n',
  );
  sh(['ip', 'netns', 'del', `${NS}p`]);
  return nft.code === 0 ? undefined : `nftables is refused in a namespace: ${nft.err.trim()}`;
}
const noNetns = netnsUnavailable();
const inNamespace = (inner: CommandRunner): CommandRunner => ({
  run: (file, args, input) => inner.run('ip', ['netns', 'exec', NS, file, ...args], input),
});

describe.skipIf(noNetns)(
  `classlockd and real nftables${noNetns ? ` (skipped: ${noNetns})` : ''}`,
  () => {
    beforeAll(() => {
      sh(['ip', 'netns', 'add', NS]);
    });
    afterAll(() => {
      sh(['ip', 'netns', 'del', NS]);
    });

    it("a killed client leaves the pupil's rule in force in the kernel", async () => {
      const b = await boot(
        basePolicy((p) => (p.sanctions = [internetSanction('clt8pupil')])),
        {
          enforcer: new DirectNftablesEnforcer(inNamespace(new ProcessRunner()), async () => []),
        },
      );
      b.source.add({ id: 'c1', uid: pupil.uid, account: 'clt8pupil', graphical: true });
      await b.service.sync();
      const client = await hold(b, pupil);
      client.child.kill('SIGKILL');
      await expect.poll(() => sessionOf(b, 'clt8pupil')?.clients.size, { timeout: 10_000 }).toBe(0);
      b.clock.advance(21_000);
      await b.service.tick();
      const table = sh(['ip', 'netns', 'exec', NS, 'nft', 'list', 'ruleset']);
      expect(table.out).toMatch(new RegExp(`skuid ${pupil.uid}`));
      expect(b.source.locked).toEqual(['c1']);
    });
  },
);
