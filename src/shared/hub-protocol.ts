import { z } from 'zod';

/**
 * The wire between a terminal's machine service (through `src/service/hub-link`) and the
 * school's hub. JSON over HTTP(S). Every request after enrolment is signed with the
 * terminal's Ed25519 key (see `HUB_SIGNATURE_HEADERS`), so nothing a pupil can run on the
 * PC, which cannot read the key, can post or ask anything.
 *
 * Events carry only what a school needs to act: names of people, agreement versions,
 * methods, serials. Never a password, a PIN, a screenshot or a web address.
 */
export const HUB_PROTOCOL = 'classlock-hub/1';

export const HUB_SIGNATURE_HEADERS = {
  terminal: 'x-classlock-terminal',
  time: 'x-classlock-time',
  nonce: 'x-classlock-nonce',
  signature: 'x-classlock-signature',
} as const;

/** How far a request's time may be from the hub's clock before it is refused (replay window). */
export const HUB_SIGNATURE_WINDOW_MS = 5 * 60_000;

/** The bytes a terminal signs: method, path (with query), time, nonce, SHA-256 of the body. */
export function signedText(
  method: string,
  path: string,
  time: string,
  nonce: string,
  bodySha256Hex: string,
): string {
  return [HUB_PROTOCOL, method.toUpperCase(), path, time, nonce, bodySha256Hex].join('\n');
}

const person = z.string().trim().min(1).max(256);
const shortText = z.string().max(300);

const base = {
  /** Made by the terminal when the event happens: the hub keeps the first copy it sees. */
  id: z.uuid(),
  at: z.iso.datetime({ offset: true }),
};

export const HubEventSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    ...base,
    kind: z.literal('acceptance'),
    person,
    agreementId: z.string().min(1).max(100),
    version: z.string().min(1).max(50),
    textHash: z.string().min(1).max(128),
    typedName: z.string().max(200).optional(),
  }),
  z.strictObject({
    ...base,
    kind: z.literal('lock'),
    person: person.optional(),
    reason: z.enum(['idle', 'lockNow', 'osLocked', 'suspend', 'other']),
  }),
  z.strictObject({
    ...base,
    kind: z.literal('unlock'),
    person: person.optional(),
    method: z.enum(['password', 'pin', 'directory', 'override', 'os', 'other']),
  }),
  z.strictObject({
    ...base,
    kind: z.literal('unlockFailed'),
    person: person.optional(),
    method: z.enum(['password', 'pin', 'directory', 'override', 'os', 'other']),
  }),
  z.strictObject({ ...base, kind: z.literal('overrideUsed'), person: person.optional() }),
  z.strictObject({ ...base, kind: z.literal('concernRaised'), person: person.optional() }),
  z.strictObject({
    ...base,
    kind: z.literal('concernHandled'),
    concernId: z.uuid(),
    handledBy: person,
  }),
  z.strictObject({
    ...base,
    kind: z.enum(['sanctionApplied', 'sanctionLifted', 'sanctionFailed']),
    person,
    sanctionId: z.string().min(1).max(100),
    scope: z.enum(['internet', 'network']),
    error: shortText.optional(),
  }),
  z.strictObject({
    ...base,
    kind: z.enum(['policyInForce', 'policyStale', 'policyRejected']),
    serial: z.number().int().min(0),
    problem: shortText.optional(),
  }),
  z.strictObject({ ...base, kind: z.literal('clientMissing'), person: person.optional() }),
  z.strictObject({
    ...base,
    kind: z.literal('pinEnrolled'),
    person,
    role: z.string().min(1).max(50),
    /** scrypt$N$r$p$salt$hash: the hub syncs it to every terminal of the school. */
    hash: z.string().startsWith('scrypt$').max(300),
  }),
  z.strictObject({
    ...base,
    kind: z.literal('heartbeat'),
    serial: z.number().int().min(0),
    enforcement: shortText,
    versions: z.record(z.string().max(40), z.string().max(60)).optional(),
    /** How many low-value events the outbox dropped because it was full (since it started counting). */
    outboxDropped: z.number().int().min(0).optional(),
  }),
]);
export type HubEvent = z.infer<typeof HubEventSchema>;
export type HubEventKind = HubEvent['kind'];

/** Kinds a full outbox may drop, cheapest first. Everything else is kept whatever the size. */
export const LOW_VALUE_KINDS: readonly HubEventKind[] = ['heartbeat', 'lock', 'unlock'];

export const EnrolRequestSchema = z.strictObject({
  school: z.string().trim().min(1).max(100),
  machineId: z.string().trim().min(1).max(200),
  hostname: z.string().max(255).optional(),
  /** SPKI PEM of the terminal's Ed25519 public key; the request is also signed by it. */
  publicKey: z.string().min(40).max(400),
  secret: z.string().min(16).max(500),
});
export type EnrolRequest = z.infer<typeof EnrolRequestSchema>;
export const EnrolResponseSchema = z.object({ terminalId: z.uuid(), school: z.string() });

export const EventBatchSchema = z.object({ events: z.array(z.unknown()).min(1).max(1000) });
export const EventBatchResponseSchema = z.object({
  /** Ids stored now or before: the terminal may forget them. */
  accepted: z.array(z.string()),
  /** Events the hub will never take (malformed), with why: the terminal drops them too. */
  rejected: z.array(z.object({ id: z.string().nullable(), problem: z.string() })),
});

export const AcceptanceQuestionSchema = z.strictObject({
  person,
  agreementId: z.string().min(1).max(100),
  version: z.string().min(1).max(50),
  textHash: z.string().min(1).max(128),
});
export type AcceptanceQuestion = z.infer<typeof AcceptanceQuestionSchema>;
export const AcceptanceAnswerSchema = z.object({
  accepted: z.boolean(),
  at: z.string().nullable(),
});

export const PinEntrySchema = z.object({
  person: z.string(),
  role: z.string(),
  hash: z.string().startsWith('scrypt$'),
  setAt: z.string(),
});
export type PinEntry = z.infer<typeof PinEntrySchema>;
export const PinListSchema = z.object({
  revision: z.number().int(),
  pins: z.array(PinEntrySchema),
});
export type PinList = z.infer<typeof PinListSchema>;

export const ConcernStatusSchema = z.object({
  id: z.string(),
  /** Who was told, in words for the hidden screen ("the safeguarding lead (dsl@school)"). */
  told: z.array(z.string()),
  notifiedAt: z.string().nullable(),
  handledAt: z.string().nullable(),
  handledBy: z.string().nullable(),
});
export type ConcernStatus = z.infer<typeof ConcernStatusSchema>;

/** Everyone is matched the way the terminal's sanctions are: case-insensitively. */
export function personKey(p: string): string {
  return p.trim().normalize('NFC').toLowerCase();
}
