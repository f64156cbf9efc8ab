import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

/** Real Linux accounts for a test, removed again afterwards. Root only. */
export interface TestUser {
  name: string;
  uid: number;
}

export function sh(args: string[], input?: string): { code: number; out: string; err: string } {
  const r = spawnSync(args[0]!, args.slice(1), { input, encoding: 'utf8', timeout: 15_000 });
  return { code: r.status ?? 1, out: r.stdout ?? '', err: r.stderr ?? '' };
}

/** Why real-user tests cannot run here, or undefined when they can. */
export function realUsersUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'not running as root';
  for (const tool of ['useradd', 'userdel', 'groupadd', 'setpriv'])
    if (sh(['sh', '-c', `command -v ${tool}`]).code !== 0) return `${tool} is not installed`;
  return undefined;
}

export function addGroup(name: string, gid: number): void {
  sh(['groupdel', name]);
  const r = sh(['groupadd', '-g', String(gid), name]);
  if (r.code !== 0) throw new Error(`groupadd ${name}: ${r.err}`);
}

export function addUser(name: string, uid: number, groups: string[] = []): TestUser {
  sh(['userdel', '-r', name]);
  const r = sh([
    'useradd',
    '-M',
    '-u',
    String(uid),
    '-U',
    ...(groups.length ? ['-G', groups.join(',')] : []),
    name,
  ]);
  if (r.code !== 0) throw new Error(`useradd ${name}: ${r.err}`);
  return { name, uid };
}

export function removeUser(name: string): void {
  sh(['userdel', name]);
}

export function removeGroup(name: string): void {
  sh(['groupdel', name]);
}

/** A program run as that user and nothing more: its uid and gid, no supplementary groups. */
export function spawnAs(user: TestUser, args: string[]): ChildProcess {
  const gid = Number(sh(['id', '-g', user.name]).out.trim());
  return spawn(
    'setpriv',
    [`--reuid=${user.uid}`, `--regid=${gid}`, '--clear-groups', '--', ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
}

/** Lines of JSON a child prints, with a way to wait for one (bounded in time). */
export class Lines {
  readonly all: Record<string, unknown>[] = [];
  private buf = '';
  private waiters: {
    test: (o: Record<string, unknown>) => boolean;
    resolve: (o: Record<string, unknown>) => void;
  }[] = [];
  readonly exited: Promise<number>;

  constructor(readonly child: ChildProcess) {
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      this.buf += d;
      let nl: number;
      while ((nl = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, nl);
        this.buf = this.buf.slice(nl + 1);
        let o: Record<string, unknown>;
        try {
          o = JSON.parse(line) as Record<string, unknown>;
        } catch {
          continue;
        }
        this.all.push(o);
        for (const w of [...this.waiters]) {
          if (w.test(o)) {
            this.waiters.splice(this.waiters.indexOf(w), 1);
            w.resolve(o);
          }
        }
      }
    });
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code ?? 1)));
  }

  waitFor(
    test: (o: Record<string, unknown>) => boolean,
    timeoutMs = 10_000,
  ): Promise<Record<string, unknown>> {
    const seen = this.all.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(`no matching line within ${timeoutMs} ms; got ${JSON.stringify(this.all)}`),
          ),
        timeoutMs,
      );
      this.waiters.push({
        test,
        resolve: (o) => {
          clearTimeout(timer);
          resolve(o);
        },
      });
    });
  }
}
