import { execFile } from 'node:child_process';
import type { CommandResult, CommandRunner } from './os-session';

/** The real runner: no shell, hidden console window on Windows, bounded in time. */
export class ExecFileRunner implements CommandRunner {
  constructor(private readonly timeoutMs = 15_000) {}
  run(file: string, args: readonly string[]): Promise<CommandResult> {
    return new Promise((resolve, reject) => {
      execFile(
        file,
        [...args],
        { timeout: this.timeoutMs, windowsHide: true, shell: false },
        (err, stdout, stderr) => {
          if (err && typeof (err as NodeJS.ErrnoException).code === 'string') {
            // ENOENT and friends: the program is not there at all.
            reject(err);
            return;
          }
          const code = err ? ((err as { code?: number | null }).code ?? null) : 0;
          resolve({ code, stdout: String(stdout), stderr: String(stderr) });
        },
      );
    });
  }
}
