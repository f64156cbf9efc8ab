import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AuditLog, parseAuditLines } from '../../src/core/audit/audit-log';
import { ManualClock } from '../../src/core/clock';
import { signPolicy } from '../../src/core/policy/bundle';
import { parsePolicyYaml } from '../../src/core/policy/policy-yaml';
import type { Policy } from '../../src/core/policy/schema';
import { PolicyService, type PolicyMeta } from '../../src/core/fetch/policy-service';
import { MINIMAL_POLICY_YAML } from '../../src/admin/minimal-policy';

const KEY_ID = 'trust-2026';
const trustedPair = generateKeyPairSync('ed25519');
const strangerPair = generateKeyPairSync('ed25519');

function basePolicy(): Policy {
  const r = parsePolicyYaml(MINIMAL_POLICY_YAML);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.policy;
}
function bundle(
  serial: number,
  key: KeyObject = trustedPair.privateKey,
  keyId = KEY_ID,
  format: 1 | 2 = 2,
): string {
  return signPolicy(
    {
      ...basePolicy(),
      serial,
      issuedAt: `2026-11-${String(10 + (serial % 10)).padStart(2, '0')}T09:00:00Z`,
    },
    key,
    keyId,
    { format },
  );
}
function signedRaw(payload: string): string {
  const signature = sign(null, Buffer.from(payload), trustedPair.privateKey).toString('base64');
  return JSON.stringify({ format: 'classlock-policy/1', keyId: KEY_ID, payload, signature });
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
let server: Server;
let handler: Handler = (_q, s) => s.end();
let base = '';
const seen: IncomingMessage[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req);
    handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('no port');
  base = `http://127.0.0.1:${addr.port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

let dir = '';
afterEach(async () => {
  seen.length = 0;
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = '';
});

/** Serve `body` with an ETag, gzipped when the client asks, 304 when it matches. */
function serveBundle(body: string, etag: string): Handler {
  return (req, res) => {
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { etag });
      res.end();
      return;
    }
    const gz = /gzip/.test(String(req.headers['accept-encoding']));
    const data = gz ? gzipSync(body) : Buffer.from(body);
    res.writeHead(200, {
      etag,
      'content-type': 'application/json',
      'content-length': data.length,
      ...(gz ? { 'content-encoding': 'gzip' } : {}),
    });
    res.end(data);
  };
}

async function makeService(
  extra: { sources?: string[]; pollSeconds?: number; maxBytes?: number } = {},
) {
  dir = await mkdtemp(join(tmpdir(), 'classlock-fetch-'));
  const auditPath = join(dir, 'audit.jsonl');
  const clock = new ManualClock(Date.parse('2026-11-22T12:05:00Z'));
  const applied: { policy: Policy; meta: PolicyMeta }[] = [];
  const observed: { t: number; source: string }[] = [];
  const service = new PolicyService({
    sources: extra.sources ?? [`${base}/policy.json`],
    trustedKeys: {
      [KEY_ID]: trustedPair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    },
    cachePath: join(dir, 'cache', 'policy.json'),
    pollSeconds: extra.pollSeconds ?? 3600,
    maxBytes: extra.maxBytes ?? 256 * 1024,
    audit: new AuditLog(auditPath, 'LAB-01', () => clock.now()),
    clock,
    trustedTime: { observe: (t, source) => observed.push({ t, source }) },
    onPolicy: (policy, meta) => void applied.push({ policy, meta }),
    defaultPolicy: { ...basePolicy(), serial: 0 },
    connectTimeoutMs: 1000,
    totalTimeoutMs: 500,
    statusTimeZone: 'UTC',
  });
  const audit = async () => parseAuditLines(await readFile(auditPath, 'utf8').catch(() => ''));
  return { service, applied, observed, audit, clock, cachePath: join(dir, 'cache', 'policy.json') };
}

describe('fetching the signed policy over HTTP', () => {
  it('takes the policy on 200, sends the ETag next time and keeps it on 304', async () => {
    const body = bundle(10);
    handler = serveBundle(body, '"v10"');
    const { service, applied, observed, cachePath } = await makeService();
    await service.checkNow();
    expect(applied.map((a) => a.meta.serial)).toEqual([10]);
    expect(await readFile(cachePath, 'utf8')).toBe(body);
    expect(seen[0]!.headers['accept-encoding']).toContain('gzip');

    await service.checkNow();
    expect(seen[1]!.headers['if-none-match']).toBe('"v10"');
    expect(applied).toHaveLength(1);
    expect(service.policy()?.serial).toBe(10);
    expect(service.status()).toBe('Policy 10 from 10 Nov 2026 09:00; last check 12:05 ok');
    expect(observed.map((o) => o.source)).toContain('policy issuedAt');
    // Plain http: a Date header could be forged on the wire, so it moves no sanction clock.
    expect(observed.some((o) => o.source.startsWith('HTTP Date'))).toBe(false);
  });

  it('picks up a new serial on the next check and saves it', async () => {
    handler = serveBundle(bundle(10), '"v10"');
    const { service, applied, cachePath } = await makeService();
    await service.checkNow();
    const next = bundle(11);
    handler = serveBundle(next, '"v11"');
    await service.checkNow();
    expect(applied.map((a) => a.meta.serial)).toEqual([10, 11]);
    expect(await readFile(cachePath, 'utf8')).toBe(next);
  });

  it('picks up a newly published policy within one poll without being asked', async () => {
    handler = serveBundle(bundle(10), '"v10"');
    const { service, applied } = await makeService({ pollSeconds: 0.3 });
    await service.start();
    await service.checkNow();
    handler = serveBundle(bundle(11), '"v11"');
    const deadline = Date.now() + 5000;
    while (!applied.some((a) => a.meta.serial === 11) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    service.stop();
    expect(applied.at(-1)?.meta.serial).toBe(11);
  });

  it('"check now" during a check that began before a publish still fetches the new policy', async () => {
    // The first answer is held back until IT has published serial 11; a check that only
    // joined the one already under way would report serial 10 as current.
    let release = (): void => undefined;
    const held = new Promise<void>((r) => (release = r));
    const old = serveBundle(bundle(10), '"v10"');
    handler = (req, res) => void held.then(() => old(req, res));
    const { service, applied } = await makeService();
    const first = service.checkNow();
    while (seen.length === 0) await new Promise((r) => setTimeout(r, 5));
    handler = serveBundle(bundle(11), '"v11"');
    const asked = [service.checkNow(), service.checkNow()];
    release();
    await Promise.all([first, ...asked]);
    expect(applied.map((a) => a.meta.serial)).toEqual([10, 11]);
    expect(seen).toHaveLength(2);
  });

  it('tries the sources in order and takes the first good one', async () => {
    handler = (req, res) => {
      if (req.url === '/broken.json') {
        res.writeHead(500);
        res.end();
      } else serveBundle(bundle(10), '"v10"')(req, res);
    };
    const { service, applied } = await makeService({
      sources: [`${base}/broken.json`, `${base}/policy.json`],
    });
    await service.checkNow();
    expect(applied.map((a) => a.meta.source)).toEqual([`${base}/policy.json`]);
    expect(service.status()).toMatch(/last check 12:05 ok$/);
  });
});

const half: Handler = (_req, res) => {
  const body = Buffer.from(bundle(12));
  res.writeHead(200, { 'content-length': body.length });
  res.write(body.subarray(0, body.length >> 1), () => setTimeout(() => res.socket?.destroy(), 20));
};
const drip: Handler = (_req, res) => {
  const body = Buffer.from(bundle(12));
  res.writeHead(200, { 'content-length': body.length });
  let i = 0;
  const t = setInterval(() => {
    if (res.destroyed || i >= body.length) return clearInterval(t);
    res.write(body.subarray(i, ++i));
  }, 50);
  res.on('close', () => clearInterval(t));
};
const send =
  (text: string, status = 200): Handler =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(text);
  };
const flipPayload = () => bundle(12).replace('Example School', 'Example Schoul');
const flipSignature = () => {
  const text = bundle(12);
  const nl = text.indexOf('\n');
  const b = JSON.parse(text.slice(0, nl)) as { signature: string };
  const s = b.signature;
  const c = s[5] === 'A' ? 'B' : 'A';
  return JSON.stringify({ ...b, signature: s.slice(0, 5) + c + s.slice(6) }) + text.slice(nl);
};

describe('every fault keeps the last good policy, is audited and shown', () => {
  const faults: [string, () => Handler, RegExp][] = [
    ['a 500 from the server', () => send('oops', 500), /web server answered 500/],
    [
      'no answer at all (timeout)',
      () => () => undefined,
      /did not deliver the policy within 0.5 s/,
    ],
    ['a body that stops half way', () => half, /broke before the whole policy file arrived/],
    ['a slow drip past the timeout', () => drip, /did not deliver the policy within/],
    [
      'a key id the terminal does not know',
      () => send(bundle(12, trustedPair.privateKey, 'other-key')),
      /signed with key other-key, which this terminal does not trust/,
    ],
    [
      'a valid signature from an untrusted key',
      () => send(bundle(12, strangerPair.privateKey)),
      /signature does not match key trust-2026/,
    ],
    [
      'one flipped byte in the payload',
      () => send(flipPayload()),
      /signature does not match key trust-2026/,
    ],
    [
      'one flipped byte in the signature',
      () => send(flipSignature()),
      /signature does not match key trust-2026/,
    ],
    ['an older serial', () => send(bundle(9)), /serial 9 is older than the one in force \(10\)/],
    [
      'a body over the size limit, streamed',
      () => (_q, s) => {
        s.writeHead(200);
        s.end('x'.repeat(300_000));
      },
      /over the limit/,
    ],
    ['a body over the size limit, declared', () => send(' '.repeat(300_000)), /over the limit/],
    [
      'a file that is not JSON',
      () => send('<html>Login required</html>'),
      /not JSON; it starts "<html>/,
    ],
    [
      'JSON nested 100,000 levels deep',
      () => send('['.repeat(100_000) + ']'.repeat(100_000)),
      /nested more than 64 levels/,
    ],
    [
      'an unknown format version',
      () =>
        send(
          JSON.stringify({
            ...JSON.parse(bundle(12, undefined, undefined, 1)),
            format: 'classlock-policy/9',
          }),
        ),
      /format "classlock-policy\/9" is not one this terminal reads/,
    ],
    [
      'a signed payload that is not JSON',
      () => send(signedRaw('serial: 12')),
      /signed policy text is not JSON/,
    ],
    [
      'a signed payload that breaks the schema',
      () =>
        send(
          signedRaw(
            JSON.stringify({ ...basePolicy(), serial: 12, profiles: [], sanctions: [{ id: 'x' }] }),
          ),
        ),
      /breaks the policy rules: profiles: needs at least one entry; sanctions\[0\]\.user: is missing/,
    ],
  ];

  it.each(faults)('%s', async (_name, make, reason) => {
    handler = serveBundle(bundle(10), '"v10"');
    const { service, applied, audit } = await makeService();
    await service.checkNow();
    expect(service.policy()?.serial).toBe(10);

    handler = make();
    await expect(service.checkNow()).resolves.toBeUndefined();

    expect(service.policy()?.serial).toBe(10);
    expect(applied).toHaveLength(1);
    expect(service.status()).toMatch(/^Policy 10 from .*; last check 12:05 failed: /);
    expect(service.status()).toMatch(reason);
    const rejected = (await audit()).filter((e) => e.event === 'policy.rejected');
    expect(rejected).toHaveLength(1);
    expect(String(rejected[0]!.reason)).toMatch(reason);
    expect(rejected[0]!.serialInForce).toBe(10);
  });
});

describe('the saved copy on disk', () => {
  it('is re-verified at start: a good one is used, a hand-edited one is refused', async () => {
    handler = serveBundle(bundle(10), '"v10"');
    const first = await makeService();
    await first.service.checkNow();
    const saved = await readFile(first.cachePath, 'utf8');

    const restarted = new PolicyServiceHarness(first.cachePath);
    await restarted.service.start();
    restarted.service.stop();
    expect(restarted.applied.map((a) => a.origin)).toEqual(['cache']);
    expect(restarted.service.policy()?.serial).toBe(10);

    // A pupil with admin rights lifts their sanction by editing the saved copy.
    await writeFile(first.cachePath, saved.replace('"serial":10', '"serial":99'));
    const tampered = new PolicyServiceHarness(first.cachePath);
    await tampered.service.start();
    tampered.service.stop();
    expect(tampered.applied.map((a) => a.origin)).toEqual(['default']);
    expect(tampered.service.policy()?.serial).toBe(0);
    const log = parseAuditLines(await readFile(tampered.auditPath, 'utf8'));
    expect(log).toContainEqual(
      expect.objectContaining({
        event: 'policy.rejected',
        source: 'cache',
        reason: `the saved policy ${first.cachePath} was refused: signature does not match key trust-2026`,
      }),
    );
  });

  it("one session cannot roll the PC back: the newest of every session's copy goes in force", async () => {
    // Each user's session keeps its own copy; a teacher's has serial 11, which added a
    // pupil's sanction. The pupil, offline, puts an older signed policy in their own copy,
    // then deletes it: neither takes the PC back to serial 10.
    dir = await mkdtemp(join(tmpdir(), 'classlock-copies-'));
    const teacherCopy = join(dir, 'policies', 'teacher.json');
    const pupilCopy = join(dir, 'policies', 'pupil.json');
    await mkdir(join(dir, 'policies'));
    await writeFile(teacherCopy, bundle(11));
    await writeFile(pupilCopy, bundle(10));
    const others = async () => [teacherCopy, pupilCopy, join(dir, 'policies', 'gone.json')];

    const rolledBack = new PolicyServiceHarness(pupilCopy, others);
    await rolledBack.service.start();
    rolledBack.service.stop();
    expect(rolledBack.service.policy()?.serial).toBe(11);
    // The pupil's own copy is brought up to date as well.
    expect(await readFile(pupilCopy, 'utf8')).toBe(await readFile(teacherCopy, 'utf8'));

    await rm(pupilCopy);
    const deleted = new PolicyServiceHarness(pupilCopy, others);
    await deleted.service.start();
    deleted.service.stop();
    expect(deleted.service.policy()?.serial).toBe(11);

    // A forged copy next to them is refused, named, and changes nothing.
    await writeFile(pupilCopy, bundle(12, strangerPair.privateKey));
    const forged = new PolicyServiceHarness(pupilCopy, others);
    await forged.service.start();
    forged.service.stop();
    expect(forged.service.policy()?.serial).toBe(11);
    expect(parseAuditLines(await readFile(forged.auditPath, 'utf8'))).toContainEqual(
      expect.objectContaining({
        event: 'policy.rejected',
        reason: `the saved policy ${pupilCopy} was refused: signature does not match key trust-2026`,
      }),
    );
  });
});

class PolicyServiceHarness {
  readonly applied: PolicyMeta[] = [];
  readonly auditPath: string;
  readonly service: PolicyService;
  constructor(cachePath: string, otherCaches?: () => Promise<string[]>) {
    this.auditPath = `${cachePath}.audit.jsonl`;
    this.service = new PolicyService({
      sources: [`${base}/unreachable-in-this-test.json`],
      trustedKeys: new Map([[KEY_ID, trustedPair.publicKey]]),
      cachePath,
      ...(otherCaches ? { otherCaches } : {}),
      pollSeconds: 3600,
      audit: new AuditLog(this.auditPath, 'LAB-01'),
      clock: new ManualClock(0),
      onPolicy: (_p, meta) => void this.applied.push(meta),
      defaultPolicy: async () => ({ ...basePolicy(), serial: 0 }),
    });
  }
}

describe('a policy on a file share', () => {
  it('reads file:// sources, skips an unchanged file and takes a new one', async () => {
    const share = await mkdtemp(join(tmpdir(), 'classlock-share-'));
    try {
      const file = join(share, 'policy.json');
      await writeFile(file, bundle(10));
      const { service, applied } = await makeService({ sources: [pathToFileURL(file).toString()] });
      await service.checkNow();
      await service.checkNow();
      expect(applied.map((a) => a.meta.serial)).toEqual([10]);
      await writeFile(file, bundle(11) + '\n\n');
      await service.checkNow();
      expect(applied.map((a) => a.meta.serial)).toEqual([10, 11]);
      await writeFile(file, 'not a policy at all');
      await service.checkNow();
      expect(service.policy()?.serial).toBe(11);
      expect(service.status()).toMatch(/failed: the policy file is not a signed policy/);
    } finally {
      await rm(share, { recursive: true, force: true });
    }
  });

  it('reports a missing file on a plain path in words', async () => {
    const { service } = await makeService({ sources: ['/nonexistent/classlock/policy.json'] });
    await service.start();
    await service.checkNow();
    service.stop();
    expect(service.status()).toBe(
      'Built-in default policy (no signed policy received yet); last check 12:05 failed: there is no policy file at /nonexistent/classlock/policy.json',
    );
  });
});
