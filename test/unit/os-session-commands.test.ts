import { describe, expect, it } from 'vitest';
import { ExecFileRunner } from '../../src/main/os/exec-runner';
import { LinuxSession, linuxCommands } from '../../src/main/os/linux-session';
import type { CommandResult, CommandRunner } from '../../src/main/os/os-session';
import { sessionAccount } from '../../src/main/os/session-account';
import { WindowsSession, windowsCommands } from '../../src/main/os/windows-session';

/** A stand-in OS: answers each program with the exit code the test gives it, and notes the calls. */
class ScriptedOs implements CommandRunner {
  readonly calls: string[] = [];
  constructor(private readonly answers: Record<string, number | 'missing'>) {}
  async run(file: string, args: readonly string[]): Promise<CommandResult> {
    const line = [file, ...args].join(' ');
    this.calls.push(line);
    const a = this.answers[file] ?? 0;
    if (a === 'missing') throw Object.assign(new Error(`spawn ${file} ENOENT`), { code: 'ENOENT' });
    return { code: a, stdout: '', stderr: a === 0 ? '' : 'Access is denied.' };
  }
}

describe('Windows: the exact commands', () => {
  it('locks with LockWorkStation through rundll32 from System32, by full path', () => {
    const c = windowsCommands({ SystemRoot: 'D:\\WINDOWS' });
    expect(c.lock).toEqual([
      { file: 'D:\\WINDOWS\\System32\\rundll32.exe', args: ['user32.dll,LockWorkStation'] },
    ]);
  });

  it('signs out with shutdown /l /f, then logoff.exe if shutdown is refused', async () => {
    const os = new ScriptedOs({ 'C:\\Windows\\System32\\shutdown.exe': 5 });
    await new WindowsSession(os, {}).logoff();
    expect(os.calls).toEqual([
      'C:\\Windows\\System32\\shutdown.exe /l /f',
      'C:\\Windows\\System32\\logoff.exe',
    ]);
  });

  it('says in words what failed when Windows refuses every way of signing out', async () => {
    const os = new ScriptedOs({
      'C:\\Windows\\System32\\shutdown.exe': 5,
      'C:\\Windows\\System32\\logoff.exe': 'missing',
    });
    await expect(new WindowsSession(os, { SystemRoot: 'C:\\Windows\\' }).logoff()).rejects.toThrow(
      /Could not sign the user out of Windows\. Tried: "C:\\Windows\\System32\\shutdown\.exe \/l \/f" \(exit code 5: Access is denied\.\); "C:\\Windows\\System32\\logoff\.exe" \(spawn .*ENOENT\)/,
    );
  });
});

describe('Linux: the exact commands', () => {
  it('locks this desktop session through logind, naming the session', async () => {
    const os = new ScriptedOs({});
    await new LinuxSession(os, { XDG_SESSION_ID: '7' }).lock();
    expect(os.calls).toEqual(['/usr/bin/loginctl lock-session 7']);
  });

  it('falls back to xdg-screensaver when logind will not lock', async () => {
    const os = new ScriptedOs({ '/usr/bin/loginctl': 1 });
    await new LinuxSession(os, { XDG_SESSION_ID: '7' }).lock();
    expect(os.calls).toEqual(['/usr/bin/loginctl lock-session 7', '/usr/bin/xdg-screensaver lock']);
  });

  it('ends the session with loginctl terminate-session, then GNOME without a prompt', async () => {
    const os = new ScriptedOs({ '/usr/bin/loginctl': 1 });
    await new LinuxSession(os, { XDG_SESSION_ID: 'c2' }).logoff();
    expect(os.calls).toEqual([
      '/usr/bin/loginctl terminate-session c2',
      '/usr/bin/gnome-session-quit --logout --no-prompt',
    ]);
  });

  it('without a session id never terminates "all sessions": it asks the desktop instead', () => {
    const c = linuxCommands({});
    expect(c.logoff).toEqual([
      { file: '/usr/bin/gnome-session-quit', args: ['--logout', '--no-prompt'] },
    ]);
    expect(c.lock[0]).toEqual({ file: '/usr/bin/loginctl', args: ['lock-session'] });
  });

  it('ignores a session id that is not a plain word (no option injection)', () => {
    expect(linuxCommands({ XDG_SESSION_ID: '--all' }).lock[0]?.args).toEqual(['lock-session']);
    expect(linuxCommands({ XDG_SESSION_ID: '3 4' }).logoff).toHaveLength(1);
  });
});

describe('the real command runner', () => {
  const runner = new ExecFileRunner(5000);
  it('reports exit codes and output of a real program, without a shell', async () => {
    expect((await runner.run('/bin/sh', ['-c', 'echo hi; exit 0'])).stdout).toBe('hi\n');
    expect((await runner.run('/bin/sh', ['-c', 'echo no >&2; exit 3'])).code).toBe(3);
    // Arguments reach the program as they are: nothing is re-parsed by a shell.
    expect((await runner.run('/bin/echo', ['$HOME;', '&&', 'x'])).stdout).toBe('$HOME; && x\n');
  });

  it('rejects when the program does not exist, so the next command is tried', async () => {
    await expect(runner.run('/nonexistent/loginctl', [])).rejects.toThrow(/ENOENT/);
    const session = new LinuxSession(
      {
        run: (file, args) =>
          file === '/usr/bin/loginctl'
            ? runner.run('/nonexistent/loginctl', args)
            : runner.run('/bin/true', []),
      },
      {},
    );
    await expect(session.lock()).resolves.toBeUndefined();
  });
});

describe('the account a session belongs to', () => {
  it('is DOMAIN\\user on Windows and the login name elsewhere', () => {
    expect(sessionAccount('win32', { USERDOMAIN: 'SCHOOL', USERNAME: 'jsmith' }, 'x')).toBe(
      'SCHOOL\\jsmith',
    );
    expect(sessionAccount('win32', { USERNAME: 'jsmith' }, 'x')).toBe('jsmith');
    expect(sessionAccount('linux', { USERNAME: 'ignored' }, 'jsmith')).toBe('jsmith');
  });
});
