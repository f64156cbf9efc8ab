/**
 * What slapd cannot play: Active Directory's UPN binds (`jsmith@school.local` is not a DN,
 * so OpenLDAP rejects it before checking anything) and its reason codes, and a server that
 * accepts a connection and then says nothing. A small LDAP responder on loopback answers
 * simple binds the way a domain controller does.
 */
import net from 'node:net';
import tls from 'node:tls';
import { BerReader, BerWriter } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectorySchema } from '../../src/core/policy/schema';
import { LdapVerifier } from '../../src/core/unlock/ldap-verifier';
import type { VerifyResult } from '../../src/core/unlock/verifier';
import { createServerCert, createTestCa, opensslUnavailableReason } from './support/slapd';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const PASSWORD = 'Domain-Controller-Pw-8';
const OTHER = 'not-the-password-3';

/** Real AD answers: code 49 with "data NNN" in the diagnostic message. */
function adDiagnostic(data: string): string {
  return `80090308: LdapErr: DSID-0C090569, comment: AcceptSecurityContext error, data ${data}, v4563`;
}

interface Responder {
  url: string;
  binds: string[];
  close(): Promise<void>;
}

/** Read whole LDAPMessages (SEQUENCE, definite length) off a byte stream. */
function takeMessages(buf: Buffer): { messages: Buffer[]; rest: Buffer } {
  const messages: Buffer[] = [];
  let rest = buf;
  for (;;) {
    if (rest.length < 2) break;
    let len = rest[1] ?? 0;
    let header = 2;
    if (len & 0x80) {
      const n = len & 0x7f;
      if (rest.length < 2 + n) break;
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + (rest[2 + i] ?? 0);
      header = 2 + n;
    }
    if (rest.length < header + len) break;
    messages.push(rest.subarray(0, header + len));
    rest = rest.subarray(header + len);
  }
  return { messages, rest };
}

function ldapResult(messageId: number, tag: number, code: number, diagnostic = ''): Buffer {
  const w = new BerWriter();
  w.startSequence(0x30);
  w.writeInt(messageId);
  w.startSequence(tag);
  w.writeEnumeration(code);
  w.writeString('');
  w.writeString(diagnostic);
  w.endSequence();
  w.endSequence();
  return w.buffer;
}

/** A SearchResultEntry: one DN and its attributes. */
function searchEntry(messageId: number, dn: string, attrs: Record<string, string[]>): Buffer {
  const w = new BerWriter();
  w.startSequence(0x30);
  w.writeInt(messageId);
  w.startSequence(0x64);
  w.writeString(dn);
  w.startSequence(0x30);
  for (const [type, values] of Object.entries(attrs)) {
    w.startSequence(0x30);
    w.writeString(type);
    w.startSequence(0x31);
    for (const v of values) w.writeString(v);
    w.endSequence();
    w.endSequence();
  }
  w.endSequence();
  w.endSequence();
  w.endSequence();
  return w.buffer;
}

const JSMITH_GROUPS = [
  'CN=Teaching Staff,OU=Groups,DC=school,DC=local',
  'CN=Staff\\, Pastoral,OU=Groups,DC=school,DC=local',
];

/**
 * A domain controller that knows three UPNs. `tlsFor` makes it an LDAPS one. After a good
 * bind it answers the two searches a UPN unlock makes for groups: the rootDSE's naming
 * context, then the person by userPrincipalName with their memberOf.
 */
async function startDomainController(tlsFor?: { key: string; cert: string }): Promise<Responder> {
  const binds: string[] = [];
  const handle = (socket: net.Socket): void => {
    let pending: Buffer = Buffer.alloc(0);
    let boundAs = '';
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      const { messages, rest } = takeMessages(Buffer.concat([pending, chunk]));
      pending = rest;
      for (const m of messages) {
        const r = new BerReader(m);
        r.readSequence(0x30);
        const id = r.readInt() ?? 0;
        const op = r.readSequence();
        if (op === 0x42) {
          socket.end();
          return;
        }
        if (op === 0x63) {
          const base = r.readString() ?? '';
          if (base === '') {
            socket.write(searchEntry(id, '', { defaultNamingContext: ['DC=school,DC=local'] }));
          } else if (boundAs && base === 'DC=school,DC=local' && m.includes(Buffer.from(boundAs))) {
            socket.write(
              searchEntry(id, 'CN=John Smith,OU=Staff,DC=school,DC=local', {
                memberOf: JSMITH_GROUPS,
              }),
            );
          }
          socket.write(ldapResult(id, 0x65, 0));
          continue;
        }
        if (op !== 0x60) {
          socket.write(ldapResult(id, 0x61, 2, 'only simple binds here'));
          continue;
        }
        r.readInt();
        const name = r.readString() ?? '';
        const password = r.readString(0x80) ?? '';
        binds.push(name);
        if (name === 'jsmith@school.local' && password === PASSWORD) {
          boundAs = name;
          socket.write(ldapResult(id, 0x61, 0, ''));
        } else if (name === 'locked@school.local') {
          socket.write(ldapResult(id, 0x61, 49, adDiagnostic('775')));
        } else if (name === 'expired@school.local' && password === PASSWORD) {
          socket.write(ldapResult(id, 0x61, 49, adDiagnostic('532')));
        } else {
          socket.write(ldapResult(id, 0x61, 49, adDiagnostic('52e')));
        }
      }
    });
  };
  const server = tlsFor ? tls.createServer(tlsFor, handle) : net.createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `${tlsFor ? 'ldaps' : 'ldap'}://127.0.0.1:${port}`,
    binds,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Accepts connections and never says a word; sockets are dropped at close. */
async function startSilentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function detail(r: VerifyResult): string {
  return r.ok ? '' : r.detail;
}

function upn(urls: string[], extra: Record<string, unknown> = {}): LdapVerifier {
  return new LdapVerifier(
    DirectorySchema.parse({
      urls,
      bind: { mode: 'upn', upnSuffix: 'school.local' },
      connectTimeoutSeconds: 1,
      timeoutSeconds: 1,
      ...extra,
    }),
  );
}

describe('UPN binds the way Active Directory answers them', () => {
  let dc: Responder;
  beforeAll(async () => {
    dc = await startDomainController();
  });
  afterAll(async () => {
    await dc?.close();
  });

  it('binds as name@upnSuffix, whichever form the OS reported', async () => {
    const v = upn([dc.url]);
    for (const account of ['jsmith', 'SCHOOL\\JSmith', 'jsmith@school.local']) {
      expect(await v.verify(account, PASSWORD)).toEqual({
        ok: true,
        method: 'ldap',
        account,
        groups: ['Teaching Staff', 'Staff, Pastoral'],
      });
    }
    expect(dc.binds.slice(-3)).toEqual(Array(3).fill('jsmith@school.local'));
  });

  it('a wrong password (data 52e) is wrong', async () => {
    const r = await upn([dc.url]).verify('jsmith', OTHER);
    expect(r).toEqual({
      ok: false,
      method: 'ldap',
      kind: 'wrong',
      detail: 'The directory did not accept that user name and password.',
    });
  });

  it("AD's reasons become words: a locked-out or expired account is still not a way in", async () => {
    const locked = await upn([dc.url]).verify('locked', PASSWORD);
    expect(locked).toMatchObject({ ok: false, kind: 'wrong' });
    expect(detail(locked)).toMatch(/locked out/);
    const expired = await upn([dc.url]).verify('expired', PASSWORD);
    expect(expired).toMatchObject({ ok: false, kind: 'wrong' });
    expect(detail(expired)).toMatch(/password has expired/);
    for (const r of [locked, expired]) expect(detail(r)).not.toContain(PASSWORD);
  });

  it('an injection attempt never reaches the domain controller', async () => {
    const before = dc.binds.length;
    for (const name of ['*)(uid=*', 'jsmith)(|(uid=*)', '*', 'jsmith@evil)(x@school.local']) {
      expect(await upn([dc.url]).verify(name, PASSWORD)).toMatchObject({
        ok: false,
        kind: 'refused',
      });
    }
    expect(dc.binds.length).toBe(before);
  });

  it('an empty password never reaches it either', async () => {
    const before = dc.binds.length;
    expect(await upn([dc.url]).verify('jsmith', '')).toMatchObject({ kind: 'refused' });
    expect(dc.binds.length).toBe(before);
  });
});

const noOpenssl = opensslUnavailableReason();

describe.skipIf(noOpenssl !== undefined)(
  `LDAPS to a domain controller${noOpenssl ? ` (skipped: ${noOpenssl})` : ''}`,
  () => {
    let dir: string;
    let dc: Responder;
    let caPem: string;
    beforeAll(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'classlock-dc-'));
      const ca = await createTestCa(dir, 'School Root CA');
      caPem = ca.certPem;
      const cert = await createServerCert(dir, ca, {
        name: 'dc1.school.local',
        altNames: ['DNS:dc1.school.local', 'IP:127.0.0.1'],
      });
      dc = await startDomainController({ key: cert.keyPem, cert: cert.certPem });
    });
    afterAll(async () => {
      await dc?.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('unlocks over ldaps:// with the school CA, and not without it', async () => {
      const dirSettings = DirectorySchema.parse({
        urls: [dc.url],
        bind: { mode: 'upn', upnSuffix: 'school.local' },
      });
      expect((await new LdapVerifier(dirSettings, { caPem }).verify('jsmith', PASSWORD)).ok).toBe(
        true,
      );
      const untrusted = await new LdapVerifier(dirSettings).verify('jsmith', PASSWORD);
      expect(untrusted).toMatchObject({ ok: false, kind: 'unavailable' });
      expect(detail(untrusted)).toMatch(/not signed by a CA this computer trusts/);
    });
  },
);

describe('a directory that accepts the connection and then says nothing', () => {
  let silent: { port: number; close(): Promise<void> };
  beforeAll(async () => {
    silent = await startSilentServer();
  });
  afterAll(async () => {
    await silent?.close();
  });

  it('ldap://: unavailable once the operation timeout passes, in plain words', async () => {
    const url = `ldap://127.0.0.1:${silent.port}`;
    const r = await upn([url]).verify('jsmith', PASSWORD);
    expect(r).toEqual({
      ok: false,
      method: 'ldap',
      kind: 'unavailable',
      detail: `The school directory (${url}) accepted the connection but did not reply within 1 second.`,
    });
  }, 5000);

  it('ldaps://: the TLS handshake never finishes, and the connect timeout says so', async () => {
    const url = `ldaps://127.0.0.1:${silent.port}`;
    const r = await upn([url]).verify('jsmith', PASSWORD);
    expect(detail(r)).toBe(`The school directory (${url}) did not answer within 1 second.`);
  }, 5000);

  it('StartTLS: the request goes unanswered and times out too', async () => {
    const url = `ldap://127.0.0.1:${silent.port}`;
    const r = await upn([url], { startTls: true }).verify('jsmith', PASSWORD);
    expect(r).toMatchObject({ ok: false, kind: 'unavailable' });
    expect(detail(r)).toMatch(/did not (reply|answer) within 1 second/);
  }, 5000);

  it('a silent first server does not stop a live second one', async () => {
    const dc = await startDomainController();
    try {
      const r = await upn([`ldap://127.0.0.1:${silent.port}`, dc.url]).verify('jsmith', PASSWORD);
      expect(r.ok).toBe(true);
    } finally {
      await dc.close();
    }
  }, 5000);
});
