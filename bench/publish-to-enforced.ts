// Publish-to-enforced: how long after IT publishes a sanction is it enforced on a running
// terminal? A real HTTP policy server on loopback, the real PolicyService polling it, the
// real session runtime; the time runs from the new file being served to the enforcer's apply.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { AuditLog } from '../src/core/audit/audit-log';
import { systemClock } from '../src/core/clock';
import { PolicyService } from '../src/core/fetch/policy-service';
import { signPolicy } from '../src/core/policy/bundle';
import { generateSigningKeyPair } from '../src/core/policy/keys';
import { SessionRuntime } from '../src/core/session/runtime';
import { policyWith } from '../test/support/policy';

const POLL = Number(process.env.POLL_SECONDS ?? 3);
const RUNS = Number(process.env.RUNS ?? 6);
const keys = generateSigningKeyPair();
let body = '';
let etag = '';
const publish = (serial: number, sanctioned: boolean) => {
  const p = policyWith((x) => {
    x.serial = serial;
    x.issuedAt = new Date(Date.now() - 60_000).toISOString();
    x.agreements = [];
    x.sanctions = sanctioned
      ? [
          {
            id: `s${serial}`,
            user: 'y7.pupil',
            scope: 'internet',
            kind: 'sanction',
            reason: 'bench',
            issuedBy: 'bench',
            issuedAt: '2026-01-01',
          },
        ]
      : [];
  });
  body = signPolicy(p, keys.privatePem, 'k');
  etag = `"${serial}"`;
};

const server = createServer((req, res) => {
  if (req.headers['if-none-match'] === etag) return void res.writeHead(304, { etag }).end();
  res.writeHead(200, { etag }).end(body);
});
await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/policy.json`;
const dir = await mkdtemp(join(tmpdir(), 'classlock-bench-'));

let serial = 1;
publish(serial, false);
let applied: (() => void) | undefined;
const live: { rt?: SessionRuntime } = {};
const service = new PolicyService({
  sources: [url],
  trustedKeys: { k: keys.publicPem },
  cachePath: join(dir, 'cache.json'),
  pollSeconds: POLL,
  audit: new AuditLog(join(dir, 'audit.jsonl'), 'bench'),
  clock: systemClock,
  onPolicy: (p) => live.rt?.policyChanged(p),
});
await service.checkNow();
const rt = await SessionRuntime.create({
  clock: systemClock,
  account: 'y7.pupil',
  groups: [],
  hostname: 'LAB-01',
  machineId: 'bench',
  policy: service.policy()!,
  dataDir: dir,
  shell: { present: () => undefined, lockOs: async () => undefined, logoff: async () => undefined },
  enforcer: {
    apply: async () => applied?.(),
    lift: async () => applied?.(),
    clearLeftovers: async () => undefined,
    describe: () => 'timing enforcer',
  },
});
live.rt = rt;
await rt.start();
await service.start();

const times: number[] = [];
for (let i = 0; i < RUNS; i++) {
  // Publish at a random moment in the poll cycle, as IT would.
  await new Promise((r) => setTimeout(r, Math.random() * POLL * 1000));
  const done = new Promise<void>((r) => (applied = r));
  const t0 = performance.now();
  publish(++serial, i % 2 === 0);
  await done;
  times.push(performance.now() - t0);
}
service.stop();
server.close();
await rm(dir, { recursive: true, force: true });
times.sort((a, b) => a - b);
const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
console.log(
  `publish-to-enforced (poll ${POLL} s, ${RUNS} publishes, sanction and lift alternately):`,
);
console.log(
  `  median ${fmt(times[Math.floor(times.length / 2)]!)}, worst ${fmt(times.at(-1)!)}; target ≤ poll + 2 s = ${POLL + 2} s`,
);
