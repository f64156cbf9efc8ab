import { spawn } from 'node:child_process';

/** Whose access is withdrawn: the account as the OS reports it, plus what each OS keys on. */
export interface EnforcementTarget {
  account: string;
  /** Linux: the numeric user id the packet filter matches. */
  uid?: number;
  /** Windows: the user's SID (informational; HKCU is always the calling user's). */
  sid?: string;
}

export interface ApplyOptions {
  /**
   * When the restriction ends (epoch ms), or null / absent when it lasts until staff lift
   * it.
   */
  until?: number | null;
}

/**
 * Withdraws internet access for one user while the allow list stays reachable. Every
 * method is idempotent: applying twice, lifting what is not applied and clearing when
 * nothing is left over all succeed and change nothing more.
 */
export interface RestrictionEnforcer {
  apply(target: EnforcementTarget, allowList: string[], options?: ApplyOptions): Promise<void>;
  lift(target: EnforcementTarget): Promise<void>;
  /** Undo what a crashed earlier run left in force. Called once at start. */
  clearLeftovers(): Promise<void>;
  /** One line for IT in the tray status, e.g. "nftables table inet classlock". */
  describe(): string;
}

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program without a shell, so no argument is ever re-parsed. */
export interface CommandRunner {
  run(file: string, args: string[], input?: string): Promise<CommandResult>;
}

/** A real runner: spawn, feed stdin, collect output, kill after a time limit. */
export class ProcessRunner implements CommandRunner {
  constructor(private readonly timeoutMs = 15_000) {}

  run(file: string, args: string[], input?: string): Promise<CommandResult> {
    return new Promise((resolve) => {
      let stdout = '';
      let stderr = '';
      const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
      const timer = setTimeout(() => {
        stderr += `\n${file} did not finish within ${this.timeoutMs / 1000} s and was stopped.`;
        child.kill('SIGKILL');
      }, this.timeoutMs);
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.on('error', (err) => {
        clearTimeout(timer);
        resolve({ code: 127, stdout, stderr: `${stderr}could not run ${file}: ${err.message}` });
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code: code ?? 1, stdout, stderr });
      });
      child.stdin.on('error', () => undefined);
      child.stdin.end(input ?? '');
    });
  }
}

/** Used where no enforcer fits the platform: says so instead of pretending. */
export class UnavailableEnforcer implements RestrictionEnforcer {
  constructor(private readonly why: string) {}
  async apply(): Promise<void> {
    throw new Error(`Internet sanctions cannot be enforced on this terminal: ${this.why}`);
  }
  async lift(): Promise<void> {}
  async clearLeftovers(): Promise<void> {}
  describe(): string {
    return `not enforced (${this.why})`;
  }
}
