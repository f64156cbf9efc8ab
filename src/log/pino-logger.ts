import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import type { Logger } from '../core/log';

export interface LoggerOptions {
  /** What the lines are from, e.g. "classlock" or "classlock-preview". */
  name: string;
  /** Also append to `<dir>/<name>.log` (Windows GUI programs have no console). */
  dir?: string;
  level?: string;
}

/**
 * Pino, one JSON line per event with its level and, for an error, its stack, to stderr and
 * optionally a file. Writes are synchronous: the line before a crash is the useful one.
 * A log file that cannot be opened never stops the program; stderr still gets the lines.
 */
export function createLogger(o: LoggerOptions): Logger & pino.Logger {
  const streams: pino.StreamEntry[] = [{ stream: pino.destination({ dest: 2, sync: true }) }];
  let problem: unknown;
  if (o.dir) {
    try {
      mkdirSync(o.dir, { recursive: true });
      streams.push({
        stream: pino.destination({ dest: join(o.dir, `${o.name}.log`), sync: true }),
      });
    } catch (err) {
      problem = err;
    }
  }
  const level = o.level ?? process.env.CLASSLOCK_LOG_LEVEL ?? 'info';
  const logger = pino(
    { name: o.name, level },
    pino.multistream(streams.map((s) => ({ ...s, level }))),
  );
  if (problem) logger.warn(problem, `the log file in ${o.dir} could not be opened`);
  return logger;
}
