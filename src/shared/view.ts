import { z } from 'zod';

/**
 * What a Classlock window shows. The core decides it; the renderer only draws it. Texts
 * that come from the school's policy (agreements, rules, reasons) arrive already chosen
 * for the user's locale; the product's own words are message keys the renderer looks up.
 */

export const RoleNameSchema = z.enum(['pupil', 'staff', 'visitor']);
export const UnlockMethodNameSchema = z.enum(['pin', 'ldap', 'override']);

/** A product message: a key in the renderer's catalogue plus its parameters. */
export const MessageSchema = z.object({
  key: z.string(),
  params: z.record(z.string(), z.union([z.string(), z.number()])).default({}),
});
export type Message = z.infer<typeof MessageSchema>;

export const UserSummarySchema = z.object({
  /** As the OS reported it, e.g. SCHOOL\\jsmith. */
  account: z.string(),
  /** Shown on the lock screen, e.g. "jsmith". */
  displayName: z.string(),
  role: RoleNameSchema,
});

const base = { locale: z.string().default('en-GB'), user: UserSummarySchema };

export const ViewSchema = z.discriminatedUnion('screen', [
  /** Nothing to show: windows are hidden and the desktop is in use. */
  z.object({ screen: z.literal('none'), ...base }),
  z.object({
    screen: z.literal('agreement'),
    ...base,
    agreement: z.object({
      id: z.string(),
      version: z.string(),
      title: z.string(),
      body: z.string(),
    }),
    acknowledgement: z.enum(['checkbox', 'typedName']),
    /** The user pressed "I don't agree" once: ask again before logging off. */
    confirmingDecline: z.boolean(),
    /** 1-based position among the agreements due now. */
    position: z.number().int(),
    count: z.number().int(),
    error: MessageSchema.optional(),
  }),
  z.object({
    screen: z.literal('pinEnrol'),
    ...base,
    rules: z.object({
      minLength: z.number(),
      maxLength: z.number(),
      requireLetter: z.boolean(),
      requireDigit: z.boolean(),
      requireSymbol: z.boolean(),
    }),
    error: MessageSchema.optional(),
  }),
  z.object({
    screen: z.literal('warning'),
    ...base,
    /** Epoch ms at which the lock happens unless there is input. */
    lockAt: z.number(),
    secondsLeft: z.number().int(),
    canHideScreen: z.boolean(),
  }),
  /** The school day ends soon: the session will be signed out at logoffAt. */
  z.object({
    screen: z.literal('endOfDay'),
    ...base,
    logoffAt: z.number(),
    secondsLeft: z.number().int(),
  }),
  z.object({
    screen: z.literal('locked'),
    ...base,
    /** ISO instant the session locked. */
    since: z.string(),
    rules: z.array(z.string()),
    methods: z.array(UnlockMethodNameSchema),
    /** Chosen for the user when the method they tried could not be checked (directory down). */
    suggestedMethod: UnlockMethodNameSchema.optional(),
    /** Epoch ms before which no attempt is accepted (growing wait after failures). */
    waitUntil: z.number().optional(),
    failedAttempts: z.number().int(),
    message: MessageSchema.optional(),
    /** Epoch ms at which the session will be logged off, when it will be. */
    logoffAt: z.number().optional(),
    /** Why then: a pupil's session left locked too long, or the school day ends. */
    logoffReason: z.enum(['idle', 'endOfDay']).optional(),
    /** Who may unlock: the session's owner, or staff ending / resuming it for them. */
    unlockBy: z.enum(['owner', 'staff']),
    canEndSession: z.boolean(),
    reason: z.enum(['idle', 'lockNow', 'suspend', 'concern', 'visitorAuthorisation']),
  }),
  z.object({
    screen: z.literal('blocked'),
    ...base,
    scope: z.enum(['internet', 'network']),
    kind: z.enum(['sanction', 'parentalOptOut']),
    reason: z.string(),
    /** ISO instant access returns, or null for "until a member of staff lifts it". */
    until: z.string().nullable(),
    contact: z.string(),
    /** Network scope: epoch ms of the logoff. Internet scope: absent (the user may continue). */
    logoffAt: z.number().optional(),
    /** Network scope: whole seconds until the logoff, refreshed every second by the core. */
    secondsLeft: z.number().int().optional(),
  }),
  z.object({
    screen: z.literal('loggingOff'),
    ...base,
    reason: z.enum(['declined', 'sanction', 'idle', 'endOfDay', 'visitorTimeUp', 'endedByStaff']),
  }),
]);
export type View = z.infer<typeof ViewSchema>;
export type Screen = View['screen'];
