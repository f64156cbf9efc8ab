import { lookup as dnsLookup } from 'node:dns/promises';
import { formatAddress, parseAddress, resolveAllowList, type HostLookup } from './allow-list';
import type { CommandRunner, EnforcementTarget, RestrictionEnforcer } from './enforcer';
import { ProcessRunner } from './enforcer';

/**
 * Internet sanctions on Windows: outbound block rules in Windows Defender Firewall that
 * match only the sanctioned user's traffic, one rule group per user.
 *
 * Why PowerShell's NetSecurity module and not `netsh advfirewall`: netsh cannot scope a
 * rule to a user; `New-NetFirewallRule -LocalUser` takes an SDDL naming the user's SID
 * (the "authorized local users" of the rule). Why holes in a block rule and not allow
 * rules: in Windows Firewall a block rule wins over any allow rule, so "block everything,
 * allow the list" would block the list too. The block rule's remote addresses are
 * therefore every address EXCEPT the allow list. Loopback is never filtered by the
 * firewall, and name lookups go through the DNS Client service (another account), so
 * neither needs a hole. Names are resolved when the rules are applied; wildcards cannot
 * be enforced here and are reported, and the per-user proxy (windows-proxy.ts) remains
 * the second line for them.
 */

/** The rule group of one user's sanction: lifting removes exactly this group. */
export function firewallGroup(sid: string): string {
  return `Classlock sanction ${sid}`;
}

const SID = /^S-1-5-21(-\d{1,10}){3,4}$|^S-1-12-1(-\d{1,10}){4}$/;

/** Only a domain / local account (S-1-5-21-...) or an Entra ID account (S-1-12-1-...). */
function checkSid(target: EnforcementTarget): string {
  const sid = target.sid;
  if (!sid)
    throw new Error(
      `No Windows SID for ${target.account}: the firewall rule needs one to match the user's traffic.`,
    );
  if (!SID.test(sid)) throw new Error(`"${sid}" is not the SID of a user account`);
  return sid;
}

interface Interval {
  start: bigint;
  end: bigint;
}

function toInterval(text: string): { family: 4 | 6; iv: Interval } {
  const [addr = '', prefixText] = text.split('/');
  const p = parseAddress(addr);
  if (!p) throw new Error(`"${text}" is not an address`);
  const bits = p.family === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  const size = 1n << BigInt(bits - prefix);
  const start = p.value & ~(size - 1n);
  return { family: p.family, iv: { start, end: start + size - 1n } };
}

/**
 * The remote addresses to block for one family: the whole space minus the allowed
 * addresses and ranges, as `first-last` ranges (a single address alone).
 */
export function blockedRanges(family: 4 | 6, allowed: readonly string[]): string[] {
  const max = (1n << BigInt(family === 4 ? 32 : 128)) - 1n;
  const ivs = allowed
    .map(toInterval)
    .filter((x) => x.family === family)
    .map((x) => x.iv)
    .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const out: string[] = [];
  let next = 0n;
  const emit = (a: bigint, b: bigint) =>
    out.push(
      a === b
        ? formatAddress(family, a)
        : `${formatAddress(family, a)}-${formatAddress(family, b)}`,
    );
  for (const iv of ivs) {
    if (iv.start > next) emit(next, iv.start - 1n);
    if (iv.end + 1n > next) next = iv.end + 1n;
  }
  if (next <= max) emit(next, max);
  return out;
}

/** A PowerShell single-quoted literal: nothing inside is interpreted. */
function psQuote(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** How many remote addresses go in one rule, well inside what the firewall accepts. */
const ADDRESSES_PER_RULE = 500;

/** The PowerShell that replaces one user's rule group with rules for these addresses. */
export function applyScript(sid: string, blocked: readonly string[]): string {
  const group = psQuote(firewallGroup(sid));
  const lines = [
    "$ErrorActionPreference = 'Stop'",
    `Get-NetFirewallRule -Group ${group} -ErrorAction SilentlyContinue | Remove-NetFirewallRule`,
  ];
  const chunks: string[][] = [];
  for (let i = 0; i < blocked.length; i += ADDRESSES_PER_RULE)
    chunks.push(blocked.slice(i, i + ADDRESSES_PER_RULE));
  chunks.forEach((chunk, i) => {
    lines.push(
      [
        'New-NetFirewallRule',
        `-Group ${group}`,
        `-DisplayName ${psQuote(`Classlock sanction ${sid} (${i + 1}/${chunks.length})`)}`,
        '-Direction Outbound -Action Block -Profile Any -Enabled True',
        `-LocalUser ${psQuote(`D:(A;;CC;;;${sid})`)}`,
        `-RemoteAddress @(${chunk.map(psQuote).join(',')})`,
        '| Out-Null',
      ].join(' '),
    );
  });
  return `${lines.join('\n')}\n`;
}

export function liftScript(sid: string): string {
  return `Get-NetFirewallRule -Group ${psQuote(firewallGroup(sid))} -ErrorAction SilentlyContinue | Remove-NetFirewallRule\n`;
}

export const CLEAR_SCRIPT =
  "Get-NetFirewallRule -ErrorAction SilentlyContinue | Where-Object { $_.Group -like 'Classlock sanction S-*' } | Remove-NetFirewallRule\n";

/**
 * The command line for a script: Windows PowerShell 5.1 (present on every supported
 * Windows), no profile, no prompts, the script as -EncodedCommand (UTF-16LE base64) so no
 * quoting layer between Node and PowerShell can re-read any part of it.
 */
export function powershellArgv(script: string): [string, string[]] {
  return [
    'powershell.exe',
    [
      '-NoLogo',
      '-NoProfile',
      '-NonInteractive',
      '-ExecutionPolicy',
      'Bypass',
      '-EncodedCommand',
      Buffer.from(script, 'utf16le').toString('base64'),
    ],
  ];
}

const systemLookup: HostLookup = (host) => dnsLookup(host, { all: true, verbatim: true });

export class WindowsFirewallEnforcer implements RestrictionEnforcer {
  private readonly restrictedSids = new Set<string>();
  private warnings: string[] = [];

  constructor(
    private readonly runner: CommandRunner = new ProcessRunner(60_000),
    private readonly lookup: HostLookup = systemLookup,
  ) {}

  private async run(what: string, script: string): Promise<void> {
    const [file, args] = powershellArgv(script);
    const r = await this.runner.run(file, args);
    if (r.code !== 0)
      throw new Error(
        `Windows Firewall refused to ${what}: ${r.stderr.trim() || r.stdout.trim() || `exit ${r.code}`}`,
      );
  }

  async apply(target: EnforcementTarget, allowList: string[]): Promise<void> {
    const sid = checkSid(target);
    const resolved = await resolveAllowList(allowList, this.lookup);
    this.warnings = resolved.unresolved;
    const blocked = [...blockedRanges(4, resolved.v4), ...blockedRanges(6, resolved.v6)];
    await this.run(`restrict ${target.account}`, applyScript(sid, blocked));
    this.restrictedSids.add(sid);
  }

  async lift(target: EnforcementTarget): Promise<void> {
    const sid = checkSid(target);
    await this.run(`lift the restriction on ${target.account}`, liftScript(sid));
    this.restrictedSids.delete(sid);
  }

  async clearLeftovers(): Promise<void> {
    await this.run('remove rules left from an earlier run', CLEAR_SCRIPT);
    this.restrictedSids.clear();
  }

  /** Allow-list entries the last apply could not turn into addresses. */
  lastWarnings(): string[] {
    return [...this.warnings];
  }

  describe(): string {
    const extra = this.warnings.length ? `; not allowed: ${this.warnings.join('; ')}` : '';
    return `Windows Firewall, ${this.restrictedSids.size} user(s) restricted${extra}`;
  }
}
