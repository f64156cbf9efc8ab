// logind over D-Bus: what the machine service pays to ask the OS who is signed in, which
// session a connecting client is in, and to lock a session. A real dbus-daemon on a private
// socket with a stand-in logind (test/unit/serviceos-fake-logind.ts) holding 30 sessions, as
// on a busy shared PC with lingering sessions; a real logind adds its own work on top.
// 200 rounds each; prints p50 / p99 in ms.
import { performance } from 'node:perf_hooks';
import { LogindSessionSource } from '../src/service/os/logind-session-source';
import { haveDaemon, session, startBusWithLogind } from '../test/unit/serviceos-fake-logind';

const ROUNDS = 200;
const SESSIONS = 30;

if (!haveDaemon) {
  console.log('skipped: no dbus-daemon (apt-get install dbus-daemon)');
  process.exit(0);
}

function pct(xs: number[], p: number): string {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!.toFixed(2);
}

async function time(what: string, fn: () => Promise<unknown>): Promise<void> {
  for (let i = 0; i < 10; i++) await fn(); // warm-up
  const xs: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t = performance.now();
    await fn();
    xs.push(performance.now() - t);
  }
  console.log(`${what.padEnd(44)} p50 ${pct(xs, 50)} ms   p99 ${pct(xs, 99)} ms`);
}

const bus = await startBusWithLogind();
try {
  for (let i = 0; i < SESSIONS; i++)
    bus.manager.add(session({ id: String(i + 2), uid: 3000 + i, pids: [10_000 + i] }), false);
  const src = new LogindSessionSource({ connect: bus.open });
  await time(`list() with ${SESSIONS} sessions`, () => src.list());
  await time('sessionOfPid() (a client connecting)', () => src.sessionOfPid(10_007));
  await time('lock()', () => src.lock('9'));
  await time('idleHint()', () => src.idleHint('9'));
  src.close();
} finally {
  await bus.stop();
}
