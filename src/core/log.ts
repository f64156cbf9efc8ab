/**
 * The one logging interface the core is given. Pino's loggers fit it as they are (the
 * service, the CLI, the preview and the Electron main process each make one at their
 * edge), so levels and an error's stack reach the log; the core itself never prints.
 *
 *     log.error(err, 'Classlock could not write its audit log');
 *     log.info('Policy 42 in force');
 */
export type LogFn = (objOrMessage: unknown, message?: string) => void;

export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
}

const nothing: LogFn = () => undefined;

/** For tests and tools that have nowhere to log. */
export const silentLogger: Logger = {
  debug: nothing,
  info: nothing,
  warn: nothing,
  error: nothing,
};
