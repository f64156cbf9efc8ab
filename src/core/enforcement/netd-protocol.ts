import { z } from 'zod';
import { parseAllowEntry } from './allow-list';

/**
 * The whole conversation with the privileged Linux helper: one JSON object per line, one
 * answer per line. Deliberately narrow: restrict one uid, lift one uid, clear everything.
 */
const AllowEntrySchema = z
  .string()
  .max(300)
  .refine((s) => !('error' in parseAllowEntry(s)), {
    message: 'is not a host name, address or address range',
  });

export const NetdRequestSchema = z.discriminatedUnion('op', [
  z.strictObject({
    op: z.literal('apply'),
    uid: z.number().int().min(0).max(0xfffffffe),
    allow: z.array(AllowEntrySchema).max(1000),
    /** When the restriction ends (epoch ms); null = until staff lift it or the user logs off. */
    until: z.number().int().nonnegative().nullable().default(null),
  }),
  z.strictObject({ op: z.literal('lift'), uid: z.number().int().min(0).max(0xfffffffe) }),
  z.strictObject({ op: z.literal('clear') }),
]);
export type NetdRequest = z.input<typeof NetdRequestSchema>;

export const NetdResponseSchema = z.union([
  z.object({ ok: z.literal(true), unresolved: z.array(z.string()).optional() }),
  z.object({ ok: z.literal(false), error: z.string() }),
]);
export type NetdResponse = z.infer<typeof NetdResponseSchema>;

/** Longest request line accepted; a 1,000-entry allow list fits with room to spare. */
export const NETD_MAX_LINE = 128 * 1024;
