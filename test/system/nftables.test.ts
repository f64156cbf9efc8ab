import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandRunner } from '../../src/core/enforcement/enforcer';
import { ProcessRunner } from '../../src/core/enforcement/enforcer';
import {
  DirectNftablesEnforcer,
  NftablesEnforcer,
} from '../../src/core/enforcement/nftables-enforcer';
import { startNetd } from '../../src/helper/netd';
import { signPolicy } from '../../src/core/policy/bundle';
import { policyWith } from '../support/policy';
import { generateKeyPairSync } from 'node:crypto';
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

    it('through the privileged helper: the desktop app restricts, and cannot lift early', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'classlock-netd-sys-'));
      let helperNow = Date.parse('2026-11-23T09:00:00Z');
      const until = Date.parse('2026-11-23T10:00:00Z');
      const netd = await startNetd({
        socketPath: join(dir, 'netd.sock'),
        enforcer: new DirectNftablesEnforcer(inNamespace(TERM, new ProcessRunner())),
        now: () => helperNow,
        uidHasProcesses: async () => true,
        log: () => undefined,
      });
      try {
        const app = new NftablesEnforcer(join(dir, 'netd.sock'));
        await app.apply({ account: 'jsmith', uid: PUPIL }, [INTRANET], { until });
        expect((await fetchAs(PUPIL, internet)).code).toBe(CURL_REFUSED);
        expect((await fetchAs(PUPIL, intranet)).body).toBe('intranet');
        await expect(app.lift({ account: 'jsmith', uid: PUPIL })).rejects.toThrow(/refused/);
        expect((await fetchAs(PUPIL, internet)).code).toBe(CURL_REFUSED);
        helperNow = until;
        await app.lift({ account: 'jsmith', uid: PUPIL });
        expect((await fetchAs(PUPIL, internet)).body).toBe('internet');
      } finally {
        await netd.close();
        await rm(dir, { recursive: true, force: true });
      }
      expect(sh(['ip', 'netns', 'exec', TERM, 'nft', 'list', 'tables']).out).not.toContain(
        'classlock',
      );
    });

    it('through the privileged helper: IT’s early lift, proven by the signed policy, restores traffic at once', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'classlock-netd-sys-'));
      const key = generateKeyPairSync('ed25519');
      const sign = (serial: number, sanctioned: boolean): string =>
        signPolicy(
          policyWith((p) => {
            p.serial = serial;
            p.issuedAt = '2026-11-23T08:30:00Z';
            p.sanctions = sanctioned
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
          }),
          key.privateKey,
          'school-2026',
        );
      let current = sign(10, true);
      const netd = await startNetd({
        socketPath: join(dir, 'netd.sock'),
        enforcer: new DirectNftablesEnforcer(inNamespace(TERM, new ProcessRunner())),
        now: () => Date.parse('2026-11-23T09:00:00Z'),
        uidHasProcesses: async () => true,
        trustedKeys: new Map([['school-2026', key.publicKey]]),
        stateDir: join(dir, 'state'),
        // The namespace's pupil uid has no account on this machine: name it as `id` would.
        runner: {
          run: async (_file, args) =>
            args[1] === String(PUPIL)
              ? { code: 0, stdout: 'jsmith\n', stderr: '' }
              : { code: 1, stdout: '', stderr: 'no such user' },
        },
        log: () => undefined,
      });
      try {
        const app = new NftablesEnforcer({
          socketPath: join(dir, 'netd.sock'),
          currentBundle: () => current,
        });
        await app.apply({ account: 'jsmith', uid: PUPIL }, [INTRANET], {
          until: Date.parse('2026-11-23T10:00:00Z'),
        });
        expect((await fetchAs(PUPIL, internet)).code).toBe(CURL_REFUSED);
        await expect(app.lift({ account: 'jsmith', uid: PUPIL })).rejects.toThrow(
          /still withdraws internet access for jsmith/,
        );
        expect((await fetchAs(PUPIL, internet)).code).toBe(CURL_REFUSED);
        current = sign(11, false);
        await app.lift({ account: 'jsmith', uid: PUPIL });
        expect((await fetchAs(PUPIL, internet)).body).toBe('internet');
        expect((await fetchAs(PUPIL, intranet)).body).toBe('intranet');
        expect(sh(['ip', 'netns', 'exec', TERM, 'nft', 'list', 'tables']).out).not.toContain(
          'classlock',
        );
      } finally {
        await netd.close();
        await rm(dir, { recursive: true, force: true });
      }
    });
  },
);
