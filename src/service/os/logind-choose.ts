import type { CommandRunner } from '../../core/enforcement/enforcer';
import { ProcSessionSource, type ProcSessionOptions } from './logind-proc-fallback';
import { LogindSessionSource, type LogindOptions } from './logind-session-source';
import type { SessionSource } from './session-source';

/**
 * The Linux session source for this machine: logind when it answers on the system bus,
 * else the /proc fallback (which says in describe() and in lock errors what it lacks).
 * Asked once at service start-up, within the logind call time limit.
 */
export async function linuxSessionSource(
  options: {
    logind?: LogindOptions;
    proc?: ProcSessionOptions;
    runner?: CommandRunner;
    onFallback?: (why: string) => void;
  } = {},
): Promise<SessionSource> {
  const logind = new LogindSessionSource({ callTimeoutMs: 3000, ...options.logind });
  try {
    await logind.list();
    return logind;
  } catch (err) {
    logind.close();
    options.onFallback?.(
      `logind did not answer (${(err as Error).message}); using /proc sessions, which cannot lock a screen`,
    );
    return new ProcSessionSource({ runner: options.runner, ...options.proc });
  }
}
