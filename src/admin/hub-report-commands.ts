import { InputError, optionalString, requireString, UsageError, type Command } from './cli-support';

/**
 * Reports from the school's hub for IT's scripts: the acceptance report per agreement
 * version and the terminal list. They call the hub's staff API with an API token
 * (`classlock-hub token add`, or the dashboard's Tokens page), given as --token or in
 * CLASSLOCK_HUB_TOKEN so it stays out of the shell history.
 */

type Values = Record<string, string | boolean | undefined>;

const HUB_OPTIONS = {
  hub: { type: 'string' },
  token: { type: 'string' },
  school: { type: 'string' },
} as const;

async function hubGet(values: Values, path: string): Promise<Response> {
  const hub = requireString(values, 'hub').replace(/\/$/, '');
  if (!/^https?:\/\//.test(hub))
    throw new UsageError(`--hub "${hub}" is not a hub address (https://...)`);
  const token = optionalString(values, 'token') ?? process.env.CLASSLOCK_HUB_TOKEN;
  if (!token)
    throw new UsageError(
      'give an API token: --token TOKEN or CLASSLOCK_HUB_TOKEN (classlock-hub token add)',
    );
  let r: Response;
  try {
    r = await fetch(`${hub}${path}`, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(30_000),
    });
  } catch (err) {
    throw new InputError(
      `the hub ${hub} cannot be reached: ${(err as Error).cause ?? (err as Error).message}`,
    );
  }
  if (!r.ok) {
    const body = (await r.json().catch(() => ({}))) as { error?: string };
    throw new InputError(`the hub refused (${r.status}): ${body.error ?? r.statusText}`);
  }
  return r;
}

/** The school named, or the only one the token can see. */
async function schoolOf(values: Values): Promise<string> {
  const named = optionalString(values, 'school');
  if (named) return named;
  const me = (await (await hubGet(values, '/api/v1/staff/me')).json()) as {
    schools: { id: string }[];
  };
  if (me.schools.length === 1) return (me.schools[0] as { id: string }).id;
  throw new UsageError(
    `name the school with --school (this token sees: ${me.schools.map((s) => s.id).join(', ') || 'none'})`,
  );
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return (
    rows
      .map((r) =>
        r
          .map((c, i) => c.padEnd(widths[i] ?? 0))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}

export const reportAcceptancesCommand: Command = {
  name: 'report acceptances',
  summary: 'who has and has not accepted an agreement version (from the hub)',
  usage: `classlock-admin report acceptances --hub URL [--school ID] [--agreement ID --version V] [--csv]

Without --agreement: the agreement versions the hub has seen and how many people accepted each.
With --agreement and --version: everyone who accepted (when, where, the name they typed) and
everyone the hub has seen at the school who has not yet. --csv prints the hub's CSV export.
The API token comes from --token or CLASSLOCK_HUB_TOKEN.`,
  options: {
    ...HUB_OPTIONS,
    agreement: { type: 'string' },
    version: { type: 'string' },
    csv: { type: 'boolean' },
  },
  async run(values, _pos, io) {
    const school = await schoolOf(values);
    const base = `/api/v1/staff/schools/${encodeURIComponent(school)}`;
    const agreement = optionalString(values, 'agreement');
    const version = optionalString(values, 'version');
    if (!agreement) {
      if (version) throw new UsageError('--version needs --agreement');
      const r = (await (await hubGet(values, `${base}/agreements`)).json()) as {
        versions: { agreementId: string; version: string; people: number }[];
      };
      if (values.csv) {
        io.stdout.write(
          `agreement,version,accepted\r\n${r.versions.map((v) => `${v.agreementId},${v.version},${v.people}`).join('\r\n')}\r\n`,
        );
        return;
      }
      io.stdout.write(
        r.versions.length
          ? table([
              ['AGREEMENT', 'VERSION', 'ACCEPTED'],
              ...r.versions.map((v) => [v.agreementId, v.version, String(v.people)]),
            ])
          : `No acceptances have reached the hub for ${school} yet.\n`,
      );
      return;
    }
    if (!version) throw new UsageError('--agreement needs --version');
    const q = `agreement=${encodeURIComponent(agreement)}&version=${encodeURIComponent(version)}`;
    if (values.csv) {
      io.stdout.write(await (await hubGet(values, `${base}/acceptances?${q}&format=csv`)).text());
      return;
    }
    const r = (await (await hubGet(values, `${base}/acceptances?${q}`)).json()) as {
      accepted: {
        person: string;
        acceptedAt: string;
        typedName: string | null;
        terminal: string | null;
      }[];
      notYet: string[];
    };
    io.stdout.write(
      `${agreement} version ${version} at ${school}: ${r.accepted.length} accepted, ${r.notYet.length} not yet\n\n`,
    );
    if (r.accepted.length)
      io.stdout.write(
        table([
          ['ACCEPTED', 'WHEN', 'TERMINAL'],
          ...r.accepted.map((a) => [a.person, a.acceptedAt, a.terminal ?? '']),
        ]) + '\n',
      );
    if (r.notYet.length) io.stdout.write(`Not yet: ${r.notYet.join(', ')}\n`);
  },
};

export const terminalsCommand: Command = {
  name: 'terminals',
  summary: "the school's terminals as the hub sees them",
  usage: `classlock-admin terminals --hub URL [--school ID] [--token TOKEN]

Each enrolled terminal: last seen, policy serial and state, enforcement, whether it has gone
quiet (no contact for 30 minutes), and problems to look at.`,
  options: HUB_OPTIONS,
  async run(values, _pos, io) {
    const school = await schoolOf(values);
    const r = (await (
      await hubGet(values, `/api/v1/staff/schools/${encodeURIComponent(school)}/terminals`)
    ).json()) as {
      terminals: {
        hostname: string | null;
        machineId: string;
        lastSeen: string | null;
        quiet: boolean;
        revokedAt: string | null;
        policySerial: number | null;
        policyState: string | null;
        enforcementFailures: number;
        clientMissingAt: string | null;
        outboxDropped: number;
      }[];
    };
    if (!r.terminals.length) {
      io.stdout.write(`No terminals have enrolled at ${school} yet.\n`);
      return;
    }
    const rows = r.terminals.map((t) => {
      const notes = [
        t.revokedAt ? 'revoked' : '',
        t.quiet && !t.revokedAt ? 'quiet' : '',
        t.policyState === 'policyStale'
          ? 'policy stale'
          : t.policyState === 'policyRejected'
            ? 'policy rejected'
            : '',
        t.enforcementFailures ? `${t.enforcementFailures} enforcement failures (7 days)` : '',
        t.clientMissingAt ? `client missing since ${t.clientMissingAt}` : '',
        t.outboxDropped ? `${t.outboxDropped} events dropped offline` : '',
      ].filter(Boolean);
      return [
        t.hostname ?? t.machineId,
        t.lastSeen ?? 'never',
        t.policySerial === null ? '-' : String(t.policySerial),
        notes.join('; '),
      ];
    });
    io.stdout.write(table([['TERMINAL', 'LAST SEEN', 'POLICY', 'NOTES'], ...rows]));
  },
};
