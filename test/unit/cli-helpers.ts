import { main } from '../../src/admin/cli';

export interface RunResult {
  code: number;
  out: string;
  err: string;
}

/** Run classlock-admin in-process, with a fixed clock and an optional stdin. */
export async function runCli(
  argv: string[],
  opts: { stdin?: string; now?: number; resourcesDir?: string } = {},
): Promise<RunResult> {
  let out = '';
  let err = '';
  const code = await main(argv, {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    stdin: (async function* () {
      if (opts.stdin !== undefined) yield opts.stdin;
    })(),
    now: () => opts.now ?? Date.parse('2026-11-22T10:00:00Z'),
    ...(opts.resourcesDir ? { resourcesDir: opts.resourcesDir } : {}),
  });
  return { code, out, err };
}
