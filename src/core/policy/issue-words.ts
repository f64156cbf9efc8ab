import type { z } from 'zod';

type RawIssue = z.core.$ZodRawIssue;

const TYPE_WORDS: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a section (key: value lines)',
  date: 'a date',
  null: 'empty',
  undefined: 'missing',
};

function describeInput(input: unknown): string {
  if (input === null) return 'empty';
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'a section';
  if (typeof input === 'string') return `"${input.length > 40 ? `${input.slice(0, 40)}…` : input}"`;
  return String(input);
}

/**
 * Zod's default messages ("Invalid input: expected string, received number") are written
 * for programmers. This per-parse error map rewrites them for the IT technician editing
 * the YAML; messages the schema spells out itself still take precedence.
 */
export function issueInWords(issue: RawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type': {
      if (issue.input === undefined) return 'is missing';
      const want = TYPE_WORDS[issue.expected] ?? issue.expected;
      return `should be ${want}, not ${describeInput(issue.input)}`;
    }
    case 'too_small': {
      const min = String(issue.minimum);
      if (issue.origin === 'array')
        return issue.minimum === 1 ? 'needs at least one entry' : `needs at least ${min} entries`;
      if (issue.origin === 'string')
        return issue.minimum === 1 ? 'must not be empty' : `needs at least ${min} characters`;
      return `must be at least ${min}${issue.inclusive === false ? ' (exclusive)' : ''}`;
    }
    case 'too_big': {
      const max = String(issue.maximum);
      if (issue.origin === 'array') return `has more than ${max} entries`;
      if (issue.origin === 'string') return `is longer than ${max} characters`;
      return `must be at most ${max}`;
    }
    case 'invalid_value':
      return `${describeInput(issue.input)} is not allowed here (use one of: ${issue.values
        .map((v) => String(v))
        .join(', ')})`;
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys
        .map((k) => `"${k}"`)
        .join(', ')} (check the spelling; fields are case-sensitive)`;
    case 'invalid_format':
      return `${describeInput(issue.input)} is not in the expected form (${issue.format})`;
    case 'invalid_union':
      return `${describeInput(issue.input)} is not any of the accepted forms`;
    default:
      return undefined;
  }
}
