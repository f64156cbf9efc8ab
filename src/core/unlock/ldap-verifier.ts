/**
 * Unlock with the school directory password: a simple bind as the user (Active Directory or
 * OpenLDAP). The password goes to the directory and nowhere else: it is never kept, logged,
 * or put into a result or error text.
 */
import net from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { Client, EqualityFilter, Filter, ResultCodeError } from 'ldapts';
import type { Policy } from '../policy/schema';
import { parseUser } from '../identity/user';
import { escapeDnValue, fillTemplate, unescapeDnValue } from './ldap-escape';
import type { Verifier, VerifyResult } from './verifier';

/** The policy's `directory` section, defaults applied. */
export type DirectorySettings = NonNullable<Policy['directory']>;

/** What only the machine knows: never in the policy, which every terminal can read. */
export interface LdapMachineOptions {
  /** The CA that signed the directory's certificate (PEM), for LDAPS and StartTLS. Without
   * it the operating system's trusted CAs are used. */
  caPem?: string | Buffer;
  /** For bind mode `search`: the account that looks people up before their own bind. */
  serviceAccount?: { dn: string; password: string };
  /** Default true. False accepts any certificate: for a first test only, never in a school. */
  rejectUnauthorized?: boolean;
}

/**
 * What a school username may contain: letters and digits (any script, so Welsh names work),
 * then dots, hyphens, underscores and apostrophes. Everything else — `*`, `(`, `)`, `\`, `,`,
 * `=`, `+`, NUL, spaces — has no business in one and is refused before the directory is
 * contacted.
 */
export const SCHOOL_USERNAME = /^[\p{L}\p{N}][\p{L}\p{N}._'-]{0,63}$/u;
const MAX_PASSWORD_LENGTH = 1024;

type Attempt =
  | { kind: 'ok'; groups: string[] }
  | { kind: 'wrong'; detail: string }
  | { kind: 'unavailable'; detail: string };

const WRONG = 'The directory did not accept that user name and password.';

/** Active Directory puts a reason code ("data 775") in its invalid-credentials answer. */
const AD_REASONS: Record<string, string> = {
  '530': 'The directory does not allow this account to sign in at this time of day.',
  '531': 'The directory does not allow this account to sign in on this computer.',
  '532': 'The directory says this password has expired: change it, then try again.',
  '533': 'The directory says this account is disabled: see IT.',
  '701': 'The directory says this account has expired: see IT.',
  '773': 'The directory says this password must be changed before it can be used.',
  '775': 'The directory says this account is locked out after too many wrong passwords: see IT.',
};

export class LdapVerifier implements Verifier {
  readonly method = 'ldap' as const;
  private readonly caPem: string | Buffer | undefined;
  private readonly serviceAccount: { dn: string; password: string } | undefined;
  private readonly rejectUnauthorized: boolean;

  constructor(
    private readonly directory: DirectorySettings,
    machine: LdapMachineOptions = {},
  ) {
    this.caPem = machine.caPem;
    this.serviceAccount = machine.serviceAccount;
    this.rejectUnauthorized = machine.rejectUnauthorized ?? true;
  }

  async verify(account: string, secret: string): Promise<VerifyResult> {
    // An empty simple bind is an anonymous bind, which many directories answer with success.
    if (typeof secret !== 'string' || secret.length === 0) {
      return this.refused('Type your password: an empty password is never sent to the directory.');
    }
    if (secret.length > MAX_PASSWORD_LENGTH) {
      return this.refused('That password is too long to be a school password.');
    }
    const name = parseUser(typeof account === 'string' ? account : '').name;
    if (!SCHOOL_USERNAME.test(name)) {
      return this.refused(
        'That user name contains characters a school account cannot have, so it was not sent to the directory.',
      );
    }

    const failures: string[] = [];
    for (const url of this.directory.urls) {
      const r = await this.tryServer(url, name, secret);
      if (r.kind === 'ok') return { ok: true, method: 'ldap', account, groups: r.groups };
      if (r.kind === 'wrong') return { ok: false, method: 'ldap', kind: 'wrong', detail: r.detail };
      failures.push(r.detail);
    }
    const detail =
      failures.length === 1
        ? (failures[0] ?? '')
        : `No school directory server could be reached. ${failures.join(' ')}`;
    return { ok: false, method: 'ldap', kind: 'unavailable', detail };
  }

  private refused(detail: string): VerifyResult {
    return { ok: false, method: 'ldap', kind: 'refused', detail };
  }

  /** One server, bounded in time as a whole (ldapts bounds each step but not the StartTLS
   * handshake), its socket always closed. */
  private async tryServer(url: string, name: string, secret: string): Promise<Attempt> {
    const where = `The school directory (${url})`;
    const connectMs = this.directory.connectTimeoutSeconds * 1000;
    const opMs = this.directory.timeoutSeconds * 1000;
    let host: string;
    let client: Client;
    try {
      host = hostOf(url);
      // ldapts speaks TLS from the first byte whenever tlsOptions are given, even to an
      // ldap:// address: only LDAPS gets them here (StartTLS takes its own).
      const secure = url.toLowerCase().startsWith('ldaps://');
      client = new Client({
        url,
        connectTimeout: connectMs,
        timeout: opMs,
        ...(secure ? { tlsOptions: this.tlsOptions(host) } : {}),
      });
    } catch {
      return { kind: 'unavailable', detail: `${url} is not a usable directory address.` };
    }

    const mode = this.directory.bind.mode;
    const groupSteps = mode === 'upn' ? 2 : 1;
    const steps = (this.useStartTls(url) ? 1 : 0) + (mode === 'search' ? 3 : 1) + groupSteps;
    const budgetMs = connectMs + steps * opMs;
    let timer: NodeJS.Timeout | undefined;
    const overdue = new Promise<Attempt>((resolve) => {
      timer = setTimeout(
        () =>
          resolve({
            kind: 'unavailable',
            detail: `${where} did not answer within ${seconds(budgetMs / 1000)}.`,
          }),
        budgetMs,
      );
    });
    try {
      const work = this.exchange(client, url, host, name, secret).catch(
        (err: unknown): Attempt => ({
          kind: 'unavailable',
          detail: describeFailure(url, err, this.directory),
        }),
      );
      return await Promise.race([work, overdue]);
    } finally {
      clearTimeout(timer);
      await client.unbind().catch(() => undefined);
    }
  }

  private async exchange(
    client: Client,
    url: string,
    host: string,
    name: string,
    secret: string,
  ): Promise<Attempt> {
    const explain = (err: unknown): Attempt => ({
      kind: 'unavailable',
      detail: describeFailure(url, err, this.directory),
    });
    try {
      if (this.useStartTls(url)) await client.startTLS(this.tlsOptions(host));
    } catch (err) {
      return explain(err);
    }

    const bind = this.directory.bind;
    let bindDn: string;
    if (bind.mode === 'upn') {
      bindDn = `${name}@${bind.upnSuffix}`;
    } else if (bind.mode === 'dnTemplate') {
      bindDn = fillTemplate(bind.dnTemplate, escapeDnValue(name));
    } else {
      const found = await this.lookUp(client, url, name, bind.searchBase, bind.searchFilter);
      if (typeof found !== 'string') return found;
      bindDn = found;
    }

    try {
      await client.bind(bindDn, secret);
    } catch (err) {
      if (err instanceof ResultCodeError && err.code === 49) {
        return { kind: 'wrong', detail: adReason(err.message) ?? WRONG };
      }
      return explain(err);
    }
    return { kind: 'ok', groups: await this.directoryGroups(client, bindDn) };
  }

  /**
   * The person's groups as the directory keeps them (memberOf), read with their own bind, so
   * a role given by group also works for someone unlocking another person's session: the OS
   * can only vouch for the signed-in user's groups. Best effort: a directory that keeps no
   * memberOf, or refuses the read, gives none, and the OS's answer stands alone.
   */
  private async directoryGroups(client: Client, bindDn: string): Promise<string[]> {
    const timeLimit = this.directory.timeoutSeconds;
    try {
      let base = bindDn;
      let scope: 'base' | 'sub' = 'base';
      let filter = '(objectClass=*)';
      if (this.directory.bind.mode === 'upn') {
        // A UPN is not a DN: find the entry under the domain's naming context.
        const root = await client.search('', {
          scope: 'base',
          filter: '(objectClass=*)',
          attributes: ['defaultNamingContext'],
          timeLimit,
        });
        base = String(root.searchEntries[0]?.['defaultNamingContext'] ?? '');
        if (!base) return [];
        scope = 'sub';
        filter = new EqualityFilter({ attribute: 'userPrincipalName', value: bindDn }).toString();
      }
      const { searchEntries } = await client.search(base, {
        scope,
        filter,
        attributes: ['memberOf'],
        sizeLimit: 1,
        timeLimit,
      });
      const raw = searchEntries[0]?.['memberOf'] ?? [];
      return (Array.isArray(raw) ? raw : [raw]).map(String).flatMap((dn) => {
        const cn = groupNameOf(dn);
        return cn ? [cn] : [];
      });
    } catch {
      return [];
    }
  }

  /** Search mode: bind as the service account, find exactly one entry, return its DN. */
  private async lookUp(
    client: Client,
    url: string,
    name: string,
    searchBase: string,
    searchFilter: string,
  ): Promise<string | Attempt> {
    const where = `The school directory (${url})`;
    const svc = this.serviceAccount;
    if (!svc || svc.password.length === 0) {
      return {
        kind: 'unavailable',
        detail:
          'The directory is set to look people up by search, but this computer has no service account configured for it.',
      };
    }
    try {
      await client.bind(svc.dn, svc.password);
    } catch (err) {
      if (err instanceof ResultCodeError && err.code === 49) {
        return {
          kind: 'unavailable',
          detail: `${where} did not accept this computer's service account (${svc.dn}): its password may have changed.`,
        };
      }
      return { kind: 'unavailable', detail: describeFailure(url, err, this.directory) };
    }
    let dns: string[];
    try {
      const { searchEntries } = await client.search(searchBase, {
        scope: 'sub',
        filter: fillTemplate(searchFilter, Filter.escape(name)),
        attributes: ['1.1'],
        sizeLimit: 2,
        timeLimit: this.directory.timeoutSeconds,
      });
      dns = searchEntries.map((e) => e.dn);
    } catch (err) {
      if (err instanceof ResultCodeError && err.code === 32) {
        return {
          kind: 'unavailable',
          detail: `The search base in the policy (${searchBase}) does not exist in the directory at ${url}.`,
        };
      }
      return { kind: 'unavailable', detail: describeFailure(url, err, this.directory) };
    }
    // No such person reads the same as a wrong password: the lock does not confirm who exists.
    if (dns.length === 0) return { kind: 'wrong', detail: WRONG };
    if (dns.length > 1) {
      return {
        kind: 'unavailable',
        detail: `The directory search found more than one account for that name: the policy's search filter must match exactly one.`,
      };
    }
    return dns[0] ?? '';
  }

  private useStartTls(url: string): boolean {
    return this.directory.startTls && url.toLowerCase().startsWith('ldap://');
  }

  private tlsOptions(host: string): ConnectionOptions {
    return {
      ...(this.caPem !== undefined ? { ca: [this.caPem] } : {}),
      rejectUnauthorized: this.rejectUnauthorized,
      minVersion: 'TLSv1.2',
      // host is what the certificate is checked against; SNI (servername) takes names only.
      host,
      ...(net.isIP(host) ? {} : { servername: host }),
    };
  }
}

/** The verifier for a policy's directory section, or undefined when it has none. */
export function ldapVerifierFor(
  policy: Pick<Policy, 'directory'>,
  machine: LdapMachineOptions = {},
): LdapVerifier | undefined {
  return policy.directory ? new LdapVerifier(policy.directory, machine) : undefined;
}

function hostOf(url: string): string {
  const host = new URL(url).hostname;
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

function seconds(n: number): string {
  const r = Math.round(n * 10) / 10;
  return r === 1 ? '1 second' : `${r} seconds`;
}

function adReason(message: string): string | undefined {
  const code = /\bdata ([0-9a-f]{3,4})\b/i.exec(message)?.[1]?.toLowerCase();
  return code ? AD_REASONS[code] : undefined;
}

const UNTRUSTED_CA = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);

/**
 * A failure in words an IT technician can act on. Built from error codes only: server and
 * library messages are not copied in, so nothing typed at the lock can find its way here.
 */
export function describeFailure(
  url: string,
  err: unknown,
  timeouts: Pick<DirectorySettings, 'connectTimeoutSeconds' | 'timeoutSeconds'>,
): string {
  const where = `The school directory (${url})`;
  if (err instanceof ResultCodeError) {
    switch (err.code) {
      case 8:
      case 13:
        return `${where} insists on an encrypted connection: use an ldaps:// address or turn on startTls in the policy.`;
      case 2:
      case 112:
        return `${where} does not offer StartTLS: use an ldaps:// address instead.`;
      case 51:
      case 52:
        return `${where} is busy or shutting down (LDAP code ${err.code}).`;
      case 3:
        return `${where} did not finish the search within ${seconds(timeouts.timeoutSeconds)}.`;
      default:
        return `${where} refused the request (LDAP code ${err.code}).`;
    }
  }
  const code = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : '';
  if (typeof code === 'string') {
    if (code === 'ECONNREFUSED')
      return `${where} refused the connection: the directory service is not running there, or the port is wrong.`;
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
      return `${where} could not be found: this computer cannot look up the server's name.`;
    if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH')
      return `${where} cannot be reached from this computer's network.`;
    if (code === 'ETIMEDOUT')
      return `${where} did not answer within ${seconds(timeouts.connectTimeoutSeconds)}.`;
    if (code === 'ECONNRESET' || code === 'EPIPE')
      return `${where} dropped the connection (is it an ldaps:// port being spoken to as ldap://, or the other way round?).`;
    if (UNTRUSTED_CA.has(code))
      return `${where} presented a TLS certificate that is not signed by a CA this computer trusts: check the directory CA file on this computer.`;
    if (code === 'CERT_HAS_EXPIRED')
      return `${where} presented a TLS certificate that has expired.`;
    if (code === 'CERT_NOT_YET_VALID')
      return `${where} presented a TLS certificate that is not valid yet: check this computer's clock.`;
    if (code === 'ERR_TLS_CERT_ALTNAME_INVALID')
      return `${where} presented a TLS certificate for a different server name: the address in the policy must match the certificate.`;
    if (code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || code === 'EPROTO')
      return `${where} could not set up a secure (TLS) connection (${code}).`;
  }
  if (message === 'Connection timeout')
    return `${where} did not answer within ${seconds(timeouts.connectTimeoutSeconds)}.`;
  if (/Operation timed out/.test(message))
    return `${where} accepted the connection but did not reply within ${seconds(timeouts.timeoutSeconds)}.`;
  if (/^(Connection closed|Socket error)/.test(message))
    return `${where} closed the connection before answering.`;
  const kind = err instanceof Error ? err.name : typeof err;
  return `${where} could not be used (${typeof code === 'string' ? code : kind}).`;
}

/** "CN=Teaching Staff,OU=Groups,DC=school,DC=local" → "Teaching Staff". */
export function groupNameOf(dn: string): string | undefined {
  const m = /^\s*cn=((?:\\.|[^,+])+)/i.exec(dn);
  return m?.[1] ? unescapeDnValue(m[1]).trim() : undefined;
}
