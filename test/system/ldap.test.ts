/**
 * Directory unlock against a real OpenLDAP slapd on loopback, with TLS from a test CA made by
 * the test. The slapd is configured like a careless directory (a DN with an empty password
 * binds as anonymous) so that the verifier, not the server, is what is proved to close holes.
 */
import net from 'node:net';
import { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectorySchema } from '../../src/core/policy/schema';
import {
  groupNameOf,
  LdapVerifier,
  ldapVerifierFor,
  SCHOOL_USERNAME,
  type DirectorySettings,
  type LdapMachineOptions,
} from '../../src/core/unlock/ldap-verifier';
import { EqualityFilter, Filter } from 'ldapts';
import { escapeDnValue, fillTemplate, unescapeDnValue } from '../../src/core/unlock/ldap-escape';
import type { VerifyResult } from '../../src/core/unlock/verifier';
import { createTestCa, slapdUnavailableReason, startSlapd, type Slapd } from './support/slapd';

const JSMITH_PW = 'Staffroom-Kettle-42!';
const ABROWN_PW = 'Library$Quiet-7';
const WRONG_PW = 'definitely-not-it-9';
const SIAN_PW = 'Cymraeg-Bore-Da-1';
const TWIN_PW = 'Twin-Password-55';
const ALL_SECRETS = [JSMITH_PW, ABROWN_PW, WRONG_PW, SIAN_PW, TWIN_PW];

/** Every verify goes through here: it must resolve, and no password may appear in its result. */
async function check(v: LdapVerifier, account: string, secret: string): Promise<VerifyResult> {
  const r = await v.verify(account, secret);
  const text = JSON.stringify(r);
  for (const s of ALL_SECRETS) expect(text).not.toContain(s);
  return r;
}

function settings(input: Record<string, unknown>): DirectorySettings {
  return DirectorySchema.parse({ connectTimeoutSeconds: 2, timeoutSeconds: 2, ...input });
}

async function deadPort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => resolve(typeof a === 'object' && a ? a.port : 1));
    });
  });
}

describe('usernames meet LDAP syntax only escaped (no directory needed)', () => {
  it('filter values are escaped per RFC 4515 by ldapts, as the verifier builds them', () => {
    expect(Filter.escape('*)(uid=*')).toBe('\\2a\\29\\28uid=\\2a');
    expect(Filter.escape('a\\b\u0000')).toBe('a\\5cb\\00');
    expect(Filter.escape('siân.ellis')).toBe('siân.ellis');
    expect(
      new EqualityFilter({ attribute: 'userPrincipalName', value: '*)(|(a=*' }).toString(),
    ).toBe('(userPrincipalName=\\2a\\29\\28|\\28a=\\2a)');
  });

  it('DN values are escaped per RFC 4514', () => {
    expect(escapeDnValue('a,b=c+d')).toBe('a\\,b\\=c\\+d');
    expect(escapeDnValue('"<>;\\')).toBe('\\"\\<\\>\\;\\\\');
    expect(escapeDnValue('#x ')).toBe('\\#x\\ ');
    expect(escapeDnValue(' x#')).toBe('\\ x#');
    expect(escapeDnValue('a\u0000b')).toBe('a\\00b');
  });

  it('group names come out of memberOf DNs with their escapes undone', () => {
    expect(groupNameOf('CN=Teaching Staff,OU=Groups,DC=school,DC=local')).toBe('Teaching Staff');
    expect(groupNameOf('cn=Staff\\, Support,ou=groups,dc=x')).toBe('Staff, Support');
    expect(groupNameOf('cn=Athrawon Cymraeg \\c3\\a2,ou=groups')).toBe('Athrawon Cymraeg â');
    expect(groupNameOf('OU=Groups,DC=school')).toBeUndefined();
    expect(unescapeDnValue('a\\+b\\2cc')).toBe('a+b,c');
  });

  it('templates take the value literally, "$&" included', () => {
    expect(fillTemplate('uid={user},ou={user}', '$&')).toBe('uid=$&,ou=$&');
  });

  it('school usernames pass; anything with LDAP syntax in it does not', () => {
    for (const ok of ['jsmith', 'siân.ellis', "o'brien", 'j-smith_2', 'Ffion', '12345']) {
      expect(SCHOOL_USERNAME.test(ok), ok).toBe(true);
    }
    for (const bad of [
      '*',
      'a*',
      'a(b',
      'a)b',
      'a\\b',
      'a,b',
      'a=b',
      'a+b',
      'a\u0000',
      ' a',
      'a b',
      '.a',
      'x'.repeat(65),
    ]) {
      expect(SCHOOL_USERNAME.test(bad), bad).toBe(false);
    }
  });

  it('odd inputs are refused, never thrown', async () => {
    const v = new LdapVerifier(
      settings({ urls: ['ldap://127.0.0.1:1'], bind: { mode: 'upn', upnSuffix: 'school.local' } }),
    );
    for (const [account, secret] of [
      [null, JSMITH_PW],
      ['jsmith', null],
      ['jsmith', 'x'.repeat(5000)],
    ] as const) {
      const r = await v.verify(account as unknown as string, secret as unknown as string);
      expect(r).toMatchObject({ ok: false, kind: 'refused' });
    }
  });
});

const missing = slapdUnavailableReason();

describe.skipIf(missing !== undefined)(
  `directory unlock against a real slapd${missing ? ` (skipped: ${missing})` : ''}`,
  () => {
    let dir: Slapd;
    let dnTemplate: string;

    beforeAll(async () => {
      dir = await startSlapd({ tls: true, allowUnauthenticatedBind: true });
      dnTemplate = `uid={user},${dir.peopleDn}`;
      const jsmith = await dir.addUser('jsmith', JSMITH_PW, { mail: 'jsmith@school.local' });
      await dir.addGroup('Teaching Staff', [jsmith]);
      await dir.addUser('abrown', ABROWN_PW);
      await dir.addUser('siân.ellis', SIAN_PW);
      // Two people sharing a cn, so a careless search filter finds both.
      await dir.addUser('twin1', TWIN_PW, { cn: 'twin' });
      await dir.addUser('twin2', TWIN_PW, { cn: 'twin' });
    });
    afterAll(async () => {
      await dir?.stop();
    });

    const plain = (): LdapVerifier =>
      new LdapVerifier(settings({ urls: [dir.url], bind: { mode: 'dnTemplate', dnTemplate } }));
    const searching = (machine: LdapMachineOptions = { serviceAccount: dir.serviceAccount }) =>
      new LdapVerifier(
        settings({
          urls: [dir.url],
          bind: { mode: 'search', searchBase: dir.baseDn, searchFilter: '(uid={user})' },
        }),
        machine,
      );

    describe('the right password unlocks', () => {
      it('over plain ldap with a DN template, whichever form the OS reports the user in', async () => {
        const v = plain();
        for (const account of ['jsmith', 'SCHOOL\\jsmith', 'JSmith@school.local']) {
          expect(await check(v, account, JSMITH_PW)).toEqual({
            ok: true,
            method: 'ldap',
            account,
            groups: ['Teaching Staff'],
          });
        }
        expect((await check(v, 'siân.ellis', SIAN_PW)).ok).toBe(true);
      });

      it('and says which directory groups the person is in, read with their own bind', async () => {
        expect(await check(plain(), 'jsmith', JSMITH_PW)).toMatchObject({
          ok: true,
          groups: ['Teaching Staff'],
        });
        expect(await check(searching(), 'jsmith', JSMITH_PW)).toMatchObject({
          groups: ['Teaching Staff'],
        });
        expect(await check(plain(), 'abrown', ABROWN_PW)).toMatchObject({ ok: true, groups: [] });
      });

      it('over StartTLS with the test CA', async () => {
        const v = new LdapVerifier(
          settings({ urls: [dir.url], startTls: true, bind: { mode: 'dnTemplate', dnTemplate } }),
          { caPem: dir.caPem },
        );
        expect((await check(v, 'jsmith', JSMITH_PW)).ok).toBe(true);
        expect(await check(v, 'jsmith', WRONG_PW)).toMatchObject({ ok: false, kind: 'wrong' });
      });

      it('over LDAPS with the test CA (as a Buffer, as read from the CA file)', async () => {
        const v = new LdapVerifier(
          settings({ urls: [dir.ldapsUrl], bind: { mode: 'dnTemplate', dnTemplate } }),
          { caPem: Buffer.from(dir.caPem) },
        );
        expect((await check(v, 'abrown', ABROWN_PW)).ok).toBe(true);
      });

      it('by searching with the service account, then binding as the entry found', async () => {
        const v = new LdapVerifier(
          settings({
            urls: [dir.ldapsUrl],
            bind: {
              mode: 'search',
              searchBase: dir.baseDn,
              searchFilter: '(mail={user}@school.local)',
            },
          }),
          { caPem: dir.caPem, serviceAccount: dir.serviceAccount },
        );
        expect((await check(v, 'SCHOOL\\jsmith', JSMITH_PW)).ok).toBe(true);
        expect(await check(v, 'jsmith', WRONG_PW)).toMatchObject({ kind: 'wrong' });
      });

      it('from the policy, through ldapVerifierFor', async () => {
        const v = ldapVerifierFor(
          { directory: settings({ urls: [dir.url], bind: { mode: 'dnTemplate', dnTemplate } }) },
          {},
        );
        expect(v?.method).toBe('ldap');
        expect((await check(v!, 'jsmith', JSMITH_PW)).ok).toBe(true);
        expect(ldapVerifierFor({ directory: undefined })).toBeUndefined();
      });
    });

    describe('the wrong password does not', () => {
      it('is reported as wrong, in every bind mode, so the throttle counts it', async () => {
        for (const v of [plain(), searching()]) {
          expect(await check(v, 'jsmith', WRONG_PW)).toEqual({
            ok: false,
            method: 'ldap',
            kind: 'wrong',
            detail: 'The directory did not accept that user name and password.',
          });
          // Another person's password is just as wrong.
          expect(await check(v, 'jsmith', ABROWN_PW)).toMatchObject({ kind: 'wrong' });
        }
      });

      it('an unknown user reads exactly like a wrong password (the lock does not say who exists)', async () => {
        const wrong = await check(plain(), 'jsmith', WRONG_PW);
        for (const v of [plain(), searching()]) {
          expect(await check(v, 'nobody', WRONG_PW)).toEqual(wrong);
        }
      });
    });

    describe('injection attempts are refused before the directory is asked', () => {
      const attempts = [
        '*)(uid=*',
        '*',
        'jsmith)(|(uid=*)',
        'admin)(|(uid=*',
        'jsmith\u0000',
        'jsmith,ou=people',
        'uid=jsmith',
        'jsmith+cn=x',
        'js mith',
        'jsmith*',
        '',
        '\\jsmith',
      ];
      it.each(attempts)('%j is refused in every mode, even with a real password', async (name) => {
        const modes = [plain(), searching()];
        for (const v of modes) {
          for (const pw of [JSMITH_PW, ABROWN_PW, WRONG_PW]) {
            const r = await check(v, name, pw);
            expect(r.ok).toBe(false);
            expect(r).toMatchObject({ kind: 'refused' });
          }
        }
      });

      it('the filter escaping holds on its own: an escaped "*" matches nobody in slapd', async () => {
        const c = new Client({ url: dir.url, timeout: 5000 });
        try {
          await c.bind(dir.serviceAccount.dn, dir.serviceAccount.password);
          const everyone = await c.search(dir.peopleDn, { filter: '(uid=*)', attributes: ['1.1'] });
          expect(everyone.searchEntries.length).toBeGreaterThanOrEqual(5);
          for (const evil of ['*', '*)(uid=*', 'jsmith)(|(uid=*)']) {
            const escaped = await c.search(dir.peopleDn, {
              filter: `(uid=${Filter.escape(evil)})`,
              attributes: ['1.1'],
            });
            expect(escaped.searchEntries).toEqual([]);
          }
        } finally {
          await c.unbind();
        }
      });

      it('the DN escaping holds on its own: a name carrying ",ou=..." cannot climb out of its RDN', async () => {
        const c = new Client({ url: dir.url, timeout: 5000 });
        try {
          const dn = `uid=${escapeDnValue(`jsmith,${dir.peopleDn}`)},${dir.peopleDn}`;
          expect(dn.startsWith('uid=jsmith\\,ou\\=people')).toBe(true);
          await expect(c.bind(dn, JSMITH_PW)).rejects.toMatchObject({ code: 49 });
        } finally {
          await c.unbind();
        }
      });
    });

    describe('an empty password is refused (an empty simple bind is an anonymous bind)', () => {
      it('this slapd really does let a DN with an empty password in: the hole is real', async () => {
        const c = new Client({ url: dir.url, timeout: 5000 });
        try {
          await expect(c.bind(`uid=jsmith,${dir.peopleDn}`, '')).resolves.toBeUndefined();
        } finally {
          await c.unbind();
        }
      });

      it('but the verifier refuses it in every mode without asking', async () => {
        for (const v of [plain(), searching()]) {
          for (const account of ['jsmith', 'nobody']) {
            const r = await check(v, account, '');
            expect(r).toMatchObject({ ok: false, kind: 'refused' });
          }
        }
        const weird = await plain().verify('jsmith', undefined as unknown as string);
        expect(weird).toMatchObject({ ok: false, kind: 'refused' });
      });
    });

    describe('search mode needs its service account', () => {
      it('without one it says so (unavailable, so the next method is offered), not "wrong"', async () => {
        const r = await check(searching({}), 'jsmith', JSMITH_PW);
        expect(r).toMatchObject({ ok: false, kind: 'unavailable' });
        expect(r.ok ? '' : r.detail).toMatch(/service account/);
      });

      it('with a wrong service password it blames the service account, not the teacher', async () => {
        const r = await check(
          searching({ serviceAccount: { dn: dir.serviceAccount.dn, password: 'stale-svc-pass' } }),
          'jsmith',
          JSMITH_PW,
        );
        expect(r).toMatchObject({ ok: false, kind: 'unavailable' });
        expect(r.ok ? '' : r.detail).toMatch(/service account \(cn=classlock/);
        expect(r.ok ? '' : r.detail).not.toContain('stale-svc-pass');
      });

      it('a filter that matches two people unlocks neither', async () => {
        const v = new LdapVerifier(
          settings({
            urls: [dir.url],
            bind: { mode: 'search', searchBase: dir.baseDn, searchFilter: '(cn={user})' },
          }),
          { serviceAccount: dir.serviceAccount },
        );
        const r = await check(v, 'twin', TWIN_PW);
        expect(r).toMatchObject({ ok: false, kind: 'unavailable' });
        expect(r.ok ? '' : r.detail).toMatch(/more than one account/);
      });

      it('a search base that does not exist is named in the detail', async () => {
        const v = new LdapVerifier(
          settings({
            urls: [dir.url],
            bind: { mode: 'search', searchBase: 'ou=staff,dc=school,dc=local' },
          }),
          { serviceAccount: dir.serviceAccount },
        );
        const r = await check(v, 'jsmith', JSMITH_PW);
        expect(r).toMatchObject({ ok: false, kind: 'unavailable' });
        expect(r.ok ? '' : r.detail).toMatch(/ou=staff,dc=school,dc=local/);
      });
    });

    describe('TLS that cannot be trusted is not an open door', () => {
      it('LDAPS with a CA that is not the one that signed the server: unavailable, in TLS words', async () => {
        const other = await createTestCa(dir.dir, 'Another School CA');
        for (const caPem of [other.certPem, undefined]) {
          const v = new LdapVerifier(
            settings({ urls: [dir.ldapsUrl], bind: { mode: 'dnTemplate', dnTemplate } }),
            caPem ? { caPem } : {},
          );
          const r = await check(v, 'jsmith', JSMITH_PW);
          expect(r).toMatchObject({ ok: false, kind: 'unavailable' });
          expect(r.ok ? '' : r.detail).toMatch(
            new RegExp(
              `^The school directory \\(${dir.ldapsUrl}\\) presented a TLS certificate that is not signed by a CA this computer trusts`,
            ),
          );
        }
      });

      it('StartTLS with the wrong CA: unavailable too', async () => {
        const other = await createTestCa(dir.dir, 'Third CA');
        const v = new LdapVerifier(
          settings({ urls: [dir.url], startTls: true, bind: { mode: 'dnTemplate', dnTemplate } }),
          { caPem: other.certPem },
        );
        const r = await check(v, 'jsmith', JSMITH_PW);
        expect(r).toMatchObject({ ok: false, kind: 'unavailable' });
        expect(r.ok ? '' : r.detail).toMatch(/TLS certificate/);
      });

      it('LDAPS spoken to the plain port fails in words, not with a stack trace', async () => {
        const v = new LdapVerifier(
          settings({
            urls: [dir.url.replace('ldap://', 'ldaps://')],
            bind: { mode: 'dnTemplate', dnTemplate },
          }),
          { caPem: dir.caPem },
        );
        const r = await check(v, 'jsmith', JSMITH_PW);
        expect(r).toMatchObject({ ok: false, kind: 'unavailable' });
        expect(r.ok ? '' : r.detail).toMatch(
          /^The school directory \(ldaps:\/\/127\.0\.0\.1:\d+\) /,
        );
        expect(r.ok ? '' : r.detail).not.toMatch(/\n|at .*\.js/);
      });
    });

    describe('when the directory is down', () => {
      it('a stopped slapd: unavailable, in plain words naming the server', async () => {
        const second = await startSlapd({ tls: false });
        const url = second.url;
        let v: LdapVerifier;
        try {
          await second.addUser('jsmith', JSMITH_PW);
          v = new LdapVerifier(
            settings({
              urls: [url],
              bind: { mode: 'dnTemplate', dnTemplate: `uid={user},${second.peopleDn}` },
            }),
          );
          expect((await check(v, 'jsmith', JSMITH_PW)).ok).toBe(true);
        } finally {
          await second.stop();
        }
        const r = await check(v, 'jsmith', JSMITH_PW);
        expect(r).toEqual({
          ok: false,
          method: 'ldap',
          kind: 'unavailable',
          detail: `The school directory (${url}) refused the connection: the directory service is not running there, or the port is wrong.`,
        });
      });

      it('first server dead, second alive: the second one unlocks', async () => {
        const dead = `ldap://127.0.0.1:${await deadPort()}`;
        const v = new LdapVerifier(
          settings({ urls: [dead, dir.ldapsUrl], bind: { mode: 'dnTemplate', dnTemplate } }),
          { caPem: dir.caPem },
        );
        expect((await check(v, 'jsmith', JSMITH_PW)).ok).toBe(true);
        // A wrong password from the live server is final: it is not retried elsewhere.
        expect(await check(v, 'jsmith', WRONG_PW)).toMatchObject({ kind: 'wrong' });
      });

      it('every server dead: one message naming each of them', async () => {
        const a = `ldap://127.0.0.1:${await deadPort()}`;
        const b = `ldaps://127.0.0.1:${await deadPort()}`;
        const v = new LdapVerifier(
          settings({ urls: [a, b], bind: { mode: 'upn', upnSuffix: 'school.local' } }),
        );
        const r = await check(v, 'jsmith', JSMITH_PW);
        expect(r).toMatchObject({ ok: false, kind: 'unavailable' });
        const detail = r.ok ? '' : r.detail;
        expect(detail).toMatch(/^No school directory server could be reached\./);
        expect(detail).toContain(`(${a}) refused the connection`);
        expect(detail).toContain(`(${b}) refused the connection`);
      });
    });

    it('leaves no socket open, whatever the outcome', async () => {
      const sockets = (): number =>
        process
          .getActiveResourcesInfo()
          .filter((n) => n === 'TCPSocketWrap' || n === 'TLSSocketWrap').length;
      const settle = async (target: number): Promise<number> => {
        for (let i = 0; i < 100 && sockets() > target; i++)
          await new Promise((r) => setTimeout(r, 10));
        return sockets();
      };
      const before = await settle(0);
      const tls = new LdapVerifier(
        settings({ urls: [dir.ldapsUrl], bind: { mode: 'dnTemplate', dnTemplate } }),
        { caPem: dir.caPem },
      );
      const untrusted = new LdapVerifier(
        settings({ urls: [dir.ldapsUrl], bind: { mode: 'dnTemplate', dnTemplate } }),
      );
      for (let i = 0; i < 5; i++) {
        await check(tls, 'jsmith', JSMITH_PW);
        await check(tls, 'jsmith', WRONG_PW);
        await check(searching(), 'jsmith', JSMITH_PW);
        await check(searching(), 'nobody', WRONG_PW);
        await check(untrusted, 'jsmith', JSMITH_PW);
      }
      expect(await settle(before)).toBe(before);
    });
  },
);
