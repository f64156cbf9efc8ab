import { z } from 'zod';
import { globProblem } from '../identity/glob';
import { PICTURES } from '../../shared/pictures';

/**
 * The policy payload IT writes as YAML and signs. Every field a terminal obeys is here;
 * anything not listed is refused (strict objects) so a typo in IT's file is reported
 * instead of silently ignored.
 */

export const ROLES = ['pupil', 'staff', 'visitor'] as const;
export const RoleSchema = z.enum(ROLES);
export type Role = z.infer<typeof RoleSchema>;

const nonEmpty = z.string().trim().min(1, 'must not be empty');

/** A `*` / `?` name pattern (user names, hostnames), bounded so matching stays cheap. */
const GlobSchema = nonEmpty.superRefine((pattern, ctx) => {
  const problem = globProblem(pattern);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** Full ISO 8601 instant with a time zone, e.g. 2026-11-22T09:00:00Z. */
export const InstantSchema = z.iso.datetime({
  offset: true,
  message: 'is not a date and time (use 2026-12-04T08:00:00Z)',
});

/** A date (2026-12-04, start of that day in the policy's time zone) or a full instant. */
export const DateOrInstantSchema = z.union(
  [z.iso.date({ message: 'is not a date' }), InstantSchema],
  {
    error: (issue) =>
      `"${String(issue.input)}" is not a date (use 2026-12-04 or 2026-12-04T08:00:00Z)`,
  },
);

export const LocaleTextSchema = z.strictObject({ title: nonEmpty, body: nonEmpty });

// ---- Screens (issue 11): pictures for the youngest, what changed, audiences -------------

export const PictureSchema = z.enum(PICTURES, {
  error: () => `is not a picture Classlock can draw (use one of: ${PICTURES.join(', ')})`,
});

/** One short promise with its picture, for five- and six-year-olds. */
export const PromiseSchema = z.strictObject({
  text: nonEmpty.max(80, 'keep a promise short: at most 80 characters'),
  picture: PictureSchema,
});

/** An agreement's translation: the same shape as its own texts. */
export const AgreementLocaleTextSchema = LocaleTextSchema.extend({
  changes: nonEmpty.optional(),
  /** The promises in the same order as the agreement's own; the pictures stay the same. */
  promises: z.array(nonEmpty.max(80)).max(6).optional(),
});

/** A label a role rule gives its users (e.g. ks1), so agreements can be written for them. */
export const AudienceSchema = nonEmpty.regex(
  /^[a-z0-9][a-z0-9-]*$/,
  'use lower-case letters, digits and dashes',
);
// ---- end of the screens block -----------------------------------------------------------

export const AgreementSchema = z.strictObject({
  id: nonEmpty.regex(/^[a-z0-9][a-z0-9-]*$/, 'use lower-case letters, digits and dashes'),
  roles: z.array(RoleSchema).min(1),
  version: z.union([z.number().int().positive(), nonEmpty]).transform(String),
  title: nonEmpty,
  /** Markdown. Rendered without raw HTML. */
  body: nonEmpty,
  /** Translations by BCP 47 tag, e.g. cy. */
  locales: z.record(z.string(), AgreementLocaleTextSchema).default({}),
  acknowledgement: z.enum(['checkbox', 'typedName']),
  /** Ask again after this many days even if the version has not changed. */
  reacceptDays: z.number().int().positive().optional(),
  /** Shown to someone who accepted an earlier version: what is different in this one. */
  changes: nonEmpty.optional(),
  /**
   * For the users a role rule gives this audience, instead of their role's agreements
   * without one (e.g. a picture agreement for Key Stage 1).
   */
  audience: AudienceSchema.optional(),
  /** At most six short promises, each with a picture: the agreement for the youngest. */
  promises: z.array(PromiseSchema).min(1).max(6, 'at most six promises').optional(),
});
export type Agreement = z.infer<typeof AgreementSchema>;

export const RuleSetSchema = z.strictObject({
  role: RoleSchema,
  items: z.array(nonEmpty).min(1),
  locales: z.record(z.string(), z.array(nonEmpty)).default({}),
});

export const RoleRuleSchema = z
  .strictObject({
    role: RoleSchema,
    /** Matches when the user is in any of these OS / directory groups (case-insensitive). */
    groups: z.array(nonEmpty).optional(),
    /** Glob on the bare user name: * and ? only, case-insensitive, e.g. "staff.*". */
    usernamePattern: GlobSchema.optional(),
    /** Users in any OS form (user, DOMAIN\\user, user@domain). */
    users: z.array(nonEmpty).optional(),

    /** Agreements written for this audience replace the role's others (e.g. ks1). */
    audience: AudienceSchema.optional(),
  })
  .refine((r) => r.groups || r.usernamePattern || r.users, {
    message: 'a role rule needs groups, usernamePattern or users',
  });
export type RoleRule = z.infer<typeof RoleRuleSchema>;

export const TimeoutsSchema = z
  .strictObject({
    /** Length of the countdown shown before the lock (0 = no warning): it appears at lockSeconds − warnSeconds of idle. */
    warnSeconds: z.number().int().min(0).max(3600),
    /** Seconds of idle before the lock. */
    lockSeconds: z.number().int().min(10).max(86_400),
    /** Seconds after the lock before the session is logged off (pupils, visitors). */
    logoffAfterLockSeconds: z.number().int().min(30).max(86_400).optional(),
    /**
     * Where the PC cannot tell how long it has been idle (some Wayland desktops), lock
     * lockSeconds after the desktop was last opened instead of never locking for idleness.
     */
    lockWithoutIdleSource: z.boolean().optional(),
  })
  .refine((t) => t.warnSeconds < t.lockSeconds, {
    message: 'warnSeconds must be less than lockSeconds',
  });
export type Timeouts = z.infer<typeof TimeoutsSchema>;

export const ProfileSchema = z.strictObject({
  id: nonEmpty.regex(/^[a-z0-9][a-z0-9-]*$/, 'use lower-case letters, digits and dashes'),
  description: z.string().optional(),
  /** Hostname globs (* and ?), case-insensitive. A machine config naming a profile wins. */
  hostnames: z.array(GlobSchema).default([]),
  timeouts: z.strictObject({
    pupil: TimeoutsSchema,
    staff: TimeoutsSchema,
    visitor: TimeoutsSchema,
  }),
  /** Also lock the operating system session when a staff session locks. */
  lockOsForStaff: z.boolean().default(false),
});
export type Profile = z.infer<typeof ProfileSchema>;

export const UNLOCK_METHODS = ['pin', 'ldap', 'override'] as const;
export const UnlockMethodSchema = z.enum(UNLOCK_METHODS);
export type UnlockMethod = z.infer<typeof UnlockMethodSchema>;

export const PinRulesSchema = z
  .strictObject({
    minLength: z.number().int().min(4).max(64),
    maxLength: z.number().int().min(4).max(128),
    requireLetter: z.boolean().default(true),
    requireDigit: z.boolean().default(true),
    requireSymbol: z.boolean().default(false),
  })
  .refine((p) => p.minLength <= p.maxLength, { message: 'minLength must not exceed maxLength' });
export type PinRules = z.infer<typeof PinRulesSchema>;

export const UnlockSchema = z.strictObject({
  /** Methods per role, tried in the order listed when one is unavailable. */
  methods: z.strictObject({
    staff: z.array(UnlockMethodSchema).min(1),
    pupil: z.array(UnlockMethodSchema).default(['override']),
    visitor: z.array(UnlockMethodSchema).default(['override']),
  }),
  /** May a pupil resume their own locked session (with their directory password)? */
  pupilSelfResume: z.boolean().default(false),
  pin: PinRulesSchema,
  /** Failed attempts allowed before the first wait. */
  freeAttempts: z.number().int().min(1).max(20).default(3),
  /** First wait in seconds; it doubles with each further failure up to maxDelaySeconds. */
  baseDelaySeconds: z.number().int().min(1).max(600).default(5),
  maxDelaySeconds: z.number().int().min(1).max(86_400).default(900),
});

/** scrypt$N$r$p$saltBase64$hashBase64, made by `classlock-admin override-hash`. */
export const ScryptHashSchema = z
  .string()
  .regex(
    /^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/,
    'is not a scrypt hash (scrypt$N$r$p$salt$hash)',
  );

export const DirectorySchema = z.strictObject({
  /** ldaps://dc1.school.local:636 or ldap://... with startTls. One or more, tried in order. */
  urls: z.array(z.string().regex(/^ldaps?:\/\//, 'must start with ldap:// or ldaps://')).min(1),
  startTls: z.boolean().default(false),
  /** How the bind name is formed from the user. */
  bind: z.discriminatedUnion('mode', [
    z.strictObject({ mode: z.literal('upn'), upnSuffix: nonEmpty }),
    z.strictObject({ mode: z.literal('dnTemplate'), dnTemplate: nonEmpty.includes('{user}') }),
    z.strictObject({
      mode: z.literal('search'),
      searchBase: nonEmpty,
      searchFilter: nonEmpty.includes('{user}').default('(sAMAccountName={user})'),
    }),
  ]),
  connectTimeoutSeconds: z.number().min(1).max(60).default(5),
  timeoutSeconds: z.number().min(1).max(60).default(5),
});

/** The time zone of a policy that names none: the schools this is for are in England. */
export const DEFAULT_TIME_ZONE = 'Europe/London';

export const SCOPES = ['internet', 'network'] as const;
/** sanction: withdrawn for a breach; parentalOptOut: a parent asked in writing (internet only). */
export const SANCTION_KINDS = ['sanction', 'parentalOptOut'] as const;
export const ScopeSchema = z.enum(SCOPES);
export type Scope = z.infer<typeof ScopeSchema>;

export const SanctionSchema = z.strictObject({
  id: nonEmpty,
  user: nonEmpty,
  scope: ScopeSchema,
  /** sanction: withdrawn for a breach; parentalOptOut: a parent asked in writing (internet only). */
  kind: z.enum(SANCTION_KINDS).default('sanction'),
  /** Absent = permanent until IT lifts it. */
  until: DateOrInstantSchema.optional(),
  reason: nonEmpty,
  issuedBy: nonEmpty,
  issuedAt: DateOrInstantSchema,
});
export type Sanction = z.infer<typeof SanctionSchema>;

export const SanctionSettingsSchema = z.strictObject({
  /** Seconds the blocked screen shows at login before logoff. */
  blockedLogoffSeconds: z.number().int().min(5).max(3600).default(60),
  /** Seconds a user has to save work when a network sanction arrives mid-session. */
  midSessionGraceSeconds: z.number().int().min(0).max(3600).default(300),
  /** Hosts (names or addresses) and CIDRs that stay reachable under an internet sanction. */
  allowList: z.array(nonEmpty).default([]),
  /** Whom the pupil should see, in their words, e.g. "Mr Patel in the IT office". */
  contact: nonEmpty,
});

export const NoticeSchema = z.strictObject({
  id: nonEmpty,
  roles: z.array(RoleSchema).min(1),
  title: nonEmpty,
  body: nonEmpty,
  locales: z.record(z.string(), LocaleTextSchema).default({}),
});

export const VisitorsSchema = z.strictObject({
  /** A member of staff must authorise each visitor session with their credential. */
  requireStaffAuthorisation: z.boolean().default(true),
  maxSessionMinutes: z
    .number()
    .int()
    .min(5)
    .max(24 * 60)
    .default(60),
});

export const EndOfDaySchema = z.strictObject({
  /** Local time (policy time zone), HH:MM, after which sessions are warned and logged off. */
  at: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'is not a time (use 17:30)'),
  warnMinutes: z.number().int().min(1).max(120).default(10),
  roles: z.array(RoleSchema).default(['pupil', 'staff', 'visitor']),
});

/** Where the machine service keeps its audit log: how big a file grows and how long rotated ones are kept. */
export const AuditSettingsSchema = z.strictObject({
  maxBytes: z
    .number()
    .int()
    .min(64 * 1024)
    .max(1024 * 1024 * 1024)
    .default(10 * 1024 * 1024),
  retentionDays: z.number().int().min(1).max(3650).default(365),
});

/**
 * The machine service's watchdog: a signed-in desktop whose Classlock client is missing
 * (never started, killed, hidden from autostart) is unprotected, so the service locks it.
 */
export const WatchdogSchema = z.strictObject({
  /** Seconds a desktop session may go without its Classlock client before it is locked. */
  lockAfterSeconds: z.number().int().min(5).max(600).default(20),
  /** Further seconds after that lock before the session is signed out; absent: never. */
  signOutAfterSeconds: z.number().int().min(30).max(86_400).optional(),
});

export const PolicySchema = z
  .strictObject({
    serial: z.number().int().nonnegative(),
    issuedAt: InstantSchema,
    /**
     * After this instant a terminal still obeys the policy (it never lifts anything) but
     * reports it as stale: a server frozen on an old policy shows. `classlock-admin sign`
     * sets it (--expires-days, default 30 after issuedAt) when the file has none.
     */
    expires: InstantSchema.optional(),
    timeZone: nonEmpty.default(DEFAULT_TIME_ZONE),
    organisation: z.strictObject({
      name: nonEmpty,
      itContact: nonEmpty,
      safeguardingContact: nonEmpty.optional(),
    }),
    defaultLocale: nonEmpty.default('en-GB'),
    roleMapping: z.strictObject({
      rules: z.array(RoleRuleSchema).default([]),
      default: RoleSchema.default('pupil'),
    }),
    agreements: z.array(AgreementSchema).default([]),
    rules: z.array(RuleSetSchema).default([]),
    profiles: z.array(ProfileSchema).min(1),
    defaultProfile: nonEmpty,
    unlock: UnlockSchema,
    override: z.strictObject({ hash: ScryptHashSchema }),
    directory: DirectorySchema.optional(),
    sanctions: z.array(SanctionSchema).default([]),
    sanctionSettings: SanctionSettingsSchema,
    notices: z.array(NoticeSchema).default([]),
    visitors: VisitorsSchema.default({ requireStaffAuthorisation: true, maxSessionMinutes: 60 }),
    endOfDay: EndOfDaySchema.optional(),
    audit: AuditSettingsSchema.default({ maxBytes: 10 * 1024 * 1024, retentionDays: 365 }),
    watchdog: WatchdogSchema.default({ lockAfterSeconds: 20 }),
  })
  .superRefine((p, ctx) => {
    if (p.expires !== undefined && Date.parse(p.expires) <= Date.parse(p.issuedAt)) {
      ctx.addIssue({
        code: 'custom',
        path: ['expires'],
        message: `must be after issuedAt (${p.issuedAt})`,
      });
    }
    if (!p.profiles.some((pr) => pr.id === p.defaultProfile)) {
      ctx.addIssue({
        code: 'custom',
        path: ['defaultProfile'],
        message: `names no profile in profiles (${p.profiles.map((x) => x.id).join(', ')})`,
      });
    }
    const seen = new Set<string>();
    p.sanctions.forEach((s, i) => {
      if (seen.has(s.id))
        ctx.addIssue({
          code: 'custom',
          path: ['sanctions', i, 'id'],
          message: `"${s.id}" is used by another sanction`,
        });
      seen.add(s.id);
      if (s.kind === 'parentalOptOut' && s.scope !== 'internet') {
        ctx.addIssue({
          code: 'custom',
          path: ['sanctions', i, 'scope'],
          message: 'a parental opt-out withdraws internet access only',
        });
      }
    });
    const agreementIds = new Set<string>();
    p.agreements.forEach((a, i) => {
      if (agreementIds.has(a.id))
        ctx.addIssue({
          code: 'custom',
          path: ['agreements', i, 'id'],
          message: `"${a.id}" is used by another agreement`,
        });
      agreementIds.add(a.id);
    });
    if (p.unlock.methods.staff.includes('ldap') && !p.directory) {
      ctx.addIssue({
        code: 'custom',
        path: ['unlock', 'methods', 'staff'],
        message: 'ldap unlock needs a directory section',
      });
    }
    // Screens (issue 11): an audience nobody is given, or a translation missing a promise.
    const audiences = new Set(p.roleMapping.rules.map((r) => r.audience).filter(Boolean));
    p.agreements.forEach((a, i) => {
      if (a.audience && !audiences.has(a.audience))
        ctx.addIssue({
          code: 'custom',
          path: ['agreements', i, 'audience'],
          message: `no role rule gives the audience "${a.audience}", so nobody would see this agreement`,
        });
      for (const [tag, text] of Object.entries(a.locales)) {
        if (text.promises && text.promises.length !== (a.promises?.length ?? 0))
          ctx.addIssue({
            code: 'custom',
            path: ['agreements', i, 'locales', tag, 'promises'],
            message: `has ${text.promises.length} promises; the agreement has ${a.promises?.length ?? 0}`,
          });
      }
    });
  });

export type Policy = z.infer<typeof PolicySchema>;
