import { runFirstThatWorks, type Command, type CommandRunner, type OsSession } from './os-session';

/**
 * Linux programs by full path (Debian and Ubuntu keep them in /usr/bin), so a PATH set in
 * the user's own profile cannot swap in a look-alike. loginctl talks to systemd-logind and
 * works under any desktop; the desktop's own tools are the fallback where logind refuses.
 */
export function linuxCommands(env: Readonly<Record<string, string | undefined>>): {
  lock: Command[];
  logoff: Command[];
} {
  const session = env.XDG_SESSION_ID?.trim();
  const sessionArgs = session && /^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(session) ? [session] : [];
  const logoff: Command[] = [];
  if (sessionArgs.length) {
    logoff.push({ file: '/usr/bin/loginctl', args: ['terminate-session', ...sessionArgs] });
  }
  logoff.push({ file: '/usr/bin/gnome-session-quit', args: ['--logout', '--no-prompt'] });
  return {
    lock: [
      { file: '/usr/bin/loginctl', args: ['lock-session', ...sessionArgs] },
      { file: '/usr/bin/xdg-screensaver', args: ['lock'] },
    ],
    logoff,
  };
}

export class LinuxSession implements OsSession {
  private readonly commands: ReturnType<typeof linuxCommands>;
  constructor(
    private readonly runner: CommandRunner,
    env: Readonly<Record<string, string | undefined>>,
  ) {
    this.commands = linuxCommands(env);
  }
  async lock(): Promise<void> {
    await runFirstThatWorks(this.runner, 'lock the desktop session', this.commands.lock);
  }
  async logoff(): Promise<void> {
    await runFirstThatWorks(this.runner, 'log the user out of the desktop', this.commands.logoff);
  }
}
