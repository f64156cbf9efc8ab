import { isMap, isPair, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { issueInWords } from './issue-words';
import { checkSanctionList } from './sanction-check';
import { PolicySchema, type Policy } from './schema';

export type PolicyYamlResult = { ok: true; policy: Policy } | { ok: false; errors: string[] };

type Path = readonly PropertyKey[];

/** `sanctions[3].until`, the way IT reads a location in their file. */
export function formatPath(path: Path): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${String(seg)}` : String(seg);
  }
  return out || '(the whole file)';
}

const YAML_PROBLEMS: Record<string, string> = {
  DUPLICATE_KEY: 'the same field appears twice in one section; keep only one',
  BAD_INDENT: 'the indentation is wrong',
  TAB_AS_INDENT: 'a tab is used for indentation; use spaces',
  MISSING_CHAR: 'a closing bracket or quote is missing',
  BLOCK_AS_IMPLICIT_KEY: 'a line looks like a field name but is not followed by a colon',
  MULTILINE_IMPLICIT_KEY: 'a field name runs over more than one line (is a colon missing?)',
  UNEXPECTED_TOKEN: 'unexpected text',
  ALIAS_PROPS: 'an alias cannot have a tag or anchor',
  BAD_ALIAS: 'an alias (*name) refers to no anchor',
  DUPLICATE_ANCHOR: 'the same anchor (&name) is defined twice',
};

/** Line of the node at `path`, or of its nearest ancestor that exists in the file. */
function lineOf(doc: Document, lc: LineCounter, path: Path, key?: string): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n) as unknown[], true) as
      { range?: [number, number, number] } | undefined;
    if (!node?.range) continue;
    if (key !== undefined && n === path.length && isMap(node)) {
      const pair = node.items.find(
        (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === key,
      );
      const keyNode = pair?.key as { range?: [number, number, number] } | undefined;
      if (keyNode?.range) return lc.linePos(keyNode.range[0]).line;
    }
    return lc.linePos(node.range[0]).line;
  }
  return undefined;
}

function issueLines(doc: Document, lc: LineCounter, issues: z.core.$ZodIssue[]): string[] {
  const out: string[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      // One line per unknown field, each pointing at the field itself.
      for (const key of issue.keys) {
        const line = lineOf(doc, lc, issue.path, key);
        out.push(
          `${formatPath([...issue.path, key])}: unknown field (check the spelling; fields are case-sensitive)${line ? ` (line ${line})` : ''}`,
        );
      }
      continue;
    }
    const line = lineOf(doc, lc, issue.path);
    out.push(`${formatPath(issue.path)}: ${issue.message}${line ? ` (line ${line})` : ''}`);
  }
  return out;
}

/**
 * The sanction list by hand and the rest through zod: the same answer as
 * `PolicySchema.safeParse` for a good policy, several times sooner for a long list.
 * Undefined when anything is wrong, so that zod can say what.
 */
export function fastValidatePolicy(data: unknown): Policy | undefined {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return undefined;
  const sanctions = checkSanctionList((data as { sanctions?: unknown }).sanctions);
  if (sanctions === undefined) return undefined;
  const rest = PolicySchema.safeParse({ ...data, sanctions: [] });
  return rest.success ? { ...rest.data, sanctions } : undefined;
}

/** Validate already-parsed policy data (e.g. a signed payload) and word the problems. */
export function validatePolicyData(
  data: unknown,
): { ok: true; policy: Policy } | { ok: false; issues: { path: string; message: string }[] } {
  const fast = fastValidatePolicy(data);
  if (fast) return { ok: true, policy: fast };
  // Word the issues only when there are some: reportInput costs time on large policies.
  const r = PolicySchema.safeParse(data, { error: issueInWords, reportInput: true });
  if (r.success) return { ok: true, policy: r.data };
  return {
    ok: false,
    issues: r.error.issues.map((i) => ({
      path:
        i.code === 'unrecognized_keys'
          ? formatPath([...i.path, ...(i.keys.length === 1 ? i.keys : [])])
          : formatPath(i.path),
      message: i.message,
    })),
  };
}

/**
 * Parse IT's policy.yaml. Every problem names the place in the file and its line, e.g.
 * `sanctions[3].until: "31/12" is not a date (…) (line 88)`. Duplicate fields are refused
 * rather than the last one silently winning.
 */
export function parsePolicyYaml(text: string, source?: string): PolicyYamlResult {
  const where = source ? `${source}: ` : '';
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: doc.errors.map((e) => {
        const pos = lc.linePos(e.pos[0]);
        const plain = YAML_PROBLEMS[e.code];
        // Keep the parser's own words too where ours are only a hint at the cause.
        const words = !plain
          ? e.message
          : e.code === 'DUPLICATE_KEY' || e.code === 'TAB_AS_INDENT'
            ? plain
            : `${plain} (${e.message})`;
        return `${where}line ${pos.line}, column ${pos.col}: ${words}`;
      }),
    };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    return { ok: false, errors: [`${where}${(err as Error).message}`] };
  }
  if (data === null || data === undefined) {
    return { ok: false, errors: [`${where}the file is empty`] };
  }
  const r = PolicySchema.safeParse(data, { error: issueInWords, reportInput: true });
  if (r.success) return { ok: true, policy: r.data };
  return { ok: false, errors: issueLines(doc, lc, r.error.issues).map((l) => where + l) };
}
