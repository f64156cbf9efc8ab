import { fileURLToPath } from 'node:url';
import { RoleSchema } from '../core/policy/schema';
import { createLogger } from '../log/pino-logger';
import { startPreview } from '../preview/preview-server';
import { InputError, onePositional, UsageError, type Command } from './cli-support';
import { loadPolicyYaml } from './policy-commands';

/** The package root, from src/admin (tsx) or dist/admin (built). */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export const previewCommand: Command = {
  name: 'preview',
  summary: 'show a policy on the real screens, on this computer only, before publishing it',
  usage: `classlock-admin preview policy.yaml [--role pupil|staff|visitor] [--locale L] [--port N]

Serves the real Classlock screens, with the policy's session behind them, on 127.0.0.1,
and prints the address to open in a browser plus a page of buttons to go idle, lock, and
withdraw access. Nothing is published and no one is logged off. Ctrl+C stops it.`,
  options: { role: { type: 'string' }, locale: { type: 'string' }, port: { type: 'string' } },
  async run(values, positionals, io) {
    const path = onePositional(positionals, 'the policy.yaml to preview');
    const role = RoleSchema.safeParse(values.role ?? 'pupil');
    if (!role.success)
      throw new UsageError(`--role must be pupil, staff or visitor, not "${String(values.role)}"`);
    const port = values.port === undefined ? 0 : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new UsageError(`--port must be a port number, not "${String(values.port)}"`);
    const policy = await loadPolicyYaml(path);
    let server;
    try {
      server = await startPreview({
        policy,
        role: role.data,
        rendererDir: `${ROOT}/dist/renderer`,
        port,
        log: createLogger({ name: 'classlock-preview' }),
        ...(typeof values.locale === 'string' ? { locale: values.locale } : {}),
      });
    } catch (err) {
      throw new InputError(err instanceof Error ? err.message : String(err));
    }
    io.stdout.write(
      `Previewing ${path} as a ${role.data}: open ${server.url}\nControls (go idle, lock, withdraw access): ${server.controlsUrl}\nPress Ctrl+C to stop.\n`,
    );
    const running = server;
    await new Promise<void>((resolve) => {
      const stop = () => void running.close().then(resolve);
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      if (process.env.CLASSLOCK_PREVIEW_SECONDS)
        setTimeout(stop, Number(process.env.CLASSLOCK_PREVIEW_SECONDS) * 1000).unref();
    });
  },
};
