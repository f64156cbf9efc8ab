/**
 * A throwaway OpenLDAP slapd for system tests: its own temp folder, mdb database, loopback
 * ports, and (optionally) LDAPS/StartTLS with a certificate from a test CA made here with
 * openssl. Run in the foreground (-d) so it is a plain child process: stop() ends it, and a
 * test process that exits takes it down too.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'ldapts';

export const SLAPD_BINARY = '/usr/sbin/slapd';
const SCHEMA_DIR = '/etc/ldap/schema';
const MODULE_DIR = '/usr/lib/ldap';
const SCHEMAS = ['core', 'cosine', 'inetorgperson', 'nis'];

/** Why test certificates cannot be made here, or undefined when they can. */
export function opensslUnavailableReason(): string | undefined {
  return spawnSync('openssl', ['version']).status === 0 ? undefined : 'openssl is not installed';
}

/** Why slapd cannot run here, or undefined when it can. */
export function slapdUnavailableReason(): string | undefined {
  if (!existsSync(SLAPD_BINARY)) return `${SLAPD_BINARY} is not installed (apt-get install slapd)`;
  if (!existsSync(path.join(MODULE_DIR, 'back_mdb.la')) && !hasBuiltInMdb()) {
    return `the mdb backend is missing from ${MODULE_DIR}`;
  }
  for (const s of SCHEMAS) {
    const file = path.join(SCHEMA_DIR, `${s}.schema`);
    if (!existsSync(file)) return `${file} is missing`;
  }
  return opensslUnavailableReason();
}

function hasBuiltInMdb(): boolean {
  const out = spawnSync(SLAPD_BINARY, ['-VVV'], { encoding: 'utf8' }).stderr ?? '';
  return /^\s+mdb$/m.test(out);
}

export interface TestCa {
  certFile: string;
  keyFile: string;
  certPem: string;
}

function openssl(args: string[], cwd: string): void {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
}

/** A self-signed CA (P-256) in `dir`, named `name`. */
export async function createTestCa(dir: string, name = 'Classlock Test CA'): Promise<TestCa> {
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  const keyFile = path.join(dir, `${slug}.key`);
  const certFile = path.join(dir, `${slug}.pem`);
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', keyFile], dir);
  openssl(
    [
      'req',
      '-x509',
      '-new',
      '-key',
      keyFile,
      '-sha256',
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
      '-out',
      certFile,
    ],
    dir,
  );
  return { certFile, keyFile, certPem: await readFile(certFile, 'utf8') };
}

export interface ServerCert {
  certFile: string;
  keyFile: string;
  certPem: string;
  keyPem: string;
}

/** A server certificate signed by `ca`, for 127.0.0.1 and localhost unless told otherwise. */
export async function createServerCert(
  dir: string,
  ca: TestCa,
  opts: { name?: string; altNames?: string[] } = {},
): Promise<ServerCert> {
  const name = opts.name ?? 'localhost';
  const altNames = opts.altNames ?? ['IP:127.0.0.1', 'DNS:localhost'];
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  const keyFile = path.join(dir, `${slug}.key`);
  const csrFile = path.join(dir, `${slug}.csr`);
  const certFile = path.join(dir, `${slug}.pem`);
  const extFile = path.join(dir, `${slug}.ext`);
  // PKCS#8 so that GnuTLS (Debian's slapd) and OpenSSL both read it.
  openssl(
    ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', keyFile],
    dir,
  );
  openssl(['req', '-new', '-key', keyFile, '-subj', `/CN=${name}`, '-out', csrFile], dir);
  await writeFile(
    extFile,
    [
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
      `subjectAltName=${altNames.join(',')}`,
      '',
    ].join('\n'),
  );
  openssl(
    [
      'x509',
      '-req',
      '-in',
      csrFile,
      '-CA',
      ca.certFile,
      '-CAkey',
      ca.keyFile,
      '-CAcreateserial',
      '-days',
      '2',
      '-sha256',
      '-extfile',
      extFile,
      '-out',
      certFile,
    ],
    dir,
  );
  return {
    certFile,
    keyFile,
    certPem: await readFile(certFile, 'utf8'),
    keyPem: await readFile(keyFile, 'utf8'),
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject()));
    });
  });
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export interface SlapdOptions {
  /** Also listen on LDAPS and offer StartTLS, with a certificate from a fresh test CA. */
  tls: boolean;
  /** Allow a simple bind with a DN and an empty password to succeed as anonymous (what some
   * directories do): lets a test show that the verifier, not the server, closes that hole. */
  allowUnauthenticatedBind?: boolean;
  /** Milliseconds to wait for the ports to answer. */
  startTimeoutMs?: number;
}

export interface Slapd {
  /** ldap://127.0.0.1:PORT (StartTLS is offered on it when tls is on). */
  url: string;
  /** ldaps://127.0.0.1:PORT2, when tls is on. */
  ldapsUrl?: string;
  /** The test CA's certificate (PEM) and its file; empty when tls is off. */
  caPem: string;
  caFile: string;
  baseDn: string;
  /** People live here: uid=NAME,ou=people,BASE. */
  peopleDn: string;
  rootDn: string;
  rootPassword: string;
  /** A read-only account for search-mode binds: cn=classlock,ou=services,BASE. */
  serviceAccount: { dn: string; password: string };
  /** The folder holding config, database and certificates (removed by stop()). */
  dir: string;
  /** Add a person; returns their DN. `extra` adds or overrides attributes. */
  addUser(
    uid: string,
    password: string,
    extra?: Record<string, string | string[]>,
  ): Promise<string>;
  /** Add a group (groupOfNames under ou=groups) of these people; their memberOf follows. */
  addGroup(cn: string, memberDns: string[]): Promise<string>;
  /** Ends slapd (SIGTERM, then SIGKILL) and removes the folder. Safe to call twice. */
  stop(): Promise<void>;
}

export async function startSlapd(opts: SlapdOptions): Promise<Slapd> {
  const reason = slapdUnavailableReason();
  if (reason) throw new Error(`Cannot start a test slapd: ${reason}`);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'classlock-slapd-'));
  try {
    return await launch(dir, opts);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

async function launch(dir: string, opts: SlapdOptions): Promise<Slapd> {
  const baseDn = 'dc=school,dc=local';
  const rootDn = `cn=admin,${baseDn}`;
  const rootPassword = 'root-test-password';
  const serviceAccount = {
    dn: `cn=classlock,ou=services,${baseDn}`,
    password: 'svc-test-password',
  };
  const dbDir = path.join(dir, 'db');
  await mkdir(dbDir);

  let caPem = '';
  let caFile = '';
  const tlsLines: string[] = [];
  if (opts.tls) {
    const ca = await createTestCa(dir);
    const server = await createServerCert(dir, ca);
    caPem = ca.certPem;
    caFile = ca.certFile;
    tlsLines.push(
      `TLSCACertificateFile ${ca.certFile}`,
      `TLSCertificateFile ${server.certFile}`,
      `TLSCertificateKeyFile ${server.keyFile}`,
    );
  }

  const conf = [
    ...SCHEMAS.map((s) => `include ${path.join(SCHEMA_DIR, `${s}.schema`)}`),
    `modulepath ${MODULE_DIR}`,
    ...(hasBuiltInMdb() ? [] : ['moduleload back_mdb']),
    // memberOf on people, as Active Directory keeps it, so group-based roles can be tested.
    'moduleload memberof',
    `pidfile ${path.join(dir, 'slapd.pid')}`,
    `argsfile ${path.join(dir, 'slapd.args')}`,
    ...tlsLines,
    ...(opts.allowUnauthenticatedBind ? ['allow bind_anon_dn'] : []),
    'database mdb',
    'maxsize 16777216',
    `suffix "${baseDn}"`,
    `rootdn "${rootDn}"`,
    `rootpw ${rootPassword}`,
    `directory ${dbDir}`,
    'overlay memberof',
    // Anonymous may only authenticate: a search needs a bound account, as in Active Directory.
    'access to attrs=userPassword by self write by anonymous auth by * none',
    'access to * by users read by * none',
    '',
  ].join('\n');
  const confFile = path.join(dir, 'slapd.conf');
  await writeFile(confFile, conf);

  const port = await freePort();
  const ldapsPort = opts.tls ? await freePort() : undefined;
  const url = `ldap://127.0.0.1:${port}`;
  const ldapsUrl = ldapsPort ? `ldaps://127.0.0.1:${ldapsPort}` : undefined;
  const listen = [`${url}/`, ...(ldapsUrl ? [`${ldapsUrl}/`] : [])].join(' ');

  // slapd runs under a small shell that also watches our end of a pipe: when this process
  // goes away by any means (a killed test worker included) the pipe closes and slapd is
  // stopped, so no test leaves a directory server behind.
  const watchdog = [
    'exec 3<&0',
    '"$0" "$@" &',
    'p=$!',
    '{ read _ <&3; kill $p 2>/dev/null; } &',
    'wait $p',
  ].join('\n');
  const child = spawn(
    '/bin/sh',
    ['-c', watchdog, SLAPD_BINARY, '-f', confFile, '-h', listen, '-d', '0'],
    { stdio: ['pipe', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-4000)));
  const killOnExit = (): void => {
    child.stdin?.destroy();
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  const stop = once(async () => {
    process.removeListener('exit', killOnExit);
    await endChild(child, path.join(dir, 'slapd.pid'));
    await rm(dir, { recursive: true, force: true });
  });

  try {
    await waitUntilListening(child, [port, ...(ldapsPort ? [ldapsPort] : [])], () => stderr, opts);
    await seed(url, rootDn, rootPassword, baseDn, serviceAccount);
  } catch (err) {
    await stop();
    throw err;
  }

  const peopleDn = `ou=people,${baseDn}`;
  return {
    url,
    ldapsUrl,
    caPem,
    caFile,
    baseDn,
    peopleDn,
    rootDn,
    rootPassword,
    serviceAccount,
    dir,
    async addUser(uid, password, extra = {}) {
      const dn = `uid=${uid},${peopleDn}`;
      await asRoot(url, rootDn, rootPassword, (c) =>
        c.add(dn, {
          objectClass: ['inetOrgPerson'],
          uid,
          cn: uid,
          sn: uid,
          userPassword: password,
          ...extra,
        }),
      );
      return dn;
    },
    async addGroup(cn, memberDns) {
      const dn = `cn=${cn},ou=groups,${baseDn}`;
      await asRoot(url, rootDn, rootPassword, (c) =>
        c.add(dn, { objectClass: ['groupOfNames'], cn, member: memberDns }),
      );
      return dn;
    },
    stop,
  };
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let p: Promise<void> | undefined;
  return () => (p ??= fn());
}

async function waitUntilListening(
  child: ChildProcess,
  ports: number[],
  stderr: () => string,
  opts: SlapdOptions,
): Promise<void> {
  const deadline = Date.now() + (opts.startTimeoutMs ?? 10_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`slapd exited at start (code ${child.exitCode}): ${stderr().trim()}`);
    }
    const up = await Promise.all(ports.map(portAnswers));
    if (up.every(Boolean)) return;
    if (Date.now() > deadline) {
      throw new Error(`slapd did not listen on ${ports.join(', ')} in time: ${stderr().trim()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Close the watchdog's pipe (it then stops slapd); after 3 s, kill both outright. */
async function endChild(child: ChildProcess, pidFile: string): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    child.stdin?.destroy();
    return;
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.stdin?.end();
  const timer = setTimeout(() => {
    void readFile(pidFile, 'utf8')
      .then((pid) => process.kill(Number(pid.trim()), 'SIGKILL'))
      .catch(() => undefined);
    child.kill('SIGKILL');
  }, 3000);
  await exited;
  clearTimeout(timer);
}

async function asRoot<T>(
  url: string,
  rootDn: string,
  rootPassword: string,
  fn: (c: Client) => Promise<T>,
): Promise<T> {
  const c = new Client({ url, timeout: 5000, connectTimeout: 5000 });
  try {
    await c.bind(rootDn, rootPassword);
    return await fn(c);
  } finally {
    await c.unbind().catch(() => undefined);
  }
}

async function seed(
  url: string,
  rootDn: string,
  rootPassword: string,
  baseDn: string,
  service: { dn: string; password: string },
): Promise<void> {
  await asRoot(url, rootDn, rootPassword, async (c) => {
    await c.add(baseDn, { objectClass: ['dcObject', 'organization'], dc: 'school', o: 'School' });
    await c.add(`ou=people,${baseDn}`, { objectClass: 'organizationalUnit', ou: 'people' });
    await c.add(`ou=services,${baseDn}`, { objectClass: 'organizationalUnit', ou: 'services' });
    await c.add(`ou=groups,${baseDn}`, { objectClass: 'organizationalUnit', ou: 'groups' });
    await c.add(service.dn, {
      objectClass: ['organizationalRole', 'simpleSecurityObject'],
      cn: 'classlock',
      userPassword: service.password,
    });
  });
}
