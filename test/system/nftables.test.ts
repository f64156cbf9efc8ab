import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandRunner } from '../../src/core/enforcement/enforcer';
import { ProcessRunner } from '../../src/core/enforcement/enforcer';
import { ManualClock } from '../../src/core/clock';
import { DirectNftablesEnforcer } from '../../src/core/enforcement/nftables-enforcer';
import { startClasslockd } from '../../src/service/classlockd';
import { ManualSessionSource } from '../../src/service/os/manual-session-source';
import { PeerCredProvider } from '../../src/service/peer-credentials';
import { policyWith } from '../support/policy';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Real traffic through real nftables rules, inside two network namespaces this test
 * creates: "terminal" (the pupil's PC) and "internet" (a server with two addresses, one on
 * the allow list). The 10.213.0.0/24 addresses exist only inside these namespaces.
 */
const id = `${process.pid % 10000}`;
const TERM = `clt-${id}`;
const NET = `cli-${id}`;
const PUPIL = 4242;
const OTHER = 4343;
const INTRANET = '10.213.0.2';
const INTERNET = '10.213.0.3';
const PORT = 8080;

function sh(args: string[], input?: string): { code: number; out: string; err: string } {
  const r = spawnSync(args[0]!, args.slice(1), { input, encoding: 'utf8', timeout: 10_000 });
  return { code: r.status ?? 1, out: r.stdout ?? '', err: r.stderr ?? '' };
}

/** Can this kernel give us a namespace with nftables in it? */
function probe(): string | undefined {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'not running as root';
  const ns = `clp-${id}`;
  const add = sh(['ip', 'netns', 'add', ns]);
  if (add.code !== 0) return `the kernel refused a network namespace: ${add.err.trim()}`;
  try {
    const nft = sh(
      ['ip', 'netns', 'exec', ns, 'nft', '-f', '-'],
      'table inet probe\ndelete table inet probe\n',
    );
    if (nft.code !== 0) return `nftables is refused in a namespace: ${nft.err.trim()}`;
    for (const tool of ['curl', 'setpriv', 'node']) {
      if (sh(['sh', '-c', `command -v ${tool}`]).code !== 0) return `${tool} is not installed`;
    }
  } finally {
    sh(['ip', 'netns', 'del', ns]);
  }
  return undefined;
}

const skipReason = probe();

/** The same commands, run inside the terminal namespace. */
function inNamespace(ns: string, inner: CommandRunner): CommandRunner {
  return {
    run: (file, args, input) => inner.run('ip', ['netns', 'exec', ns, file, ...args], input),
  };
}

/** curl as a given uid from the terminal; returns curl's exit code and the HTTP body. */
function fetchAs(uid: number, url: string): Promise<{ code: number; body: string }> {
  return new Promise((resolve) => {
    const child = spawn('ip', [
      'netns',
      'exec',
      TERM,
      'setpriv',
      `--reuid=${uid}`,
      `--regid=${uid}`,
      '--clear-groups',
      'curl',
      '-sS',
      '--connect-timeout',
      '3',
      '--max-time',
      '4',
      url,
    ]);
    let body = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (body += d));
    child.on('close', (code) => resolve({ code: code ?? 1, body }));
  });
}

const CURL_REFUSED = 7; // "Failed to connect": refused or unreachable at once
const CURL_TIMEOUT = 28;

const servers: ChildProcess[] = [];

/** A tiny HTTP server inside a namespace that answers with its name and stops by itself. */
function serve(ns: string, host: string, name: string): Promise<void> {
  const code = `require('http').createServer((q,r)=>r.end(${JSON.stringify(name)})).listen(${PORT},${JSON.stringify(host)},()=>console.log('ready'));setTimeout(()=>process.exit(0),60000);`;
  const child = spawn('ip', ['netns', 'exec', ns, 'node', '-e', code]);
  servers.push(child);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} server did not start`)), 10_000);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      if (d.includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', () => reject(new Error(`${name} server exited`)));
  });
}

describe.skipIf(skipReason !== undefined)(
  `nftables sanctions with real traffic in network namespaces${skipReason ? ` (skipped: ${skipReason})` : ''}`,
  () => {
    const enforcer = new DirectNftablesEnforcer(inNamespace(TERM, new ProcessRunner()));

    beforeAll(async () => {
      const steps = [
        ['ip', 'netns', 'add', TERM],
        ['ip', 'netns', 'add', NET],
        ['ip', 'link', 'add', `clt${id}`, 'type', 'veth', 'peer', 'name', `cli${id}`],
        ['ip', 'link', 'set', `clt${id}`, 'netns', TERM],
        ['ip', 'link', 'set', `cli${id}`, 'netns', NET],
        ['ip', '-n', TERM, 'addr', 'add', '10.213.0.1/24', 'dev', `clt${id}`],
        ['ip', '-n', NET, 'addr', 'add', `${INTRANET}/24`, 'dev', `cli${id}`],
        ['ip', '-n', NET, 'addr', 'add', `${INTERNET}/24`, 'dev', `cli${id}`],
        ['ip', '-n', TERM, 'link', 'set', 'lo', 'up'],
        ['ip', '-n', NET, 'link', 'set', 'lo', 'up'],
        ['ip', '-n', TERM, 'link', 'set', `clt${id}`, 'up'],
        ['ip', '-n', NET, 'link', 'set', `cli${id}`, 'up'],
      ];
      for (const step of steps) {
        const r = sh(step);
        if (r.code !== 0) throw new Error(`${step.join(' ')} failed: ${r.err}`);
      }
      await Promise.all([
        serve(NET, INTRANET, 'intranet'),
        serve(NET, INTERNET, 'internet'),
        serve(TERM, '127.0.0.1', 'loopback'),
      ]);
      await enforcer.clearLeftovers();
    });

    afterAll(() => {
      for (const s of servers) s.kill('SIGKILL');
      sh(['ip', 'netns', 'del', TERM]);
      sh(['ip', 'netns', 'del', NET]);
    });

    const intranet = `http://${INTRANET}:${PORT}/`;
    const internet = `http://${INTERNET}:${PORT}/`;
    const loopback = `http://127.0.0.1:${PORT}/`;

    it('before any sanction, the pupil reaches everything', async () => {
      expect((await fetchAs(PUPIL, internet)).body).toBe('internet');
      expect((await fetchAs(PUPIL, intranet)).body).toBe('intranet');
    });

    it('while sanctioned, the pupil is refused the internet at once but keeps the allow list and loopback', async () => {
      await enforcer.apply({ account: 'jsmith', uid: PUPIL }, [INTRANET]);
      // Applying again changes nothing (idempotent).
      await enforcer.apply({ account: 'jsmith', uid: PUPIL }, [INTRANET]);
      const blocked = await fetchAs(PUPIL, internet);
      expect(blocked.body).toBe('');
      expect(blocked.code).toBe(CURL_REFUSED);
      expect(blocked.code).not.toBe(CURL_TIMEOUT);
      expect((await fetchAs(PUPIL, intranet)).body).toBe('intranet');
      expect((await fetchAs(PUPIL, loopback)).body).toBe('loopback');
    });

    it('another user on the same terminal is unaffected', async () => {
      expect((await fetchAs(OTHER, internet)).body).toBe('internet');
      expect((await fetchAs(OTHER, intranet)).body).toBe('intranet');
    });

    it('after the lift everything is reachable and no Classlock table is left', async () => {
      await enforcer.lift({ account: 'jsmith', uid: PUPIL });
      await enforcer.lift({ account: 'jsmith', uid: PUPIL });
      expect((await fetchAs(PUPIL, internet)).body).toBe('internet');
      expect((await fetchAs(PUPIL, intranet)).body).toBe('intranet');
      const tables = sh(['ip', 'netns', 'exec', TERM, 'nft', 'list', 'tables']);
      expect(tables.code).toBe(0);
      expect(tables.out).not.toContain('classlock');
    });

    it('leftovers from a crashed run are cleared at start', async () => {
      const crashed = new DirectNftablesEnforcer(inNamespace(TERM, new ProcessRunner()));
      await crashed.apply({ account: 'jsmith', uid: PUPIL }, []);
      expect((await fetchAs(PUPIL, intranet)).code).toBe(CURL_REFUSED);
      // A new process knows nothing of the old one's rules but still removes them.
      const fresh = new DirectNftablesEnforcer(inNamespace(TERM, new ProcessRunner()));
      await fresh.clearLeftovers();
      expect((await fetchAs(PUPIL, internet)).body).toBe('internet');
      expect(sh(['ip', 'netns', 'exec', TERM, 'nft', 'list', 'tables']).out).not.toContain(
        'classlock',
      );
    });

    it('through classlockd: the rule is in force from sign-in, with no client, and goes when IT lifts the sanction', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'classlock-svc-sys-'));
      const clock = new ManualClock(Date.parse('2026-11-23T09:00:00Z'));
      const sanctioned = (on: boolean) =>
        policyWith((p) => {
          p.agreements = [];
          p.sanctionSettings.allowList = [INTRANET];
          p.sanctions = on
            ? [
                {
                  id: '2026-041',
                  user: 'jsmith',
                  scope: 'internet',
                  kind: 'sanction',
                  until: '2026-11-23T10:00:00Z',
                  reason: 'Used another pupil’s account',
                  issuedBy: 'Mr Patel',
                  issuedAt: '2026-11-23T08:00:00Z',
                },
              ]
            : [];
        });
      const source = new ManualSessionSource({
        perform: { lock: async () => undefined, terminate: async () => undefined },
      });
      const service = await startClasslockd({
        socketPath: join(dir, 'classlockd.sock'),
        dataDir: join(dir, 'data'),
        dataDirOwner: 0,
        clock,
        config: null,
        defaultPolicy: async () => sanctioned(true),
        source,
        peers: new PeerCredProvider(),
        resolveIdentity: async () => {
          throw new Error('no client in this test');
        },
        groups: { groupsOf: async () => [] },
        hostname: 'ROOM12-LAB-01',
        readOsMachineId: () => 'test-machine-0008',
        enforcer: new DirectNftablesEnforcer(inNamespace(TERM, new ProcessRunner())),
        tickMs: 0,
        syncMs: 0,
        log: () => undefined,
      });
      try {
        source.add({ id: 'c1', uid: PUPIL, account: 'jsmith', graphical: true });
        await service.sync();
        expect((await fetchAs(PUPIL, internet)).code).toBe(CURL_REFUSED);
        expect((await fetchAs(PUPIL, intranet)).body).toBe('intranet');
        expect((await fetchAs(OTHER, internet)).body).toBe('internet');
        // IT lifts it early: a newer verified policy without the sanction.
        await service.host.policyChanged(sanctioned(false));
        expect((await fetchAs(PUPIL, internet)).body).toBe('internet');
      } finally {
        await service.close();
        await rm(dir, { recursive: true, force: true });
      }
    });
  },
);
