import { z } from 'zod';

/**
 * What the renderer may ask for: user intents only, never decisions. Every payload is
 * validated with these schemas on both sides of IPC.
 */
const secret = z.string().min(1).max(256);

export const IntentSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('acceptAgreement'),
    agreementId: z.string().max(100),
    version: z.string().max(100),
    /** Staff agreements: the full name the user typed. */
    typedName: z.string().trim().max(200).optional(),
  }),
  z.object({ type: z.literal('declineAgreement'), agreementId: z.string().max(100) }),
  z.object({ type: z.literal('cancelDecline') }),
  z.object({ type: z.literal('enrolPin'), pin: secret, confirm: secret }),
  z.object({
    type: z.literal('unlock'),
    method: z.enum(['pin', 'ldap', 'override']),
    secret,
    /** Set when someone other than the session's owner unlocks (staff for a pupil, IT). */
    username: z.string().max(256).optional(),
  }),
  z.object({
    type: z.literal('endSession'),
    method: z.enum(['pin', 'ldap', 'override']),
    secret,
    username: z.string().max(256).optional(),
  }),
  /** Input seen by the window itself (the OS idle counter covers the rest). */
  z.object({ type: z.literal('activity') }),
  z.object({ type: z.literal('lockNow') }),
  z.object({ type: z.literal('hideScreen') }),
  /** Close a notice the user has read: the once-a-session internet one, or end of day. */
  z.object({ type: z.literal('dismissNotice'), notice: z.enum(['internet', 'endOfDay']) }),
]);
export type Intent = z.infer<typeof IntentSchema>;
export type IntentType = Intent['type'];
