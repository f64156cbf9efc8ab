import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { systemClock, type Clock } from '../core/clock';
import type { LdapMachineOptions } from '../core/unlock/ldap-verifier';
import { ConcernNotifier, type NotifyOptions } from './notify/concern-notifier';
import { purgeExpired } from './privacy';
import { StaffAuth, type StaffDirectory } from './staff/staff-auth';
import { registerStaffRoutes } from './staff/staff-routes';
import { migrate } from './store/migrations';
import type { Store } from './store/store';
import { purgeOldNonces, registerTerminalRoutes } from './terminal/terminal-routes';

export interface HubOptions {
  store: Store;
  clock?: Clock;
  notify?: NotifyOptions;
  directory?: StaffDirectory;
  ldapMachine?: LdapMachineOptions;
  /** HTTPS: the certificate and key (PEM). Without them the hub speaks HTTP (loopback, dev). */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** The built dashboard (dist/hub-dashboard); absent: the API only. */
  dashboardDir?: string;
  log?: (msg: string) => void;
  /** Housekeeping (nonces, retention) interval; the purge itself runs once a day. */
  housekeepingEveryMs?: number;
}

export interface Hub {
  app: FastifyInstance;
  notifier: ConcernNotifier;
  /** Runs the retention purge now (it also runs daily by itself). */
  purge(): Promise<number>;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
};

/**
 * Builds a hub over a store: migrates it, then serves terminals, staff and the dashboard.
 * Nothing that matters is kept in the process (sessions, nonces and notification claims
 * are in the database), so any number of processes can share one PostgreSQL.
 */
export async function createHub(opts: HubOptions): Promise<Hub> {
  const clock = opts.clock ?? systemClock;
  const log = opts.log ?? (() => undefined);
  await migrate(opts.store);
  const app = Fastify({
    logger: false,
    bodyLimit: 4 * 1024 * 1024,
    ...(opts.tls ? { https: { cert: opts.tls.cert, key: opts.tls.key } } : {}),
  }) as unknown as FastifyInstance;

  // Terminals sign the exact bytes they send, so the body is kept as received.
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    req.rawBody = body as Buffer;
    if ((body as Buffer).length === 0) return done(null, undefined);
    try {
      done(null, JSON.parse((body as Buffer).toString('utf8')));
    } catch {
      const err = new Error('The request body is not JSON.') as Error & { statusCode: number };
      err.statusCode = 400;
      done(err, undefined);
    }
  });
  app.setErrorHandler((err: Error & { statusCode?: number }, _req, reply) => {
    const code = err.statusCode && err.statusCode < 500 ? err.statusCode : 500;
    if (code === 500) log(`hub error: ${err.message}`);
    reply
      .code(code)
      .send({ error: code === 500 ? 'The hub could not do that (see its log).' : err.message });
  });
  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
    reply.header(
      'content-security-policy',
      "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
    reply.header('cache-control', 'no-store');
    if (opts.tls) reply.header('strict-transport-security', 'max-age=31536000');
    return payload;
  });

  const notifier = new ConcernNotifier(opts.store, opts.notify ?? {}, log);
  const auth = new StaffAuth(opts.store, clock, opts.directory, !!opts.tls, opts.ldapMachine);

  app.get('/healthz', async (_req, reply) => {
    try {
      await opts.store.query('SELECT 1 FROM schema_migrations LIMIT 1');
      return { ok: true, store: opts.store.kind };
    } catch (err) {
      return reply
        .code(503)
        .send({ ok: false, problem: `the store cannot be used: ${(err as Error).message}` });
    }
  });

  registerTerminalRoutes(app, {
    store: opts.store,
    clock,
    onNewConcerns: () => void notifier.kick(),
  });
  registerStaffRoutes(app, { store: opts.store, clock, auth });

  if (opts.dashboardDir && existsSync(opts.dashboardDir)) {
    const root = resolve(opts.dashboardDir);
    app.get('/*', async (req, reply) => {
      const path = decodeURIComponent(new URL(req.url, 'http://hub').pathname);
      const file = normalize(join(root, path === '/' ? 'index.html' : path));
      if (!file.startsWith(root + sep)) return reply.code(404).send({ error: 'Not found.' });
      try {
        const body = await readFile(file);
        return reply.type(TYPES[extname(file)] ?? 'application/octet-stream').send(body);
      } catch {
        return reply.code(404).send({ error: 'Not found.' });
      }
    });
  }

  let lastPurge = 0;
  const purge = (): Promise<number> => purgeExpired(opts.store, clock.now());
  const housekeeping = setInterval(() => {
    void (async () => {
      await purgeOldNonces(opts.store, clock.now());
      if (clock.now() - lastPurge >= 86_400_000) {
        lastPurge = clock.now();
        const n = await purge();
        if (n) log(`retention: removed ${n} events past their time`);
      }
    })().catch((err: Error) => log(`housekeeping: ${err.message}`));
  }, opts.housekeepingEveryMs ?? 60_000);
  housekeeping.unref();
  notifier.start();

  return {
    app,
    notifier,
    purge,
    async close() {
      clearInterval(housekeeping);
      await app.close();
      await notifier.stop();
    },
  };
}
