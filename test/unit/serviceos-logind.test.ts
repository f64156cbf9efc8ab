import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import dbus from 'dbus-next';
import { LogindSessionSource } from '../../src/service/os/logind-session-source';
import { linuxSessionSource } from '../../src/service/os/logind-choose';
import {
  type FakeManager,
  type PrivateBus,
  haveDaemon,
  pathOf,
  session,
  startBusWithLogind,
} from './serviceos-fake-logind';

/** The real client code against a real dbus-daemon, with a stand-in logind on it. */
let bus: PrivateBus;
let manager: FakeManager;
const openBus = () => bus.open();

/** Resolves when `pred` holds, checking on each bus message; bounded to a few seconds. */
async function until(pred: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !pred(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!pred()) throw new Error(`timed out waiting for ${what}`);
}

beforeAll(async () => {
  if (!haveDaemon) return;
  bus = await startBusWithLogind();
  manager = bus.manager;
  manager.add(session({ id: '2', pids: [4000, 4001], leader: 4000 }), false);
  manager.add(
    session({ id: 'c1', uid: 113, name: 'lightdm', type: 'x11', klass: 'greeter', leader: 900 }),
    false,
  );
  manager.add(session({ id: '5', uid: 3002, name: 'teacher1', type: 'tty', leader: 5000 }), false);
}, 15_000);

afterAll(async () => {
  await bus?.stop();
});

describe.skipIf(!haveDaemon)(
  `logind over a real D-Bus${haveDaemon ? '' : ' (skipped: no dbus-daemon here; apt-get install dbus-daemon)'}`,
  () => {
    it('lists who is signed in, and only a user desktop counts as graphical', async () => {
      const src = new LogindSessionSource({ connect: openBus });
      const list = await src.list();
      expect(list.map((s) => [s.id, s.account, s.uid, s.graphical])).toEqual([
        ['2', 'pupil1', 3001, true],
        ['c1', 'lightdm', 113, false],
        ['5', 'teacher1', 3002, false],
      ]);
      expect(list[0]).toMatchObject({
        type: 'wayland',
        class: 'user',
        leaderPid: 4000,
        active: true,
      });
      src.close();
    });

    it('leaves out a session that ended between the list and the question', async () => {
      const src = new LogindSessionSource({ connect: openBus });
      manager.ghosts.push('99');
      try {
        expect((await src.list()).map((s) => s.id)).toEqual(['2', 'c1', '5']);
      } finally {
        manager.ghosts.length = 0;
        src.close();
      }
    });

    it("finds a connecting client's session from its pid, and none for a stranger", async () => {
      const src = new LogindSessionSource({ connect: openBus });
      expect(await src.sessionOfPid(4001)).toBe('2');
      expect(await src.sessionOfPid(99999)).toBeUndefined();
      expect(await src.sessionOfPid(-1)).toBeUndefined();
      src.close();
    });

    it("finds the desktop session of a program started in the user's own systemd scope", async () => {
      const src = new LogindSessionSource({ connect: openBus });
      manager.scopedPids.set(6100, 3001); // pupil1's autostarted client under user@3001.service
      manager.scopedPids.set(6200, 3002); // teacher1 has only a text session: no desktop
      expect(await src.sessionOfPid(6100)).toBe('2');
      expect(await src.sessionOfPid(6200)).toBeUndefined();
      src.close();
    });

    it('locks and signs out a session by id, and names an unknown one', async () => {
      const src = new LogindSessionSource({ connect: openBus });
      manager.add(session({ id: '7', name: 'pupil2', uid: 3003 }), false);
      await src.lock('7');
      expect(manager.locked).toContain('7');
      await src.terminate('7');
      expect((await src.list()).map((s) => s.id)).not.toContain('7');
      await expect(src.lock('nope')).rejects.toThrow(/No session 'nope'/);
      src.close();
    });

    it("reports logind's idle hint in epoch milliseconds", async () => {
      const src = new LogindSessionSource({ connect: openBus });
      manager.add(session({ id: '8', idle: true, idleSinceUs: 1_790_000_000_123_456n }), false);
      expect(await src.idleHint('8')).toEqual({ idle: true, sinceMs: 1_790_000_000_123 });
      expect(await src.idleHint('2')).toEqual({ idle: false, sinceMs: 0 });
      expect(await src.idleHint('nope')).toBeUndefined();
      src.close();
    });

    it('hears sessions come and go, and ignores the same signal forged by another bus user', async () => {
      let clientBus: dbus.MessageBus | undefined;
      const src = new LogindSessionSource({
        connect: () => (clientBus = openBus()),
      });
      let heard = 0;
      const stop = src.watch(() => heard++);
      // The subscription is in place once the source has asked the bus who logind is.
      await src.list();
      await until(
        () => (src as unknown as { logindOwner?: string }).logindOwner !== undefined,
        'subscription',
      );

      const attacker = openBus();
      await attacker.getProxyObject('org.freedesktop.DBus', '/org/freedesktop/DBus');
      attacker.send(
        new dbus.Message({
          type: dbus.MessageType.SIGNAL,
          destination: (clientBus as unknown as { name: string }).name,
          path: '/org/freedesktop/login1',
          interface: 'org.freedesktop.login1.Manager',
          member: 'SessionRemoved',
          signature: 'so',
          body: ['2', pathOf('2')],
        }),
      );
      // A round trip from the attacker makes sure the bus has passed its signal on first.
      await attacker.getProxyObject('org.freedesktop.DBus', '/org/freedesktop/DBus');

      manager.add(session({ id: '9', name: 'pupil3', uid: 3004 }));
      await until(() => heard >= 1, 'SessionNew');
      expect(heard).toBe(1);
      manager.remove('9');
      await until(() => heard >= 2, 'SessionRemoved');
      stop();
      manager.add(session({ id: '10' }));
      expect((await src.list()).map((s) => s.id)).toContain('10');
      expect(heard).toBe(2);
      src.close();
    });

    it('gives up on a bus that does not answer, in words', async () => {
      // A second "logind" that never replies: swap the name owner to a silent connection.
      const silent = openBus();
      const src = new LogindSessionSource({ connect: openBus, callTimeoutMs: 300 });
      silent.addMethodHandler(() => true); // swallows every call without a reply
      await silent.requestName('org.freedesktop.login1.silent', 0);
      const call = (src as unknown as { call: (...a: unknown[]) => Promise<unknown> }).call.bind(
        src,
      );
      await expect(
        call(
          'org.freedesktop.login1.silent',
          '/org/freedesktop/login1',
          'org.freedesktop.login1.Manager',
          'ListSessions',
        ),
      ).rejects.toThrow(/did not answer ListSessions within 0.3 s/);
      src.close();
    });
    it('is chosen when it answers, and /proc is used (and said) when it does not', async () => {
      const chosen = await linuxSessionSource({ logind: { connect: openBus } });
      expect(chosen.describe()).toBe('logind over D-Bus');
      (chosen as LogindSessionSource).close();
      const said: string[] = [];
      const fallback = await linuxSessionSource({
        logind: {
          connect: () => dbus.sessionBus({ busAddress: 'unix:path=/nonexistent/classlock-bus' }),
          callTimeoutMs: 500,
        },
        onFallback: (w) => said.push(w),
      });
      expect(fallback.describe()).toBe('kernel audit sessions (/proc; no logind)');
      expect(said[0]).toMatch(
        /^logind did not answer .*; using \/proc sessions, which cannot lock a screen$/,
      );
    });
  },
);
