/**
 * A throwaway PostgreSQL for hub tests and the hub bench: Debian's server, initialised and
 * started as the `postgres` user (it refuses root) in a temp folder, reachable only by a
 * Unix socket in that folder. stop() ends it and removes the folder.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function pgBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const v = readdirSync(root).sort((a, b) => Number(b) - Number(a))[0];
  return v ? join(root, v, 'bin') : undefined;
}

/** Why PostgreSQL cannot be started here, or undefined when it can. */
export function postgresUnavailableReason(): string | undefined {
  const bin = pgBin();
  if (!bin || !existsSync(join(bin, 'initdb')))
    return 'PostgreSQL is not installed (apt-get install postgresql)';
  if (process.getuid?.() !== 0) return 'starting PostgreSQL as its own user needs root';
  if (spawnSync('id', ['postgres']).status !== 0) return 'there is no postgres user';
  return undefined;
}

export interface TestPostgres {
  url: string;
  socketDir: string;
  bin: string;
  stop(): void;
}

export function startPostgres(): TestPostgres {
  const bin = pgBin() as string;
  const dir = mkdtempSync(join(tmpdir(), 'classlock-pg-'));
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
  chownSync(dir, uid, gid);
  chmodSync(dir, 0o700);
  const asPg = (cmd: string, args: string[]): void => {
    const r = spawnSync('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args], {
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr || r.stdout}`);
  };
  const data = join(dir, 'data');
  asPg('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  asPg('pg_ctl', [
    '-D',
    data,
    '-l',
    join(dir, 'log'),
    '-w',
    '-o',
    `-k ${dir} -c listen_addresses='' -c fsync=off -c max_connections=120`,
    'start',
  ]);
  return {
    url: `postgresql://postgres@localhost/postgres?host=${encodeURIComponent(dir)}`,
    socketDir: dir,
    bin,
    stop() {
      spawnSync('runuser', [
        '-u',
        'postgres',
        '--',
        join(bin, 'pg_ctl'),
        '-D',
        data,
        '-m',
        'immediate',
        '-w',
        'stop',
      ]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
