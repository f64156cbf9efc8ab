import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { addSchool, issueToken, setLocalAdmin } from './hub-admin';
import { createHub } from './hub-server';
import { openStore } from './open-store';
import { ROLES, StaffDirectorySchema, type Role } from './staff/staff-auth';

const USAGE = `classlock-hub: the school's hub (events in, questions answered, dashboard)

  classlock-hub --data ./hub-data --listen 127.0.0.1:8443
  classlock-hub --database postgres://hub@db/classlock --listen 0.0.0.0:8443 --cert hub.pem --key hub.key
      Serve. --data keeps everything in one folder (no database server needed); --database
      uses PostgreSQL (several hub processes may share it). Without --cert/--key the hub
      speaks plain HTTP: only for 127.0.0.1 while trying it out.
      --smtp smtp://relay:25 --mail-from hub@school   how concerns are emailed
      --directory staff-directory.yaml                 dashboard sign-in by directory groups
      --dashboard-url https://hub.school/              the link put in emails

  classlock-hub school add ID --name "North Primary" [--notify dsl@school,head@school] [--webhook URL]
      Adds a school (or renews its enrolment secret) and prints the secret for the machine config.
  classlock-hub admin set NAME          reads a password (12+ characters) on standard input
  classlock-hub token add --label NAME [--school ID] [--role it|safeguarding|readonly]
      Prints an API token for classlock-admin report/terminals (--hub URL --token TOKEN).

Store commands on an embedded --data folder need the hub stopped first.
`;

const OPTIONS = {
  data: { type: 'string' },
  database: { type: 'string' },
  listen: { type: 'string' },
  cert: { type: 'string' },
  key: { type: 'string' },
  smtp: { type: 'string' },
  'mail-from': { type: 'string' },
  directory: { type: 'string' },
  'dashboard-url': { type: 'string' },
  name: { type: 'string' },
  notify: { type: 'string' },
  webhook: { type: 'string' },
  school: { type: 'string' },
  role: { type: 'string' },
  label: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

async function readStdin(): Promise<string> {
  let s = '';
  for await (const chunk of process.stdin) s += String(chunk);
  return s.replace(/\r?\n$/, '');
}

function dashboardDir(): string | undefined {
  // Bundled: dist/hub/hub.mjs next to dist/hub-dashboard. From source: the repo's dist.
  for (const rel of ['../hub-dashboard', '../../dist/hub-dashboard']) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(dir)) return dir;
  }
  return undefined;
}

export async function main(argv: string[]): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      options: OPTIONS,
      allowPositionals: true,
      strict: true,
    }));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const str = (k: string): string | undefined =>
    typeof values[k] === 'string' ? (values[k] as string) : undefined;
  const storeChoice = {
    ...(str('data') ? { data: str('data') } : {}),
    ...(str('database') ? { database: str('database') } : {}),
  };
  const [cmd, sub, arg] = positionals;

  try {
    if (cmd === 'school' && sub === 'add') {
      if (!arg || !str('name'))
        throw new Error('Usage: classlock-hub school add ID --name "School name"');
      const store = await openStore(storeChoice);
      try {
        const secret = await addSchool(store, {
          id: arg,
          name: str('name') as string,
          notifyEmails: (str('notify') ?? '')
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
          ...(str('webhook') ? { webhookUrl: str('webhook') } : {}),
        });
        process.stdout.write(
          `School ${arg} saved. Its enrolment secret (shown once; put it in each PC's machine config as hubEnrolmentSecret):\n${secret}\n`,
        );
      } finally {
        await store.close();
      }
      return 0;
    }
    if (cmd === 'admin' && sub === 'set') {
      if (!arg)
        throw new Error('Usage: classlock-hub admin set NAME  (password on standard input)');
      const password = await readStdin();
      const store = await openStore(storeChoice);
      try {
        await setLocalAdmin(store, arg, password);
      } finally {
        await store.close();
      }
      process.stdout.write(`Local admin ${arg} can now sign in to the dashboard.\n`);
      return 0;
    }
    if (cmd === 'token' && sub === 'add') {
      const role = (str('role') ?? 'readonly') as Role;
      if (!ROLES.includes(role)) throw new Error(`--role must be one of ${ROLES.join(', ')}`);
      if (!str('label')) throw new Error('Give the token a --label (who or what uses it).');
      const store = await openStore(storeChoice);
      try {
        const token = await issueToken(store, str('school') ?? null, role, str('label') as string);
        process.stdout.write(`${token}\n`);
      } finally {
        await store.close();
      }
      return 0;
    }
    if (cmd !== undefined && cmd !== 'serve')
      throw new Error(`Unknown command "${positionals.join(' ')}".\n\n${USAGE}`);

    const listen = str('listen') ?? '127.0.0.1:8443';
    const m = /^(.*):(\d{1,5})$/.exec(listen);
    if (!m) throw new Error(`--listen "${listen}" is not HOST:PORT (e.g. 127.0.0.1:8443)`);
    const host = (m[1] as string).replace(/^\[|\]$/g, '');
    if ((str('cert') === undefined) !== (str('key') === undefined))
      throw new Error('Give both --cert and --key, or neither.');
    const tls = str('cert')
      ? { cert: await readFile(str('cert') as string), key: await readFile(str('key') as string) }
      : undefined;
    if (!tls && !['127.0.0.1', '::1', 'localhost'].includes(host))
      throw new Error(
        `Without --cert and --key the hub only listens on 127.0.0.1 or ::1 (not ${host}): staff passwords and terminals' events must not cross a network in the clear.`,
      );
    const directory = str('directory')
      ? StaffDirectorySchema.parse(parseYaml(await readFile(str('directory') as string, 'utf8')))
      : undefined;
    const store = await openStore(storeChoice);
    const hub = await createHub({
      store,
      tls,
      directory,
      dashboardDir: dashboardDir(),
      notify: {
        ...(str('smtp') ? { smtpUrl: str('smtp') } : {}),
        ...(str('mail-from') ? { from: str('mail-from') } : {}),
        ...(str('dashboard-url') ? { dashboardUrl: str('dashboard-url') } : {}),
      },
      log: (msg) => process.stderr.write(`${new Date().toISOString()} ${msg}\n`),
    });
    await hub.app.listen({ host, port: Number(m[2]) });
    const addr = hub.app.server.address();
    const port = typeof addr === 'object' && addr ? addr.port : Number(m[2]);
    process.stdout.write(
      `classlock-hub listening on ${tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}/ (store: ${store.kind})\n`,
    );
    const stop = (): void => {
      void hub
        .close()
        .then(() => store.close())
        .then(() => process.exit(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    return await new Promise<number>(() => undefined);
  } catch (err) {
    process.stderr.write(`classlock-hub: ${(err as Error).message}\n`);
    return 1;
  }
}

const invokedDirectly = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (invokedDirectly) void main(process.argv.slice(2)).then((code) => process.exit(code));
