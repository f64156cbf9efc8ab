import { z } from 'zod';
import { IntentSchema } from './intents';
import { ViewSchema } from './view';

/**
 * The whole surface between a session's client (the Electron app, running as the user)
 * and the machine service classlockd (root / SYSTEM). One JSON object per line over a
 * Unix socket (Linux) or a named pipe (Windows). The service learns who is asking from
 * the OS (SO_PEERCRED, the pipe client's token), never from anything in these messages:
 * nothing here names a user, a role or a session.
 *
 * Requests carry an `id`; the service answers each with a Response of the same id.
 * The service also pushes messages (no id) when something changes: a new View, a status.
 */
export const SERVICE_PROTOCOL = 'classlockd/1';
/** Longest line either side accepts; a longer one closes the connection. */
export const SERVICE_MAX_LINE = 64 * 1024;

export const DEFAULT_SERVICE_SOCKET = {
  linux: '/run/classlock/classlockd.sock',
  win32: '\\\\.\\pipe\\classlockd',
} as const;

const id = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/** Problems the client can see and the service cannot (shown in the tray, audited, in the self-test). */
export const ShellReportSchema = z.object({
  idleSource: z.enum(['ok', 'unavailable']).optional(),
  hotkeys: z
    .array(z.object({ accelerator: z.string().max(60), registered: z.boolean() }))
    .max(8)
    .optional(),
  tray: z.enum(['shown', 'unavailable']).optional(),
  problems: z.array(z.string().max(300)).max(16).optional(),
});

export const ServiceRequestSchema = z.discriminatedUnion('type', [
  /** First message of a connection: attach this client to its user's desktop session. */
  z.object({
    id,
    type: z.literal('hello'),
    protocol: z.literal(SERVICE_PROTOCOL),
    clientVersion: z.string().max(64),
    /** The user's interface language as the desktop reports it (e.g. cy-GB). A preference only. */
    locale: z.string().max(35).optional(),
  }),
  z.object({ id, type: z.literal('intent'), intent: IntentSchema }),
  /** OS idle seconds, once a second: also the tick that drives countdowns. */
  z.object({ id, type: z.literal('idle'), seconds: z.number().min(0).max(1e9) }),
  z.object({ id, type: z.literal('power'), event: z.enum(['suspend', 'resume', 'osLocked']) }),
  z.object({ id, type: z.literal('lockNow') }),
  z.object({ id, type: z.literal('hideScreen') }),
  z.object({ id, type: z.literal('displaysChanged') }),
  z.object({ id, type: z.literal('shellReport'), report: ShellReportSchema }),
  /** Health for the tray and `classlock-admin doctor`; any local user may ask. */
  z.object({ id, type: z.literal('status') }),
]);
export type ServiceRequest = z.infer<typeof ServiceRequestSchema>;

export const ServiceStatusSchema = z.object({
  version: z.string(),
  machineId: z.string(),
  startedAt: z.string(),
  policy: z.object({
    serial: z.number().int(),
    origin: z.string(),
    source: z.string(),
    issuedAt: z.string().nullable(),
    expires: z.string().nullable(),
    stale: z.boolean(),
    /** The last reason a fetched policy was not taken, in words for IT. */
    problem: z.string().optional(),
  }),
  /** The trusted-time floor (ISO): sanctions are judged against max(clock, floor). */
  timeFloor: z.string().nullable(),
  enforcement: z.object({ describe: z.string(), error: z.string().optional() }),
  hub: z.object({
    url: z.string().nullable(),
    enrolled: z.boolean(),
    lastContact: z.string().nullable(),
    problem: z.string().optional(),
  }),
  /** Shortcuts the client registers (from the machine config; empty: the client's default). */
  hotkeys: z.object({ lockNow: z.string(), hideScreen: z.string() }),
  /** The asking client's own session, once it has said hello: what its tray shows. */
  session: z
    .object({
      account: z.string(),
      rules: z.array(z.string()),
      /** The policy lets a timer stand in for a missing idle clock. */
      lockWithoutIdleSource: z.boolean(),
      restriction: z.enum(['internet', 'network']).optional(),
      enforcementError: z.string().optional(),
    })
    .optional(),
});
export type ServiceStatus = z.infer<typeof ServiceStatusSchema>;

export const ServiceResponseSchema = z.union([
  z.object({
    id,
    ok: z.literal(true),
    view: ViewSchema.optional(),
    status: ServiceStatusSchema.optional(),
  }),
  z.object({ id, ok: z.literal(false), error: z.string() }),
]);
export type ServiceResponse = z.infer<typeof ServiceResponseSchema>;

export const ServicePushSchema = z.discriminatedUnion('push', [
  z.object({ push: z.literal('view'), view: ViewSchema }),
  z.object({ push: z.literal('status'), status: ServiceStatusSchema }),
]);
export type ServicePush = z.infer<typeof ServicePushSchema>;
