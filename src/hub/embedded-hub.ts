import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { addSchool, setLocalAdmin } from './hub-admin';
import { createHub, type Hub } from './hub-server';
import { openPgliteStore } from './store/pglite-store';

export interface EmbeddedHub {
  /** Base address for the machine service's hub link (loopback). */
  url: string;
  /** The dashboard, for the person trying Classlock. */
  dashboardUrl: string;
  school: string;
  enrolmentSecret: string;
  admin: { username: string; password: string };
  hub: Hub;
  close(): Promise<void>;
}

/**
 * A hub for the preview (`npm start` without Electron): in memory (or in `dataDir`), on
 * 127.0.0.1, one school "preview" and a local admin with a fresh password. The caller
 * starts a HubLink with `url`, `school` and `enrolmentSecret`, and prints `dashboardUrl`
 * and the admin's sign-in.
 */
export async function startEmbeddedHub(
  opts: { dataDir?: string; port?: number; dashboardDir?: string } = {},
): Promise<EmbeddedHub> {
  const store = await openPgliteStore(opts.dataDir);
  const school = 'preview';
  const enrolmentSecret = await addSchool(store, { id: school, name: 'Preview school' });
  const admin = { username: 'admin', password: randomBytes(12).toString('base64url') };
  await setLocalAdmin(store, admin.username, admin.password);
  // From source (the preview runs under tsx): the repo's dist/hub-dashboard, built by `npm run build`.
  const built = fileURLToPath(new URL('../../dist/hub-dashboard/', import.meta.url));
  const dashboardDir = opts.dashboardDir ?? (existsSync(built) ? built : undefined);
  const hub = await createHub({
    store,
    ...(dashboardDir ? { dashboardDir } : {}),
    log: (m) => console.error(`[hub] ${m}`),
  });
  await hub.app.listen({ host: '127.0.0.1', port: opts.port ?? 0 });
  const { port } = hub.app.server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    dashboardUrl: `${url}/`,
    school,
    enrolmentSecret,
    admin,
    hub,
    async close() {
      await hub.close();
      await store.close();
    },
  };
}
