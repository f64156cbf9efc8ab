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

/** A policy text the user can open: the monitoring notice. Markdown, like agreements. */
export const NoticeTextSchema = z.object({ id: z.string(), title: z.string(), body: z.string() });

/**
 * "Hide the screen and tell a teacher", present in every View while a pupil may use it:
 * the screens, the tray and the shell's small always-there button all draw from it.
 */
export const HideScreenSchema = z.object({
  /** The key that does it, in words for the pupil ("Ctrl+Alt+H"), when there is one. */
  shortcut: z.string().optional(),
});

const base = {
  locale: z.string().default('en-GB'),
  user: UserSummarySchema,
  hideScreen: HideScreenSchema.optional(),
};

export const ViewSchema = z.discriminatedUnion('screen', [
  /** Nothing to show: windows are hidden and the desktop is in use. */
  z.object({
    screen: z.literal('none'),
    ...base,
    /** The policy's notices the user can open from the tray (id and title). */
    notices: z.array(z.object({ id: z.string(), title: z.string() })).optional(),
  }),
  z.object({
    screen: z.literal('agreement'),
    ...base,
    agreement: z.object({
      id: z.string(),
      version: z.string(),
      title: z.string(),
      body: z.string(),
      /** What is new since the version this user accepted before. */
      changes: z.string().optional(),
      /** Key Stage 1: short promises, each with a picture the renderer draws itself. */
      promises: z.array(z.object({ text: z.string(), picture: z.string() })).optional(),
    }),
    acknowledgement: z.enum(['checkbox', 'typedName']),
    /** Shown with the agreement at sign-in (the monitoring notice). */
    notices: z.array(NoticeTextSchema).optional(),
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
    /** The school and whom to call, for the teacher without a PIN on this computer. */
    organisation: z.object({ name: z.string(), itContact: z.string() }).optional(),
    /** A hidden screen: who looks after worries, from the policy. */
    safeguardingContact: z.string().optional(),
    /** A hidden screen: the person who has actually been told (by the hub), once known. */
    toldWho: z.string().optional(),
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
    /** Network scope, mid-session: the user may go back to save their work until logoffAt. */
    canGoBack: z.boolean().optional(),
  }),
  /** A policy notice opened from the tray. */
  z.object({ screen: z.literal('notice'), ...base, notice: NoticeTextSchema }),
  z.object({
    screen: z.literal('loggingOff'),
    ...base,
    reason: z.enum(['declined', 'sanction', 'idle', 'endOfDay', 'visitorTimeUp', 'endedByStaff']),
  }),
]);
export type View = z.infer<typeof ViewSchema>;
export type Screen = View['screen'];
