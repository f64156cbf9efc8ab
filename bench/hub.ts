// The hub under load on this machine, over HTTP on loopback: signed acceptance look-ups
// (per second, p99) beside `pgbench -S` on the same PostgreSQL, events ingested per second
// in batches, and a morning sign-in storm (each terminal: one look-up and one small batch).
// Then the same on the embedded store. The hub runs as its own process; the load comes
// from this one; both share the machine's cores with PostgreSQL, so these are floors.
// Terminals are put straight into the database (enrolment's scrypt check would take the
// storm's whole minute on its own); every request is still signed and checked.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  createHash,
  generateKeyPairSync,
  randomBytes,
  randomUUID,
  sign,
  type KeyObject,
} from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addSchool } from '../src/hub/hub-admin';
import { openPgStore } from '../src/hub/store/pg-store';
import { openPgliteStore } from '../src/hub/store/pglite-store';
import type { Store } from '../src/hub/store/store';
import { HUB_SIGNATURE_HEADERS as H, signedText } from '../src/shared/hub-protocol';
import { postgresUnavailableReason, startPostgres } from '../test/support/hub-postgres';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const STORM = Number(process.env.HUB_BENCH_TERMINALS ?? 10_000);
const PEOPLE = 5_000;

interface Terminal {
  id: string;
  key: KeyObject;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

function startHubProcess(args: string[]): Promise<{ child: ChildProcess; url: string }> {
  return freePort().then(
    (port) =>
      new Promise((resolve, reject) => {
        const child = spawn(
          process.execPath,
          ['--import', 'tsx', 'src/hub/hub-main.ts', ...args, '--listen', `127.0.0.1:${port}`],
          {
            stdio: ['ignore', 'pipe', 'inherit'],
          },
        );
        child.stdout?.on('data', (d: Buffer) => {
          if (d.toString().includes('listening'))
            resolve({ child, url: `http://127.0.0.1:${port}` });
        });
        child.once('exit', (code) => reject(new Error(`hub exited (${code})`)));
      }),
  );
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

function signed(url: string, t: Terminal, path: string, body: unknown): Promise<number> {
  const text = Buffer.from(JSON.stringify(body));
  const time = new Date().toISOString();
  const nonce = randomBytes(18).toString('base64url');
  const sig = sign(
    null,
    Buffer.from(
      signedText('POST', path, time, nonce, createHash('sha256').update(text).digest('hex')),
    ),
    t.key,
  );
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}${path}`,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': text.length,
          [H.terminal]: t.id,
          [H.time]: time,
          [H.nonce]: nonce,
          [H.signature]: sig.toString('base64'),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

async function makeTerminals(store: Store, n: number): Promise<Terminal[]> {
  const out: Terminal[] = [];
  for (let i = 0; i < n; i += 1000) {
    const batch: { id: string; key: KeyObject; pem: string }[] = [];
    for (let j = i; j < Math.min(n, i + 1000); j++) {
      const { privateKey, publicKey } = generateKeyPairSync('ed25519');
      batch.push({
        id: randomUUID(),
        key: privateKey,
        pem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      });
    }
    await store.query(
      `INSERT INTO terminals (id, school, machine_id, public_key)
       SELECT id, 'bench', 'm-' || id, pem FROM unnest($1::uuid[], $2::text[]) AS x(id, pem)`,
      [batch.map((b) => b.id), batch.map((b) => b.pem)],
    );
    out.push(...batch.map((b) => ({ id: b.id, key: b.key })));
  }
  return out;
}

async function seedAcceptances(store: Store, t: Terminal): Promise<void> {
  const people = Array.from({ length: PEOPLE }, (_, i) => `pupil${i}`);
  await store.query(
    `INSERT INTO acceptances (event_id, school, person, agreement_id, version, text_hash, accepted_at, terminal_id)
     SELECT gen_random_uuid(), 'bench', p, 'aua', '3', 'h3', now(), $2 FROM unnest($1::text[]) AS p`,
    [people, t.id],
  );
}

function p99(ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  return (s[Math.floor(s.length * 0.99)] ?? 0).toFixed(1);
}

/** `workers` loops each doing `one()` until the time is up; returns count/s and p99 latency. */
async function load(seconds: number, workers: number, one: (i: number) => Promise<number>) {
  const end = Date.now() + seconds * 1000;
  const lat: number[] = [];
  let done = 0;
  let failed = 0;
  let i = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (Date.now() < end) {
        const t0 = performance.now();
        const status = await one(i++);
        lat.push(performance.now() - t0);
        if (status === 200) done++;
        else failed++;
      }
    }),
  );
  return { perSecond: done / seconds, p99: p99(lat), failed };
}

async function seed(store: Store): Promise<Terminal[]> {
  await addSchool(store, { id: 'bench', name: 'Bench school' });
  const terminals = await makeTerminals(store, STORM);
  await seedAcceptances(store, terminals[0] as Terminal);
  return terminals;
}

async function measure(label: string, terminals: Terminal[], url: string): Promise<void> {
  const term = (i: number) => terminals[i % terminals.length] as Terminal;

  const lookups = await load(SECONDS, 16, (i) =>
    signed(url, term(i), '/api/v1/t/acceptances/check', {
      person: `pupil${i % (PEOPLE * 2)}`,
      agreementId: 'aua',
      version: '3',
      textHash: 'h3',
    }),
  );
  console.log(
    `${label}: acceptance look-ups  ${lookups.perSecond.toFixed(0)}/s, p99 ${lookups.p99} ms (16 clients, ${lookups.failed} failed)`,
  );

  const BATCH = 500;
  const at = new Date().toISOString();
  const batches = await load(SECONDS, 4, (i) =>
    signed(url, term(i), '/api/v1/t/events', {
      events: Array.from({ length: BATCH }, (_, k) => ({
        id: randomUUID(),
        at,
        kind: k % 2 ? 'lock' : 'unlock',
        person: `pupil${(i * BATCH + k) % PEOPLE}`,
        ...(k % 2 ? { reason: 'idle' } : { method: 'password' }),
      })),
    }),
  );
  console.log(
    `${label}: events ingested      ${(batches.perSecond * BATCH).toFixed(0)}/s in batches of ${BATCH}, p99 ${batches.p99} ms per batch (4 clients)`,
  );

  // The storm: every terminal once, as fast as they come, capped at 60 s.
  const t0 = Date.now();
  const lat: number[] = [];
  let next = 0;
  let ok = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < terminals.length && Date.now() - t0 < 60_000) {
        const i = next++;
        const s = performance.now();
        const a = await signed(url, term(i), '/api/v1/t/acceptances/check', {
          person: `pupil${i % PEOPLE}`,
          agreementId: 'aua',
          version: '3',
          textHash: 'h3',
        });
        const b = await signed(url, term(i), '/api/v1/t/events', {
          events: [
            {
              id: randomUUID(),
              at: new Date().toISOString(),
              kind: 'heartbeat',
              serial: 42,
              enforcement: 'ok',
            },
            {
              id: randomUUID(),
              at: new Date().toISOString(),
              kind: 'unlock',
              person: `pupil${i % PEOPLE}`,
              method: 'password',
            },
          ],
        });
        lat.push(performance.now() - s);
        if (a === 200 && b === 200) ok++;
      }
    }),
  );
  const took = (Date.now() - t0) / 1000;
  console.log(
    `${label}: sign-in storm        ${ok} of ${terminals.length} terminals in ${took.toFixed(1)} s (${(ok / took).toFixed(0)}/s), p99 ${p99(lat)} ms per terminal (look-up + batch, 32 at once)`,
  );
}

function pgbench(bin: string, socketDir: string): string {
  const env = { ...process.env, PGHOST: socketDir, PGUSER: 'postgres' };
  const asPg = (args: string[]) =>
    spawnSync('runuser', ['-u', 'postgres', '--', join(bin, 'pgbench'), ...args, 'postgres'], {
      env,
      encoding: 'utf8',
    });
  asPg(['-i', '-q', '-s', '1', '-h', socketDir]);
  const r = asPg(['-S', '-c', '4', '-j', '2', '-T', String(SECONDS), '-h', socketDir]);
  const tps = /tps = ([\d.]+)/.exec(r.stdout)?.[1];
  const lat = /latency average = ([\d.]+ ms)/.exec(r.stdout)?.[1];
  return tps
    ? `${Number(tps).toFixed(0)} tps, average latency ${lat} (4 clients)`
    : `did not run: ${r.stderr.trim()}`;
}

/** What this machine gives any Node HTTP server right now: an empty Fastify route, same load shape. */
async function calibrate(): Promise<void> {
  const { default: Fastify } = await import('fastify');
  const app = Fastify();
  app.post('/', async () => ({ ok: true }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const a = app.server.address();
  const url = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
  const key = generateKeyPairSync('ed25519').privateKey;
  const r = await load(Math.min(SECONDS, 4), 16, () =>
    signed(url, { id: randomUUID(), key }, '/', {}),
  );
  await app.close();
  console.log(
    `calibration: an empty Fastify route here answers ${r.perSecond.toFixed(0)}/s, p99 ${r.p99} ms (16 clients; server in the load's own process)`,
  );
}

async function main(): Promise<void> {
  console.log(
    `(${SECONDS} s per figure; storm of ${STORM} terminals; set BENCH_SECONDS / HUB_BENCH_TERMINALS to change)`,
  );
  await calibrate();
  const skip = postgresUnavailableReason();
  if (skip) console.log(`PostgreSQL: skipped (${skip})`);
  else {
    const pg = startPostgres();
    try {
      console.log(`pgbench -S: ${pgbench(pg.bin, pg.socketDir)}`);
      const store = openPgStore(pg.url, 4);
      const terminals = await seed(store);
      const { child, url } = await startHubProcess(['--database', pg.url]);
      try {
        await measure('PostgreSQL', terminals, url);
      } finally {
        child.kill('SIGTERM');
        await store.close();
      }
    } finally {
      pg.stop();
    }
  }
  // The embedded store: one process owns the folder, so the bench seeds it, closes it,
  // then starts the hub on it.
  const dir = mkdtempSync(join(tmpdir(), 'classlock-hub-bench-'));
  try {
    const store = await openPgliteStore(join(dir, 'pglite'));
    const terminals = await seed(store);
    await store.close();
    const { child, url } = await startHubProcess(['--data', dir]);
    try {
      await measure('PGlite', terminals, url);
    } finally {
      child.kill('SIGTERM');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  agent.destroy();
}

await main();
