// How many policy polls one stock nginx answers on this machine: conditional GETs (the
// steady state: 304 Not Modified) and full downloads (right after IT publishes), turned
// into "terminals per server at a 30 s poll". nginx and wrk share this machine's cores,
// so the figures are a floor for a dedicated server.
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { generateKeyPairSync } from 'node:crypto';
import { fetchHttp } from '../src/core/fetch/http-fetch';
import { signPolicy } from '../src/core/policy/bundle';
import { parsePolicyYaml } from '../src/core/policy/policy-yaml';
import { MINIMAL_POLICY_YAML } from '../src/admin/minimal-policy';
import type { Sanction } from '../src/core/policy/schema';

const NGINX = '/usr/sbin/nginx';
const WRK = '/usr/bin/wrk';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const POLL = 30;
const run = promisify(execFile);

if (!existsSync(NGINX) || !existsSync(WRK)) {
  console.log('skipped: nginx/wrk not installed (apt-get install nginx-light wrk)');
  process.exit(0);
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

function head(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; etag?: string; encoding?: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, agent: false }, (res) => {
      res.resume();
      resolve({
        status: res.statusCode ?? 0,
        etag: res.headers.etag,
        encoding: res.headers['content-encoding'],
      });
    });
    req.on('error', reject);
    req.end();
  });
}

async function wrk(url: string, headers: string[]): Promise<number> {
  const args = ['-t2', '-c64', `-d${SECONDS}s`, '--latency'];
  for (const h of headers) args.push('-H', h);
  const { stdout } = await run(WRK, [...args, url], { timeout: (SECONDS + 30) * 1000 });
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1];
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(stdout)?.[1];
  if (non2xx) console.log(`  (wrk saw ${non2xx} error responses)`);
  return rps ? Number(rps) : NaN;
}

/** Classlock's own poll loop against nginx: how many connections its polls used. */
async function pollerConnections(origin: string, dir: string): Promise<string> {
  const opts = { maxBytes: 1 << 20, connectTimeoutMs: 2000, totalTimeoutMs: 5000 };
  const poll = async (path: string, n: number, gapMs: number) => {
    let validators = {};
    let failed = 0;
    for (let i = 0; i < n; i++) {
      try {
        const r = await fetchHttp(`${origin}${path}`, { ...opts, validators });
        if (r.kind === 'body') validators = r.validators;
      } catch {
        failed++;
      }
      await new Promise((r) => setTimeout(r, gapMs));
    }
    return failed;
  };
  const count = async (file: string) =>
    new Set((await readFile(join(dir, file), 'utf8')).trim().split('\n')).size;
  const failedLong = await poll('/poll.json', 10, 300);
  const failedShort = await poll('/poll-short.json', 4, 1500);
  return (
    `Classlock's poller: 10 polls 0.3 s apart used ${await count('conn.log')} connection(s), ${failedLong} failed; ` +
    `4 polls 1.5 s apart to a location that closes idle connections after 1 s used ${await count('conn-short.log')}, ${failedShort} failed`
  );
}

const base = parsePolicyYaml(MINIMAL_POLICY_YAML);
if (!base.ok) throw new Error(base.errors.join('\n'));
// A large school: 300 active sanctions.
const sanctions: Sanction[] = Array.from({ length: 300 }, (_, i) => ({
  id: `s-${i}`,
  user: `SCHOOL\\pupil${i}`,
  scope: i % 5 ? 'internet' : 'network',
  kind: 'sanction',
  until: '2026-12-04',
  reason: 'Breach of the acceptable use agreement',
  issuedBy: 'Head of IT',
  issuedAt: '2026-11-01',
}));
const { privateKey } = generateKeyPairSync('ed25519');
const bundle = signPolicy({ ...base.policy, serial: 7, sanctions }, privateKey, 'trust-2026');

const dir = await mkdtemp(join(tmpdir(), 'classlock-nginx-'));
const www = join(dir, 'www');
await mkdir(www, { recursive: true });
await mkdir(join(dir, 'tmp'), { recursive: true });
await writeFile(join(www, 'policy.json'), bundle);
await writeFile(join(www, 'policy.json.gz'), gzipSync(bundle, { level: 9 }));
const port = await freePort();
const asRoot = process.getuid?.() === 0;
await writeFile(
  join(dir, 'nginx.conf'),
  `${asRoot ? 'user root;\n' : ''}worker_processes 1;
error_log ${dir}/error.log warn;
pid ${dir}/nginx.pid;
events { worker_connections 4096; }
http {
  access_log off;
  log_format conn '$connection';
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  types { application/json json; }
  server {
    listen 127.0.0.1:${port};
    root ${www};
    etag on;
    gzip_static on;
    location = /policy.json { add_header Cache-Control "no-cache"; }
    # The same file for Classlock's own poller, logging which connection each poll used.
    location = /poll.json { alias ${www}/policy.json; access_log ${dir}/conn.log conn; }
    location = /poll-short.json {
      alias ${www}/policy.json;
      keepalive_timeout 1s;
      access_log ${dir}/conn-short.log conn;
    }
  }
}
`,
);

const nginx = spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], {
  stdio: ['ignore', 'inherit', 'inherit'],
});
const url = `http://127.0.0.1:${port}/policy.json`;
try {
  let first: Awaited<ReturnType<typeof head>> | undefined;
  for (let i = 0; i < 50 && !first; i++) {
    first = await head(url, { 'accept-encoding': 'gzip' }).catch(() => undefined);
    if (!first) await new Promise((r) => setTimeout(r, 100));
  }
  if (!first?.etag) throw new Error(`nginx did not serve the policy (${JSON.stringify(first)})`);
  const check = await head(url, { 'accept-encoding': 'gzip', 'if-none-match': first.etag });
  console.log(
    `policy.json: ${Buffer.byteLength(bundle)} bytes, ${gzipSync(bundle, { level: 9 }).length} gzipped (300 sanctions); ` +
      `served ${first.encoding ?? 'identity'}, ETag ${first.etag}, conditional GET → ${check.status}`,
  );
  // Terminals keep their connection between polls (http-fetch.ts), so the headline figure
  // is on kept-alive connections; a new connection each is what terminals before this
  // version did, and what a server that closes idle connections sees.
  const conditional = await wrk(url, [
    'Accept-Encoding: gzip',
    `If-None-Match: ${first.etag}`,
    'Connection: close',
  ]);
  const keepAlive = await wrk(url, ['Accept-Encoding: gzip', `If-None-Match: ${first.etag}`]);
  const full = await wrk(url, ['Accept-Encoding: gzip', 'Connection: close']);
  const terminals = (rps: number) => Math.round(rps * POLL).toLocaleString('en-GB');
  console.log(
    `conditional GETs (304) on kept-alive connections, as terminals poll: ${Math.round(keepAlive)} requests/s → ${terminals(keepAlive)} terminals per server at a ${POLL} s poll`,
  );
  console.log(
    `conditional GETs (304), a new connection each: ${Math.round(conditional)} requests/s → ${terminals(conditional)}`,
  );
  console.log(
    `full downloads (200, gzip), a new connection each: ${Math.round(full)} requests/s → ${terminals(full)} terminals re-fetching within one ${POLL} s poll after a publish`,
  );
  console.log(await pollerConnections(`http://127.0.0.1:${port}`, dir));
  console.log(
    `(nginx 1 worker and wrk 2 threads sharing this machine's ${(await import('node:os')).cpus().length} cores; ${SECONDS} s each)`,
  );
} finally {
  nginx.kill('SIGTERM');
  await new Promise((r) => nginx.once('exit', r));
  await rm(dir, { recursive: true, force: true });
}
