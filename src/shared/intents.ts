import { z } from 'zod';
import { UnlockMethodNameSchema } from './view';

/**
 * What the renderer may ask for: user intents only, never decisions. Every payload is
 * validated with these schemas on both sides of IPC.
 */
const secret = z.string().min(1).max(256);

/** A credential typed on the lock, to unlock it or (staff) to end the session. */
const credential = {
  method: UnlockMethodNameSchema,
  secret,
  /** Set when someone other than the session's owner types it (staff for a pupil, IT). */
  username: z.string().max(256).optional(),
};

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
  z.object({ type: z.literal('unlock'), ...credential }),
  z.object({ type: z.literal('endSession'), ...credential }),
  /** Input seen by the window itself (the OS idle counter covers the rest). */
  z.object({ type: z.literal('activity') }),
  z.object({ type: z.literal('lockNow') }),
  z.object({ type: z.literal('hideScreen') }),
  /**
   * Close a notice the user has read: the once-a-session internet one, end of day, a policy
   * notice, or (mid-session) the network sanction, to go back and save work before the logoff.
   */
  z.object({
    type: z.literal('dismissNotice'),
    notice: z.enum(['internet', 'endOfDay', 'network', 'policy']),
  }),
  /** Open one of the policy's notices (from the tray). */
  z.object({ type: z.literal('showNotice'), id: z.string().max(100) }),
]);
export type Intent = z.infer<typeof IntentSchema>;
