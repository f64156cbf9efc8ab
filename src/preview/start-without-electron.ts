import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parsePolicyYaml } from '../core/policy/policy-yaml';
import { RoleSchema } from '../core/policy/schema';
import { startPreview } from './preview-server';

/**
 * `npm start` on a machine where Electron's binary is missing (it downloads from GitHub on
 * first run): the same screens and core in the system browser, with the embedded policy.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const role = RoleSchema.catch('pupil').parse(process.env.CLASSLOCK_PREVIEW_ROLE ?? 'pupil');
const text = await readFile(`${root}/resources/default-policy.yaml`, 'utf8');
const parsed = parsePolicyYaml(text, 'resources/default-policy.yaml');
if (!parsed.ok) {
  console.error(`The embedded policy is invalid:\n${parsed.errors.join('\n')}`);
  process.exit(1);
}
const server = await startPreview({
  policy: parsed.policy,
  role,
  rendererDir: `${root}/dist/renderer`,
  port: Number(process.env.PORT ?? 0),
});
console.log(`Classlock (${role} session, embedded policy) is at ${server.url}`);
console.log(`Buttons to go idle, lock, and withdraw access are at ${server.controlsUrl}`);
console.log('Press Ctrl+C to stop.');
