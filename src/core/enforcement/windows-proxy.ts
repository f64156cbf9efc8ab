import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../storage/atomic-file';
import { formatAddress, parseAllowList } from './allow-list';
import type { CommandRunner, EnforcementTarget, RestrictionEnforcer } from './enforcer';
import { ProcessRunner } from './enforcer';

export const INTERNET_SETTINGS_KEY =
  'HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings';

/** The values Classlock changes, and their registry types. */
export const PROXY_VALUES = [
  ['ProxyEnable', 'REG_DWORD'],
  ['ProxyServer', 'REG_SZ'],
  ['ProxyOverride', 'REG_SZ'],
  ['AutoConfigURL', 'REG_SZ'],
] as const;
type ValueName = (typeof PROXY_VALUES)[number][0];

/** The discard port on this machine: nothing listens, so every proxied request fails at once. */
export const DEAD_END_PROXY = '127.0.0.1:9';

/**
 * Tell running programs (browsers, Office, anything on WinINet) that the proxy changed,
 * instead of waiting for them to restart: INTERNET_OPTION_SETTINGS_CHANGED (39), then
 * INTERNET_OPTION_REFRESH (37).
 */
export const ANNOUNCE_SCRIPT =
  '$s=Add-Type -Name ClasslockInet -Namespace Classlock -PassThru -MemberDefinition \'[DllImport("wininet.dll", SetLastError=true)] public static extern bool InternetSetOption(System.IntPtr h, int o, System.IntPtr b, int l);\'; [void]$s::InternetSetOption([System.IntPtr]::Zero, 39, [System.IntPtr]::Zero, 0); [void]$s::InternetSetOption([System.IntPtr]::Zero, 37, [System.IntPtr]::Zero, 0)';

const SavedValueSchema = z.object({ type: z.string(), data: z.string() }).nullable();
const SavedSchema = z.object({
  format: z.literal('classlock-proxy-saved/1'),
  account: z.string(),
  savedAt: z.string(),
  values: z.object({
    ProxyEnable: SavedValueSchema,
    ProxyServer: SavedValueSchema,
    ProxyOverride: SavedValueSchema,
    AutoConfigURL: SavedValueSchema,
  }),
});
type Saved = z.infer<typeof SavedSchema>;
type SavedValue = z.infer<typeof SavedValueSchema>;

/**
 * ProxyOverride takes names with * wildcards, not ranges. A range becomes the octet
 * wildcards it covers (10.0.0.0/8 → 10.*); a prefix between octet boundaries is split
 * into the narrower wildcards so nothing outside the range is let through. IPv6 ranges
 * cannot be written there and are reported.
 */
export function proxyBypassList(allowList: readonly string[]): {
  entries: string[];
  skipped: string[];
} {
  const { entries, errors } = parseAllowList(allowList);
  const out: string[] = [];
  const skipped = [...errors];
  for (const e of entries) {
    if (e.kind === 'host') out.push(e.host);
    else if (e.kind === 'wildcard') out.push(`*.${e.suffix}`);
    else if (e.family === 6) {
      if (e.prefix === 128) out.push(`[${formatAddress(6, e.network)}]`);
      else skipped.push(`${e.text}: the Windows proxy bypass list cannot hold IPv6 ranges`);
    } else if (e.prefix === 0) out.push('*');
    else if (e.prefix === 32) out.push(formatAddress(4, e.network));
    else {
      const octets = Math.ceil(e.prefix / 8);
      const step = 1n << BigInt(32 - octets * 8);
      const count = 1n << BigInt(octets * 8 - e.prefix);
      for (let i = 0n; i < count; i++) {
        const parts = formatAddress(4, e.network + i * step)
          .split('.')
          .slice(0, octets);
        out.push(`${parts.join('.')}.*`);
      }
    }
  }
  return { entries: [...new Set(out)], skipped };
}

/** Parse one value from `reg query KEY /v NAME` output; null when the value is absent. */
export function parseRegQuery(stdout: string, name: string): SavedValue {
  for (const line of stdout.split(/\r?\n/)) {
    const m = /^\s+(\S+)\s+(REG_\w+)(?:\s{4}(.*))?$/.exec(line);
    if (m && m[1]?.toLowerCase() === name.toLowerCase()) {
      return { type: m[2] ?? 'REG_SZ', data: (m[3] ?? '').trimEnd() };
    }
  }
  return null;
}

/**
 * Windows: withdraws internet access by pointing the user's own proxy settings (HKCU, the
 * settings Edge, Chrome and most programs follow) at a dead end, with the allow list and
 * <local> as the bypass. The user's previous values are saved to a file BEFORE anything
 * changes, restored on lift and, after a crash, by clearLeftovers at the next start.
 * Without Group Policy stopping pupils from editing proxy settings this is advisory; see
 * docs/sanctions.md.
 */
export class WindowsProxyEnforcer implements RestrictionEnforcer {
  private readonly savedPath: string;
  private skipped: string[] = [];

  constructor(
    /** The user's own Classlock folder (e.g. %LOCALAPPDATA%\Classlock). */
    stateDir: string,
    private readonly runner: CommandRunner = new ProcessRunner(),
  ) {
    this.savedPath = join(stateDir, 'proxy-saved.json');
  }

  async apply(target: EnforcementTarget, allowList: string[]): Promise<void> {
    const bypass = proxyBypassList(allowList);
    this.skipped = bypass.skipped;
    if ((await this.readSaved()) === undefined) {
      const current = await this.queryAll();
      // Already our dead end (a save file lost after a crash): never save our own values
      // as the user's, so restore will simply clear the proxy.
      if (current.ProxyServer?.data === DEAD_END_PROXY) {
        current.ProxyEnable = null;
        current.ProxyServer = null;
        current.ProxyOverride = null;
      }
      const saved: Saved = {
        format: 'classlock-proxy-saved/1',
        account: target.account,
        savedAt: new Date().toISOString(),
        values: current,
      };
      await writeFileAtomic(this.savedPath, `${JSON.stringify(saved, null, 2)}\n`, 0o600);
    }
    await this.set('ProxyEnable', 'REG_DWORD', '1');
    await this.set('ProxyServer', 'REG_SZ', DEAD_END_PROXY);
    await this.set('ProxyOverride', 'REG_SZ', [...bypass.entries, '<local>'].join(';'));
    await this.remove('AutoConfigURL');
    await this.announce();
  }

  async lift(_target?: EnforcementTarget): Promise<void> {
    const saved = await this.readSaved();
    if (saved === undefined) return;
    for (const [name, type] of PROXY_VALUES) {
      const v = saved.values[name];
      if (v === null) await this.remove(name);
      else await this.set(name, v.type || type, v.data);
    }
    await rm(this.savedPath, { force: true });
    await this.announce();
  }

  /** After a crash or a killed session: put back what was saved, if anything was. */
  async clearLeftovers(): Promise<void> {
    await this.lift();
  }

  describe(): string {
    const extra = this.skipped.length ? `; not in the bypass list: ${this.skipped.join('; ')}` : '';
    return `Windows per-user proxy (${DEAD_END_PROXY}), previous settings in ${this.savedPath}${extra}`;
  }

  private async readSaved(): Promise<Saved | undefined> {
    let text: string;
    try {
      text = await readFile(this.savedPath, 'utf8');
    } catch {
      return undefined;
    }
    const parsed = SavedSchema.safeParse(safeJson(text));
    if (!parsed.success) {
      throw new Error(
        `The saved proxy settings in ${this.savedPath} are damaged; check the user's proxy settings by hand and delete the file.`,
      );
    }
    return parsed.data;
  }

  private async queryAll(): Promise<Saved['values']> {
    const out = {} as Record<ValueName, SavedValue>;
    for (const [name] of PROXY_VALUES) {
      const res = await this.runner.run('reg', ['query', INTERNET_SETTINGS_KEY, '/v', name]);
      // reg exits 1 when the value does not exist: that is "absent", not a failure.
      out[name] = res.code === 0 ? parseRegQuery(res.stdout, name) : null;
    }
    return out;
  }

  private async set(name: ValueName, type: string, data: string): Promise<void> {
    const value = type === 'REG_DWORD' && /^0x/i.test(data) ? String(parseInt(data, 16)) : data;
    const res = await this.runner.run('reg', [
      'add',
      INTERNET_SETTINGS_KEY,
      '/v',
      name,
      '/t',
      type,
      '/d',
      value,
      '/f',
    ]);
    if (res.code !== 0) {
      throw new Error(
        `Could not set ${name} in the user's Internet Settings (reg exit ${res.code}): ${res.stderr.trim() || res.stdout.trim()}`,
      );
    }
  }

  private async remove(name: ValueName): Promise<void> {
    // Deleting a value that does not exist fails with exit 1; the result is the same.
    await this.runner.run('reg', ['delete', INTERNET_SETTINGS_KEY, '/v', name, '/f']);
  }

  private async announce(): Promise<void> {
    // Best effort: the settings are already written; programs started later read them.
    await this.runner.run('powershell.exe', [
      '-NoProfile',
      '-NonInteractive',
      '-ExecutionPolicy',
      'Bypass',
      '-Command',
      ANNOUNCE_SCRIPT,
    ]);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
