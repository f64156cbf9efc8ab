import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CommandResult, CommandRunner } from '../../src/core/enforcement/enforcer';
import {
  ANNOUNCE_SCRIPT,
  INTERNET_SETTINGS_KEY as KEY,
  WindowsProxyEnforcer,
  parseRegQuery,
  proxyBypassList,
} from '../../src/core/enforcement/windows-proxy';

type Value = { type: string; data: string };

/**
 * A stand-in for reg.exe over one registry key, answering the way reg.exe does (output
 * layout, exit 1 for a missing value), so the enforcer's real commands run against it.
 */
class FakeRegistry implements CommandRunner {
  values = new Map<string, Value>();
  commands: string[][] = [];
  /** Was the save file on disk when each change was made? */
  savedBeforeChange: boolean[] = [];
  failAdds = false;

  constructor(private readonly savedFile: string) {}

  async run(file: string, args: string[]): Promise<CommandResult> {
    this.commands.push([file, ...args]);
    if (file === 'powershell.exe') return { code: 0, stdout: '', stderr: '' };
    expect(file).toBe('reg');
    const [verb, key, , name = ''] = args;
    expect(key).toBe(KEY);
    if (verb === 'query') {
      const v = this.values.get(name);
      if (!v) {
        return {
          code: 1,
          stdout: '',
          stderr: 'ERROR: The system was unable to find the specified registry key or value.\r\n',
        };
      }
      return {
        code: 0,
        stdout: `\r\nHKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\r\n    ${name}    ${v.type}    ${v.data}\r\n\r\n`,
        stderr: '',
      };
    }
    this.savedBeforeChange.push(existsSync(this.savedFile));
    if (verb === 'add') {
      if (this.failAdds) return { code: 1, stdout: '', stderr: 'ERROR: Access is denied.\r\n' };
      const type = args[args.indexOf('/t') + 1]!;
      let data = args[args.indexOf('/d') + 1]!;
      if (type === 'REG_DWORD') data = `0x${Number(data).toString(16)}`;
      this.values.set(name, { type, data });
      return { code: 0, stdout: 'The operation completed successfully.\r\n', stderr: '' };
    }
    if (verb === 'delete') {
      if (!this.values.delete(name)) {
        return {
          code: 1,
          stdout: '',
          stderr: 'ERROR: The system was unable to find the specified registry key or value.\r\n',
        };
      }
      return { code: 0, stdout: 'The operation completed successfully.\r\n', stderr: '' };
    }
    throw new Error(`unexpected reg ${verb}`);
  }

  snapshot(): Record<string, Value> {
    return Object.fromEntries([...this.values].sort());
  }
}

let dir: string;
let reg: FakeRegistry;
const pupil = { account: 'SCHOOL\\jsmith', sid: 'S-1-5-21-1-2-3-1001' };
const ALLOW = ['intranet.school.local', '*.school.local', '10.0.0.0/8', '192.168.20.5'];

const schoolProxy: [string, Value][] = [
  ['ProxyEnable', { type: 'REG_DWORD', data: '0x1' }],
  ['ProxyServer', { type: 'REG_SZ', data: 'proxy.school.local:8080' }],
  ['ProxyOverride', { type: 'REG_SZ', data: 'intranet;<local>' }],
  ['AutoConfigURL', { type: 'REG_SZ', data: 'http://wpad.school.local/proxy.pac' }],
];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'classlock-proxy-'));
  reg = new FakeRegistry(join(dir, 'proxy-saved.json'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('WindowsProxyEnforcer', () => {
  it('runs exactly these commands to withdraw the internet', async () => {
    reg.values = new Map([['ProxyEnable', { type: 'REG_DWORD', data: '0x0' }]]);
    await new WindowsProxyEnforcer(dir, reg).apply(pupil, ALLOW);
    expect(reg.commands).toEqual([
      ['reg', 'query', KEY, '/v', 'ProxyEnable'],
      ['reg', 'query', KEY, '/v', 'ProxyServer'],
      ['reg', 'query', KEY, '/v', 'ProxyOverride'],
      ['reg', 'query', KEY, '/v', 'AutoConfigURL'],
      ['reg', 'add', KEY, '/v', 'ProxyEnable', '/t', 'REG_DWORD', '/d', '1', '/f'],
      ['reg', 'add', KEY, '/v', 'ProxyServer', '/t', 'REG_SZ', '/d', '127.0.0.1:9', '/f'],
      [
        'reg',
        'add',
        KEY,
        '/v',
        'ProxyOverride',
        '/t',
        'REG_SZ',
        '/d',
        'intranet.school.local;*.school.local;10.*;192.168.20.5;<local>',
        '/f',
      ],
      ['reg', 'delete', KEY, '/v', 'AutoConfigURL', '/f'],
      [
        'powershell.exe',
        '-NoProfile',
        '-NonInteractive',
        '-ExecutionPolicy',
        'Bypass',
        '-Command',
        ANNOUNCE_SCRIPT,
      ],
    ]);
    expect(ANNOUNCE_SCRIPT).toContain('InternetSetOption([System.IntPtr]::Zero, 39,');
    expect(ANNOUNCE_SCRIPT).toContain('InternetSetOption([System.IntPtr]::Zero, 37,');
  });

  it('saves the previous values to disk before changing anything', async () => {
    reg.values = new Map(schoolProxy);
    await new WindowsProxyEnforcer(dir, reg).apply(pupil, ALLOW);
    expect(reg.savedBeforeChange.length).toBeGreaterThan(0);
    expect(reg.savedBeforeChange.every(Boolean)).toBe(true);
    const saved = JSON.parse(await readFile(join(dir, 'proxy-saved.json'), 'utf8'));
    expect(saved.account).toBe('SCHOOL\\jsmith');
    expect(saved.values.ProxyServer).toEqual({ type: 'REG_SZ', data: 'proxy.school.local:8080' });
  });

  it.each([
    ['the school’s own proxy and PAC file', schoolProxy],
    ['no proxy values at all', []],
    [
      'an empty bypass list',
      [['ProxyOverride', { type: 'REG_SZ', data: '' }]] as [string, Value][],
    ],
  ])('puts back exactly what was there on lift: %s', async (_label, initial) => {
    reg.values = new Map(initial);
    const before = reg.snapshot();
    const enforcer = new WindowsProxyEnforcer(dir, reg);
    await enforcer.apply(pupil, ALLOW);
    expect(reg.values.get('ProxyServer')?.data).toBe('127.0.0.1:9');
    expect(reg.values.has('AutoConfigURL')).toBe(false);
    await enforcer.lift(pupil);
    expect(reg.snapshot()).toEqual(before);
    expect(existsSync(join(dir, 'proxy-saved.json'))).toBe(false);
  });

  it('applying twice never saves the dead end as the user’s own settings', async () => {
    reg.values = new Map(schoolProxy);
    const before = reg.snapshot();
    const enforcer = new WindowsProxyEnforcer(dir, reg);
    await enforcer.apply(pupil, ALLOW);
    await enforcer.apply(pupil, ['10.1.0.0/16']);
    expect(reg.values.get('ProxyOverride')?.data).toBe('10.1.*;<local>');
    await enforcer.lift(pupil);
    expect(reg.snapshot()).toEqual(before);
  });

  it('restores at the next start after a crash', async () => {
    reg.values = new Map(schoolProxy);
    const before = reg.snapshot();
    await new WindowsProxyEnforcer(dir, reg).apply(pupil, ALLOW);
    // The session died; a new one starts.
    await new WindowsProxyEnforcer(dir, reg).clearLeftovers();
    expect(reg.snapshot()).toEqual(before);
  });

  it('lift and clearLeftovers with nothing saved touch nothing', async () => {
    reg.values = new Map(schoolProxy);
    const enforcer = new WindowsProxyEnforcer(dir, reg);
    await enforcer.lift(pupil);
    await enforcer.clearLeftovers();
    expect(reg.commands).toEqual([]);
  });

  it('reports a refused registry change in words', async () => {
    reg.failAdds = true;
    await expect(new WindowsProxyEnforcer(dir, reg).apply(pupil, ALLOW)).rejects.toThrow(
      /Could not set ProxyEnable in the user's Internet Settings \(reg exit 1\): ERROR: Access is denied/,
    );
  });
});

describe('proxy bypass list', () => {
  it.each([
    [['10.0.0.0/8'], ['10.*']],
    [['172.16.0.0/12'], Array.from({ length: 16 }, (_, i) => `172.${16 + i}.*`)],
    [['10.213.0.0/24'], ['10.213.0.*']],
    [['10.213.4.0/23'], ['10.213.4.*', '10.213.5.*']],
    [['192.168.20.5/32', '192.168.20.5'], ['192.168.20.5']],
    [
      ['*.School.Local', 'Intranet'],
      ['*.school.local', 'intranet'],
    ],
    [['fd00::5'], ['[fd00::5]']],
  ])('%j becomes %j', (allow, expected) => {
    expect(proxyBypassList(allow).entries).toEqual(expected);
  });

  it('reports what it cannot express', () => {
    expect(proxyBypassList(['fd00::/8', 'not a host!']).skipped).toEqual([
      '"not a host!" is not a host name, address or address range',
      'fd00::/8: the Windows proxy bypass list cannot hold IPv6 ranges',
    ]);
  });
});

it('reads reg query output, including an empty string value', () => {
  const out =
    '\r\nHKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\r\n    ProxyOverride    REG_SZ    \r\n\r\n';
  expect(parseRegQuery(out, 'ProxyOverride')).toEqual({ type: 'REG_SZ', data: '' });
  expect(parseRegQuery('    ProxyEnable    REG_DWORD    0x1\r\n', 'proxyenable')).toEqual({
    type: 'REG_DWORD',
    data: '0x1',
  });
  expect(parseRegQuery('', 'ProxyServer')).toBeNull();
});
