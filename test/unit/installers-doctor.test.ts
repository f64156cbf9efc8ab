import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ServiceRequestSchema,
  ServiceResponseSchema,
  type ServiceStatus,
} from '../../src/shared/service-protocol';
import { runCli } from './cli-helpers';

/**
 * `classlock-admin doctor` against a stand-in service: a line-JSON server on a temporary
 * Unix socket that checks every request against the protocol schema and answers with a
 * schema-valid status (or misbehaves, as a broken or hostile service might).
 */
const NOW = Date.parse('2026-11-22T10:00:00Z');

function healthy(): ServiceStatus {
  return {
    version: '0.1.0',
    machineId: 'a1b2c3',
    startedAt: '2026-11-22T07:00:00Z',
    policy: {
      serial: 42,
      origin: 'signed',
      source: 'https://policy.school.example/p.json',
      issuedAt: '2026-11-22T07:00:00Z',
      expires: '2026-11-29T07:00:00Z',
      stale: false,
    },
    timeFloor: '2026-11-22T09:59:00Z',
    enforcement: { describe: 'nftables table inet classlock: 0 users restricted' },
    hub: {
      url: 'https://hub.school.example/',
      enrolled: true,
      lastContact: '2026-11-22T09:59:30Z',
    },
    hotkeys: { lockNow: 'Ctrl+Alt+L', hideScreen: 'Ctrl+Alt+H' },
  };
}

type Behaviour = (req: unknown, sock: Socket) => void;

let dir = '';
let server: Server | undefined;
const requests: unknown[] = [];

async function serve(behaviour: Behaviour): Promise<string> {
  server?.close();
  const path = join(dir, `s${Math.random().toString(36).slice(2)}.sock`);
  server = createServer((sock) => {
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString();
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const req = JSON.parse(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
        requests.push(req);
        behaviour(req, sock);
      }
    });
    sock.on('error', () => {});
  });
  await new Promise<void>((r) => server!.listen(path, r));
  return path;
}

/** A protocol-true service answering status with `status`, after a push it sends first. */
const answering =
  (status: ServiceStatus): Behaviour =>
  (req, sock) => {
    const r = ServiceRequestSchema.parse(req);
    sock.write(`${JSON.stringify({ push: 'status', status })}\n`);
    const res = ServiceResponseSchema.parse({ id: r.id, ok: true, status });
    sock.write(`${JSON.stringify(res)}\n`);
  };

const doctor = (socket: string, ...extra: string[]) =>
  runCli(['doctor', '--socket', socket, '--timeout', '1000', ...extra], { now: NOW });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'classlock-doctor-'));
});
afterAll(async () => {
  server?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('classlock-admin doctor', () => {
  it('all checks pass: one line each, exit 0, asked with the protocol status request', async () => {
    const sock = await serve(answering(healthy()));
    const r = await doctor(sock);
    expect(r.code, r.err).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines.map((l) => l.split(/\s+/).slice(0, 2).join(' '))).toEqual([
      'ok service',
      'ok policy',
      'ok freshness',
      'ok enforcement',
      'ok time',
      'ok hub',
    ]);
    expect(r.out).toMatch(/version 0\.1\.0/);
    expect(r.out).toMatch(/serial 42 .* issued 3 h 0 min ago/);
    expect(r.out).toMatch(/expires in 6 days/);
    expect(requests.at(-1)).toEqual({ id: 1, type: 'status' });
  });

  it('a stale policy fails, says what to do, and exits 1', async () => {
    const s = healthy();
    s.policy = { ...s.policy, expires: '2026-11-21T07:00:00Z', stale: true };
    const r = await doctor(await serve(answering(s)));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^FAIL\s+freshness\s+stale/m);
    expect(r.out).toMatch(/→ sign and publish the policy again/);
    expect(r.err).toMatch(/1 check failed/);
  });

  it('an expired policy the service has not yet called stale still fails', async () => {
    const s = healthy();
    s.policy = { ...s.policy, expires: '2026-11-22T09:00:00Z' };
    const r = await doctor(await serve(answering(s)));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^FAIL\s+freshness/m);
  });

  it('the built-in policy, broken enforcement, a clock behind the floor and an unenrolled hub each fail with their fix', async () => {
    const s = healthy();
    s.policy = { ...s.policy, serial: 0, origin: 'built-in', source: 'built-in default policy' };
    s.enforcement = { describe: 'nftables', error: 'nft: Operation not permitted' };
    s.timeFloor = '2026-11-22T12:00:00Z';
    s.hub = {
      url: 'https://hub.school.example/',
      enrolled: false,
      lastContact: null,
      problem: 'enrolment refused',
    };
    const r = await doctor(await serve(answering(s)));
    expect(r.code).toBe(1);
    for (const name of ['policy', 'enforcement', 'time', 'hub'])
      expect(r.out).toMatch(new RegExp(`^FAIL\\s+${name}\\s`, 'm'));
    expect(r.out).toMatch(/2 h 0 min behind the trusted-time floor/);
    expect(r.out).toMatch(/→ set hubEnrolmentSecret/);
    expect(r.out).toMatch(/Operation not permitted/);
    expect(r.err).toMatch(/4 checks failed/);
  });

  it('no hub configured is not a failure: the terminal works alone', async () => {
    const s = healthy();
    s.hub = { url: null, enrolled: false, lastContact: null };
    const r = await doctor(await serve(answering(s)));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^ok\s+hub\s+no hub configured/m);
  });

  it('no service: one line saying how to start it, exit 1', async () => {
    const r = await doctor(join(dir, 'nobody-here.sock'));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^FAIL\s+service\s+not running: no service socket at/m);
    expect(r.out).toMatch(/systemctl enable --now classlockd/);
  });

  it('a service that never answers is given up on at the timeout', async () => {
    const r = await doctor(await serve(() => {}));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/did not answer within 1000 ms/);
  });

  it('a hostile or different service: not JSON, wrong shape, refusal, an endless line — each a clear failure, never a crash', async () => {
    const cases: [Behaviour, RegExp][] = [
      [(_, s) => s.write('hello there\n'), /not JSON/],
      [
        (_, s) => s.write(`${JSON.stringify({ id: 1, ok: true, status: { version: 7 } })}\n`),
        /not its protocol/,
      ],
      [
        (_, s) => s.write(`${JSON.stringify({ id: 1, ok: false, error: 'busy' })}\n`),
        /refused the status request: busy/,
      ],
      [(_, s) => s.write('x'.repeat(70 * 1024)), /longer than the protocol allows/],
      [(_, s) => s.end(), /closed the connection without answering/],
    ];
    for (const [behaviour, message] of cases) {
      const r = await doctor(await serve(behaviour));
      expect(r.code, String(message)).toBe(1);
      expect(r.out, String(message)).toMatch(message);
    }
  });

  it('refuses a nonsense timeout with the usage', async () => {
    const r = await runCli(['doctor', '--timeout', 'soon']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--timeout must be milliseconds/);
  });
});
