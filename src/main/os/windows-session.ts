import { runFirstThatWorks, type Command, type CommandRunner, type OsSession } from './os-session';

/**
 * Windows programs by full path under %SystemRoot%: Windows searches the program's own
 * folder and the current folder before PATH, so a bare name could run a look-alike.
 */
export function windowsCommands(env: Readonly<Record<string, string | undefined>>): {
  lock: Command[];
  logoff: Command[];
} {
  const root = (env.SystemRoot ?? env.SYSTEMROOT ?? env.windir ?? 'C:\\Windows').replace(
    /\\+$/,
    '',
  );
  const sys32 = `${root}\\System32`;
  return {
    lock: [{ file: `${sys32}\\rundll32.exe`, args: ['user32.dll,LockWorkStation'] }],
    logoff: [
      // /f: by the time Classlock logs a user off, the screens have already given them the
      // policy's grace period; an app asking "save changes?" must not keep the session open.
      { file: `${sys32}\\shutdown.exe`, args: ['/l', '/f'] },
      { file: `${sys32}\\logoff.exe`, args: [] },
    ],
  };
}

export class WindowsSession implements OsSession {
  private readonly commands: ReturnType<typeof windowsCommands>;
  constructor(
    private readonly runner: CommandRunner,
    env: Readonly<Record<string, string | undefined>>,
  ) {
    this.commands = windowsCommands(env);
  }
  async lock(): Promise<void> {
    await runFirstThatWorks(this.runner, 'lock the Windows session', this.commands.lock);
  }
  async logoff(): Promise<void> {
    await runFirstThatWorks(this.runner, 'sign the user out of Windows', this.commands.logoff);
  }
}
