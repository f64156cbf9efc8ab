import { fileURLToPath } from 'node:url';
import { readPolicyYamlFile } from '../core/policy/policy-file';
import { RoleSchema } from '../core/policy/schema';
import { createLogger } from '../log/pino-logger';
import { startPreview } from './preview-server';

/**
 * `npm start` on a machine where Electron's binary is missing (it downloads from GitHub on
 * first run): the same screens and core in the system browser, with the embedded policy.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const role = RoleSchema.catch('pupil').parse(process.env.CLASSLOCK_PREVIEW_ROLE ?? 'pupil');
const policy = await readPolicyYamlFile(`${root}/resources/default-policy.yaml`).catch(
  (err: unknown) => {
    console.error(`The embedded ${(err as Error).message}`);
    process.exit(1);
  },
);
const server = await startPreview({
  policy,
  role,
  rendererDir: `${root}/dist/renderer`,
  port: Number(process.env.PORT ?? 0),
  log: createLogger({ name: 'classlock-preview' }),
});
console.log(`Classlock (${role} session, embedded policy) is at ${server.url}`);
console.log(`Buttons to go idle, lock, and withdraw access are at ${server.controlsUrl}`);
console.log('Press Ctrl+C to stop.');
