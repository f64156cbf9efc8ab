import { fileURLToPath } from 'node:url';
import { readPolicyYamlFile } from '../core/policy/policy-file';
import { RoleSchema } from '../core/policy/schema';
import { createLogger } from '../log/pino-logger';
import { startEmbeddedHub } from '../hub/embedded-hub';
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
// The school's dashboard too, in memory: what the preview terminal does shows up there.
const hub =
  process.env.CLASSLOCK_PREVIEW_HUB === '0'
    ? undefined
    : await startEmbeddedHub().catch((err: unknown) => {
        console.error(
          `The preview's dashboard could not start (${String(err)}); the screens still work.`,
        );
        return undefined;
      });
const server = await startPreview({
  policy,
  role,
  rendererDir: `${root}/dist/renderer`,
  port: Number(process.env.PORT ?? 0),
  log: createLogger({ name: 'classlock-preview' }),
  ...(hub
    ? { hub: { url: hub.url, school: hub.school, enrolmentSecret: hub.enrolmentSecret } }
    : {}),
});
console.log(`Classlock (${role} session, embedded policy) is at ${server.url}`);
console.log(`Buttons to go idle, lock, and withdraw access are at ${server.controlsUrl}`);
if (hub) {
  console.log(`The school's dashboard is at ${hub.dashboardUrl}`);
  console.log(`Sign in to it as ${hub.admin.username} with the password ${hub.admin.password}`);
}
console.log('Press Ctrl+C to stop.');
const stop = () => {
  // A stuck close must not keep the terminal waiting.
  setTimeout(() => process.exit(0), 3000).unref();
  void server
    .close()
    .then(() => hub?.close())
    .finally(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
