import { z } from 'zod';
import { PolicySchema } from '../core/policy/schema';
import type { Command } from './cli-support';

/**
 * The policy's JSON Schema, made from the same zod schema the terminals check against, so
 * an editor can underline a misspelt field or a wrong value while IT types policy.yaml.
 * It describes the file as written (defaults make fields optional); rules that span
 * fields (a default profile that exists, unique sanction ids) are checked by `validate`.
 */
export function policyJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(PolicySchema, { io: 'input', unrepresentable: 'any' });
  return {
    ...schema,
    title: 'Classlock policy',
    description:
      'The policy IT writes as policy.yaml and signs with classlock-admin sign. classlock-admin validate checks the rules this schema cannot express.',
  };
}

export const schemaCommand: Command = {
  name: 'schema',
  summary: "print the policy's JSON Schema, for an editor's completion and checks",
  usage: `classlock-admin schema > policy.schema.json

Prints the JSON Schema of policy.yaml. Save it beside the policy and put this first line
in policy.yaml so an editor with YAML support (for example VS Code's YAML extension)
completes field names and underlines mistakes as you type:

  # yaml-language-server: $schema=./policy.schema.json`,
  options: {},
  run(_values, _positionals, io) {
    io.stdout.write(`${JSON.stringify(policyJsonSchema(), null, 2)}\n`);
    return Promise.resolve();
  },
};
