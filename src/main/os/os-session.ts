/** The operating-system session Classlock runs in: lock it, or end it. */
export interface OsSession {
  lock(): Promise<void>;
  logoff(): Promise<void>;
}

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs one program without a shell (arguments are never parsed by a shell). */
export interface CommandRunner {
  run(file: string, args: readonly string[]): Promise<CommandResult>;
}

/** One program to try, in the words an IT technician would type it. */
export interface Command {
  file: string;
  args: string[];
}

export class OsCommandError extends Error {
  constructor(action: string, tried: { command: Command; detail: string }[]) {
    super(
      `Could not ${action}. Tried: ` +
        tried
          .map((t) => `"${[t.command.file, ...t.command.args].join(' ')}" (${t.detail})`)
          .join('; '),
    );
    this.name = 'OsCommandError';
  }
}

/** Try each command in order until one exits with 0; report every failure if none does. */
export async function runFirstThatWorks(
  runner: CommandRunner,
  action: string,
  commands: readonly Command[],
): Promise<Command> {
  const tried: { command: Command; detail: string }[] = [];
  for (const command of commands) {
    try {
      const r = await runner.run(command.file, command.args);
      if (r.code === 0) return command;
      tried.push({
        command,
        detail: `exit code ${r.code ?? 'none'}${r.stderr.trim() ? `: ${r.stderr.trim()}` : ''}`,
      });
    } catch (err) {
      tried.push({ command, detail: err instanceof Error ? err.message : String(err) });
    }
  }
  throw new OsCommandError(action, tried);
}
