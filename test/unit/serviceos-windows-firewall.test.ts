import { describe, expect, it } from 'vitest';
import { formatAddress, parseAddress } from '../../src/core/enforcement/allow-list';
import type { CommandRunner } from '../../src/core/enforcement/enforcer';
import {
  CLEAR_SCRIPT,
  WindowsFirewallEnforcer,
  applyScript,
  blockedRanges,
  liftScript,
  powershellArgv,
} from '../../src/core/enforcement/windows-firewall';

const PUPIL = 'S-1-5-21-1004336348-1177238915-682003330-1001';
const OTHER = 'S-1-5-21-1004336348-1177238915-682003330-100';

/** Runs nothing; keeps each command line and decodes the script PowerShell would run. */
function recorder(code = 0, stderr = '') {
  const argv: [string, string[]][] = [];
  const runner: CommandRunner = {
    run: async (file, args) => {
      argv.push([file, args]);
      return { code, stdout: '', stderr };
    },
  };
  const scripts = () =>
    argv.map(([, a]) => Buffer.from(a[a.length - 1]!, 'base64').toString('utf16le'));
  return { runner, argv, scripts };
}

/** Is the address inside one of the "a-b" / single-address ranges? */
function inRanges(ranges: string[], addr: string): boolean {
  const v = parseAddress(addr)!;
  return ranges.some((r) => {
    const [a, b] = r.split('-');
    const lo = parseAddress(a!)!;
    const hi = parseAddress(b ?? a!)!;
    return lo.family === v.family && lo.value <= v.value && v.value <= hi.value;
  });
}

describe('the addresses a sanctioned user may not reach', () => {
  it('are everything but the allow list, as ranges the firewall takes', () => {
    expect(blockedRanges(4, ['10.0.0.0/8', '192.168.1.5'])).toEqual([
      '0.0.0.0-9.255.255.255',
      '11.0.0.0-192.168.1.4',
      '192.168.1.6-255.255.255.255',
    ]);
    expect(blockedRanges(4, [])).toEqual(['0.0.0.0-255.255.255.255']);
    expect(blockedRanges(4, ['0.0.0.0/0'])).toEqual([]);
    expect(blockedRanges(6, ['fd00::/8'])).toEqual([
      '::-fcff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
      'fe00::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
    ]);
  });

  it('block exactly the addresses outside the list, overlapping entries included', () => {
    const allow = [
      '10.0.0.0/8',
      '10.1.0.0/16',
      '10.255.255.255',
      '11.0.0.0',
      '172.16.0.0/12',
      '0.0.0.1',
    ];
    const ranges = blockedRanges(4, allow);
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const samples = [
      '0.0.0.0',
      '0.0.0.1',
      '9.255.255.255',
      '10.0.0.0',
      '11.0.0.0',
      '11.0.0.1',
      '255.255.255.255',
    ];
    for (let i = 0; i < 300; i++)
      samples.push(formatAddress(4, BigInt(Math.floor(rnd() * 2 ** 32))));
    for (const a of samples) {
      const v = parseAddress(a)!.value;
      const allowed = allow.some((c) => {
        const [net, p = '32'] = c.split('/');
        const size = 1n << BigInt(32 - Number(p));
        const start = parseAddress(net!)!.value;
        return v >= start && v < start + size;
      });
      expect(inRanges(ranges, a), a).toBe(!allowed);
    }
  });
});

describe('Windows Firewall rules per user', () => {
  it("puts one user's block rule in that user's own group, scoped to their SID", () => {
    expect(applyScript(PUPIL, ['0.0.0.0-9.255.255.255'])).toBe(
      [
        "$ErrorActionPreference = 'Stop'",
        `Get-NetFirewallRule -Group 'Classlock sanction ${PUPIL}' -ErrorAction SilentlyContinue | Remove-NetFirewallRule`,
        `New-NetFirewallRule -Group 'Classlock sanction ${PUPIL}' -DisplayName 'Classlock sanction ${PUPIL} (1/1)' -Direction Outbound -Action Block -Profile Any -Enabled True -LocalUser 'D:(A;;CC;;;${PUPIL})' -RemoteAddress @('0.0.0.0-9.255.255.255') | Out-Null`,
        '',
      ].join('\n'),
    );
  });

  it('runs PowerShell without a profile, with the script encoded so nothing re-reads it', () => {
    const [file, args] = powershellArgv("Write-Output 'x'");
    expect(file).toBe('powershell.exe');
    expect(args.slice(0, -1)).toEqual([
      '-NoLogo',
      '-NoProfile',
      '-NonInteractive',
      '-ExecutionPolicy',
      'Bypass',
      '-EncodedCommand',
    ]);
    expect(Buffer.from(args.at(-1)!, 'base64').toString('utf16le')).toBe("Write-Output 'x'");
  });

  it('applies with the allow list resolved to addresses, and reports what it cannot allow', async () => {
    const rec = recorder();
    const fw = new WindowsFirewallEnforcer(rec.runner, async (host) =>
      host === 'intranet.school.example' ? [{ address: '10.1.2.3', family: 4 }] : [],
    );
    await fw.apply({ account: 'SCHOOL\\pupil1', sid: PUPIL }, [
      'intranet.school.example',
      '*.school.example',
      '2001:db8::/32',
    ]);
    const script = rec.scripts()[0]!;
    expect(script).toContain(
      "-RemoteAddress @('0.0.0.0-10.1.2.2','10.1.2.4-255.255.255.255','::-2001:db7:ffff:ffff:ffff:ffff:ffff:ffff','2001:db9::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff')",
    );
    expect(fw.lastWarnings()).toEqual([
      '*.school.example cannot be allowed at the firewall (it sees addresses, not names); list the servers or their range',
    ]);
    expect(fw.describe()).toMatch(
      /^Windows Firewall, 1 user\(s\) restricted; not allowed: \*\.school/,
    );
  });

  it('splits a long address list over several rules in the same group', () => {
    const blocked = Array.from({ length: 1001 }, (_, i) => formatAddress(4, BigInt(i * 2)));
    const rules = applyScript(PUPIL, blocked)
      .split('\n')
      .filter((l) => l.startsWith('New-'));
    expect(rules.map((r) => /\((\d\/\d)\)/.exec(r)![1])).toEqual(['1/3', '2/3', '3/3']);
    expect(rules.every((r) => r.includes(`-Group 'Classlock sanction ${PUPIL}'`))).toBe(true);
  });

  it("lifts exactly that user's group, never another's with a similar SID", async () => {
    const rec = recorder();
    const fw = new WindowsFirewallEnforcer(rec.runner, async () => []);
    await fw.lift({ account: 'SCHOOL\\pupil1', sid: PUPIL });
    expect(rec.scripts()).toEqual([liftScript(PUPIL)]);
    expect(liftScript(PUPIL)).toContain(`-Group 'Classlock sanction ${PUPIL}' `);
    expect(liftScript(PUPIL)).not.toContain('*');
    expect(liftScript(OTHER)).not.toContain(PUPIL);
    await fw.clearLeftovers();
    expect(rec.scripts()[1]).toBe(CLEAR_SCRIPT);
  });

  it('refuses a target that is not a user SID, so nothing can be smuggled into the script', async () => {
    const rec = recorder();
    const fw = new WindowsFirewallEnforcer(rec.runner, async () => []);
    await expect(
      fw.apply({ account: 'x', sid: `${PUPIL}'; Remove-NetFirewallRule -All; '` }, []),
    ).rejects.toThrow('is not the SID of a user account');
    await expect(fw.apply({ account: 'SYSTEM', sid: 'S-1-5-18' }, [])).rejects.toThrow(
      'is not the SID of a user account',
    );
    await expect(fw.lift({ account: 'SCHOOL\\pupil1' })).rejects.toThrow(
      'No Windows SID for SCHOOL\\pupil1',
    );
    expect(rec.argv).toEqual([]);
  });

  it('passes on what Windows said when it refuses', async () => {
    const rec = recorder(1, 'New-NetFirewallRule : Access is denied.');
    const fw = new WindowsFirewallEnforcer(rec.runner, async () => []);
    await expect(fw.apply({ account: 'SCHOOL\\pupil1', sid: PUPIL }, [])).rejects.toThrow(
      'Windows Firewall refused to restrict SCHOOL\\pupil1: New-NetFirewallRule : Access is denied.',
    );
    expect(fw.describe()).toBe('Windows Firewall, 0 user(s) restricted');
  });
});
