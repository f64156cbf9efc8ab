import { randomBytes } from 'node:crypto';
import { isMap, isSeq, parseDocument, YAMLSeq, type Document } from 'yaml';
import { parsePolicyYaml } from '../core/policy/policy-yaml';
import {
  DEFAULT_TIME_ZONE,
  SANCTION_KINDS,
  SCOPES,
  type Policy,
  type Sanction,
} from '../core/policy/schema';
import { activeAt, sanctionEnd } from '../core/sanctions/evaluate';
import { writeFileAtomic } from '../core/storage/atomic-file';
import {
  addDays,
  dateInZone,
  describeInstant,
  InputError,
  parseDateArg,
  readInput,
  requireString,
  UsageError,
  type Command,
  nowOf,
  atArg,
} from './cli-support';
import { loadPolicyYaml } from './policy-commands';

async function readDoc(path: string): Promise<{ doc: Document; text: string }> {
  const text = (await readInput(path, 'the policy')).toString('utf8');
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length) {
    // Let the full validator word it, with lines.
    const r = parsePolicyYaml(text, path);
    throw new InputError(
      `${path} cannot be edited:\n  ${r.ok ? doc.errors[0]!.message : r.errors.join('\n  ')}`,
    );
  }
  return { doc, text };
}

/** Validate the edited text, then replace the file; an invalid edit is never written. */
async function writeDoc(path: string, doc: Document): Promise<Policy> {
  const next = doc.toString({ lineWidth: 0, flowCollectionPadding: false });
  const r = parsePolicyYaml(next, path);
  if (!r.ok) {
    throw new InputError(
      `the change would make ${path} invalid, so it was not saved:\n  ${r.errors.join('\n  ')}`,
    );
  }
  await writeFileAtomic(path, next, 0o644);
  return r.policy;
}

function sanctionsSeq(doc: Document): YAMLSeq {
  const node = doc.get('sanctions', true);
  if (isSeq(node)) {
    if (node.items.length === 0) node.flow = false; // `sanctions: []` becomes a block list
    return node;
  }
  if (
    node !== undefined &&
    node !== null &&
    !(typeof node === 'object' && 'value' in node && node.value === null)
  ) {
    throw new InputError('the policy\'s "sanctions" is not a list');
  }
  const seq = new YAMLSeq();
  doc.set('sanctions', seq);
  return seq;
}

function existingIds(seq: YAMLSeq): Set<string> {
  const ids = new Set<string>();
  for (const item of seq.items) if (isMap(item)) ids.add(String(item.get('id')));
  return ids;
}

function describeEnd(s: Pick<Sanction, 'until'>, timeZone: string): string {
  const end = sanctionEnd(s.until, timeZone);
  return end === null ? 'permanent (until lifted)' : `until ${describeInstant(end, timeZone)}`;
}

const addCommand: Command = {
  name: 'sanction add',
  summary: "withdraw a user's internet or network access",
  usage: `classlock-admin sanction add --policy policy.yaml --user USER --scope internet|network
    [--until DATE | --days N] --reason TEXT --by NAME [--kind parentalOptOut]

USER in any form: jsmith, SCHOOL\\jsmith or jsmith@school.local (a bare name applies
in every domain). DATE is 2026-12-04 (access returns at the start of that day in the
policy's time zone) or an exact time such as 2026-12-04T15:30:00Z. --days N ends it at
the start of the day N days from today. Without --until or --days the sanction is
permanent until lifted. Edits policy.yaml in place (comments are kept); sign and
publish it to apply.`,
  options: {
    policy: { type: 'string' },
    user: { type: 'string' },
    scope: { type: 'string' },
    until: { type: 'string' },
    days: { type: 'string' },
    reason: { type: 'string' },
    by: { type: 'string' },
    kind: { type: 'string' },
  },
  async run(values, _pos, io) {
    const path = requireString(values, 'policy');
    const user = requireString(values, 'user').trim();
    const scope = requireString(values, 'scope');
    const reason = requireString(values, 'reason').trim();
    const by = requireString(values, 'by').trim();
    if (!(SCOPES as readonly string[]).includes(scope)) {
      throw new UsageError(`--scope must be internet or network, not "${scope}"`);
    }
    const kind = values.kind === undefined ? 'sanction' : String(values.kind);
    if (!(SANCTION_KINDS as readonly string[]).includes(kind)) {
      throw new UsageError(`--kind must be ${SANCTION_KINDS.join(' or ')}, not "${kind}"`);
    }
    if (values.until !== undefined && values.days !== undefined) {
      throw new UsageError('give either --until or --days, not both');
    }
    const { doc } = await readDoc(path);
    const timeZone = String(doc.get('timeZone') ?? DEFAULT_TIME_ZONE);
    const now = nowOf(io);
    let until: string | undefined;
    if (typeof values.until === 'string') {
      until = parseDateArg('--until', values.until).text;
    } else if (typeof values.days === 'string') {
      const n = Number(values.days);
      if (!Number.isInteger(n) || n < 1 || n > 3650) {
        throw new InputError(
          `--days "${values.days}" must be a whole number of days from 1 to 3650`,
        );
      }
      until = addDays(dateInZone(now, timeZone), n);
    }
    if (until !== undefined) {
      const end = sanctionEnd(until, timeZone);
      if (end !== null && end <= now) {
        throw new InputError(
          `--until ${until} is already past (${describeInstant(end, timeZone)})`,
        );
      }
    }
    const seq = sanctionsSeq(doc);
    const ids = existingIds(seq);
    const day = dateInZone(now, timeZone).replace(/-/g, '');
    let id: string;
    do id = `s-${day}-${randomBytes(3).toString('hex')}`;
    while (ids.has(id));
    const entry: Record<string, string> = { id, user, scope };
    if (kind !== 'sanction') entry.kind = kind;
    if (until !== undefined) entry.until = until;
    Object.assign(entry, {
      reason,
      issuedBy: by,
      issuedAt: new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    });
    seq.add(doc.createNode(entry));
    const policy = await writeDoc(path, doc);
    io.stdout.write(
      `Added ${id}: ${scope} access withdrawn for ${user}, ${describeEnd({ until }, policy.timeZone)}.\n` +
        `Sign and publish ${path} to apply it (serial is ${policy.serial}; raise it before signing).\n`,
    );
  },
};

const liftCommand: Command = {
  name: 'sanction lift',
  summary: 'remove a sanction by its id',
  usage: `classlock-admin sanction lift --policy policy.yaml --id ID

Removes the sanction from policy.yaml (comments are kept); sign and publish to apply.`,
  options: { policy: { type: 'string' }, id: { type: 'string' } },
  async run(values, _pos, io) {
    const path = requireString(values, 'policy');
    const id = requireString(values, 'id');
    const { doc } = await readDoc(path);
    const seq = doc.get('sanctions', true);
    const index = isSeq(seq)
      ? seq.items.findIndex((it) => isMap(it) && String(it.get('id')) === id)
      : -1;
    if (!isSeq(seq) || index < 0) {
      const ids = isSeq(seq) ? [...existingIds(seq)] : [];
      throw new InputError(
        `${path} has no sanction with id "${id}"${ids.length ? ` (ids: ${ids.slice(0, 20).join(', ')}${ids.length > 20 ? ', …' : ''})` : ''}`,
      );
    }
    const lifted = seq.items[index];
    const user = isMap(lifted) ? String(lifted.get('user')) : '';
    seq.items.splice(index, 1);
    await writeDoc(path, doc);
    io.stdout.write(`Lifted ${id} (${user}). Sign and publish ${path} to apply it.\n`);
  },
};

const listCommand: Command = {
  name: 'sanction list',
  summary: 'list sanctions, optionally only those active at a time',
  usage: `classlock-admin sanction list --policy policy.yaml [--active] [--at DATE]

With --active, only sanctions in force now (or at --at DATE). Each line gives the exact
instant access returns.`,
  options: { policy: { type: 'string' }, active: { type: 'boolean' }, at: { type: 'string' } },
  async run(values, _pos, io) {
    const path = requireString(values, 'policy');
    const policy = await loadPolicyYaml(path);
    const at = atArg(values, policy.timeZone, io);
    const rows = policy.sanctions.filter(
      (s) => !values.active || activeAt(sanctionEnd(s.until, policy.timeZone), at),
    );
    if (rows.length === 0) {
      io.stdout.write(values.active ? 'No sanctions are active.\n' : 'No sanctions.\n');
      return;
    }
    for (const s of rows) {
      const what = s.kind === 'parentalOptOut' ? `${s.scope} (parental opt-out)` : s.scope;
      io.stdout.write(
        `${s.id}  ${s.user}  ${what}  ${describeEnd(s, policy.timeZone)}\n    reason: ${s.reason}  (by ${s.issuedBy}, ${s.issuedAt})\n`,
      );
    }
  },
};

export const sanctionCommands: Command[] = [addCommand, liftCommand, listCommand];
