import { readFile } from 'node:fs/promises';
import { parsePolicyYaml } from './policy-yaml';
import type { Policy } from './schema';

/** Read and validate a policy YAML file, e.g. the default policy shipped with the app. */
export async function readPolicyYamlFile(path: string): Promise<Policy> {
  const text = await readFile(path, 'utf8');
  const r = parsePolicyYaml(text, path);
  if (!r.ok) throw new Error(`the policy in ${path} is not valid:\n${r.errors.join('\n')}`);
  return r.policy;
}
