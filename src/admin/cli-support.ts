import { parseArgs, type ParseArgsConfig } from 'node:util';
import { access, readFile } from 'node:fs/promises';
import { sanctionEnd } from '../core/sanctions/evaluate';
import { localDateAsUtc } from '../core/time/local-time';

export interface CliIo {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  /** For override-hash; default process.stdin. */
  stdin?: AsyncIterable<string | Buffer>;
  /** Epoch ms; default the system clock. */
  now?: () => number;
  /** Folder holding default-policy.yaml; default the package's resources/. */
  resourcesDir?: string;
}

/** Wrong use of the command line: exit 2, with the command's usage. */
export class UsageError extends Error {}
/** The input (a file, a value) is not acceptable: exit 1. */
export class InputError extends Error {}

export type Options = NonNullable<ParseArgsConfig['options']>;

export interface Command {
  name: string;
  summary: string;
  usage: string;
  options: Options;
  run(
    values: Record<string, string | boolean | undefined>,
    positionals: string[],
    io: Required<Pick<CliIo, 'stdout' | 'stderr'>> & CliIo,
  ): Promise<void>;
}

export function parseCommandArgs(
  cmd: Command,
  argv: string[],
): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  try {
    const r = parseArgs({
      args: argv,
      options: { ...cmd.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    return {
      values: r.values as Record<string, string | boolean | undefined>,
      positionals: r.positionals,
    };
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export function requireString(
  values: Record<string, string | boolean | undefined>,
  name: string,
): string {
  const v = values[name];
  if (typeof v !== 'string' || v.trim() === '') throw new UsageError(`--${name} is required`);
  return v;
}

export function onePositional(positionals: string[], what: string): string {
  if (positionals.length === 0) throw new UsageError(`name the ${what}`);
  if (positionals.length > 1)
    throw new UsageError(`expected one ${what}, got: ${positionals.join(' ')}`);
  return positionals[0]!;
}

export async function readInput(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputError(`${what} ${path} does not exist`);
    if (code === 'EISDIR') throw new InputError(`${what} ${path} is a folder, not a file`);
    if (code === 'EACCES')
      throw new InputError(`${what} ${path} cannot be read (permission denied)`);
    throw new InputError(`${what} ${path} cannot be read: ${(err as Error).message}`);
  }
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** YYYY-MM-DD (kept as a date) or a full ISO instant with a zone. */
export function parseDateArg(flag: string, value: string): { text: string; dateOnly: boolean } {
  const v = value.trim();
  if (DATE_ONLY.test(v)) {
    const d = new Date(`${v}T00:00:00Z`);
    if (!Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v)
      return { text: v, dateOnly: true };
  } else if (INSTANT.test(v) && !Number.isNaN(Date.parse(v))) {
    return { text: v, dateOnly: false };
  }
  throw new InputError(
    `${flag} "${value}" is not a date (use 2026-12-04, or 2026-12-04T08:00:00Z for an exact time)`,
  );
}

/** Today's date (YYYY-MM-DD) in a time zone. */
export function dateInZone(t: number, timeZone: string): string {
  return new Date(localDateAsUtc(t, timeZone)).toISOString().slice(0, 10);
}

/** The tool's clock: the system's, or the one a test gives. */
export function nowOf(io: CliIo): number {
  return io.now?.() ?? Date.now();
}

/** `--at DATE|INSTANT` as an instant in the policy's time zone, or now without it. */
export function atArg(
  values: Record<string, string | boolean | undefined>,
  timeZone: string,
  io: CliIo,
): number {
  const at = optionalString(values, 'at');
  return at === undefined ? nowOf(io) : sanctionEnd(parseDateArg('--at', at).text, timeZone)!;
}

/** A string option, or undefined when it was not given. */
export function optionalString(
  values: Record<string, string | boolean | undefined>,
  name: string,
): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

export async function fileExists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** "Fri 4 Dec 2026, 00:00 Europe/London (2026-12-04T00:00:00Z)". */
export function describeInstant(t: number, timeZone: string): string {
  const local = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  }).format(t);
  return `${local} ${timeZone} (${new Date(t).toISOString().replace('.000Z', 'Z')})`;
}
