import { z } from 'zod';
import { DEFAULT_MAX_POLICY_BYTES } from '../policy/bundle';
import { parseAllowEntry } from './allow-list';

/**
 * The whole conversation with the privileged Linux helper: one JSON object per line, one
 * answer per line. Deliberately narrow: restrict one uid, lift one uid, clear everything.
 * `bundle` is the signed policy bundle's text exactly as published: on a lift it is the
 * proof that IT lifted the sanction early; on an apply it tells the helper which policy
 * serial the restriction came from, so an older policy can never be replayed to lift it.
 */
const AllowEntrySchema = z
  .string()
  .max(300)
  .refine((s) => !('error' in parseAllowEntry(s)), {
    message: 'is not a host name, address or address range',
  });

/** The size limit itself is checked in bytes by the bundle verifier, with its own words. */
const BundleTextSchema = z
  .string()
  .min(1)
  .max(2 * DEFAULT_MAX_POLICY_BYTES);

export const NetdRequestSchema = z.discriminatedUnion('op', [
  z.strictObject({
    op: z.literal('apply'),
    uid: z.number().int().min(0).max(0xfffffffe),
    allow: z.array(AllowEntrySchema).max(1000),
    /** When the restriction ends (epoch ms); null = until staff lift it or the user logs off. */
    until: z.number().int().nonnegative().nullable().default(null),
    bundle: BundleTextSchema.optional(),
  }),
  z.strictObject({
    op: z.literal('lift'),
    uid: z.number().int().min(0).max(0xfffffffe),
    bundle: BundleTextSchema.optional(),
  }),
  z.strictObject({ op: z.literal('clear') }),
]);
export type NetdRequest = z.input<typeof NetdRequestSchema>;

export const NetdResponseSchema = z.union([
  z.object({ ok: z.literal(true), unresolved: z.array(z.string()).optional() }),
  z.object({ ok: z.literal(false), error: z.string() }),
]);
export type NetdResponse = z.infer<typeof NetdResponseSchema>;

/**
 * Longest request line accepted. A signed policy of up to 5 MB is JSON text carried inside
 * a JSON string, so its quotes and backslashes are escaped once more: twice its size
 * leaves room for that, plus the 1,000-entry allow list of an apply.
 */
export const NETD_MAX_LINE = 2 * DEFAULT_MAX_POLICY_BYTES + 128 * 1024;
