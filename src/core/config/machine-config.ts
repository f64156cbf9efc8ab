import { z } from 'zod';
import { KEY_ID_PATTERN, toPublicKey } from '../policy/keys';
import { DEFAULT_MAX_POLICY_BYTES } from '../policy/bundle';
import { issueInWords } from '../policy/issue-words';

/** https://, http://, file://, a UNC path (\\server\share\...) or an absolute path. */
export function isPolicySource(s: string): boolean {
  return (
    /^https?:\/\/[^\s/]+/i.test(s) ||
    /^file:\/\/\S+/i.test(s) ||
    /^\\\\[^\\]+\\[^\\]+\\.+/.test(s) ||
    /^[A-Za-z]:[\\/]/.test(s) ||
    s.startsWith('/')
  );
}

export const MachineConfigSchema = z.strictObject({
  /** Where the signed policy is published, tried in order. */
  policySources: z
    .array(
      z.string().trim().refine(isPolicySource, {
        message:
          'is not a policy address (use https://, http://, file://, \\\\server\\share\\... or a full path)',
      }),
    )
    .min(1, 'needs at least one policy address'),
  /** Public keys allowed to sign the policy, by key id. */
  trustedKeys: z
    .record(
      z.string().regex(KEY_ID_PATTERN, 'is not a key id'),
      z.string().superRefine((pem, ctx) => {
        try {
          toPublicKey(pem);
        } catch (err) {
          ctx.addIssue({ code: 'custom', message: (err as Error).message });
        }
      }),
    )
    .refine((r) => Object.keys(r).length > 0, { message: 'needs at least one trusted key' }),
  pollSeconds: z.number().int().min(5, 'must be at least 5 seconds').max(86_400).default(30),
  /** A terminal profile id from the policy; overrides hostname matching. */
  profile: z.string().trim().min(1).optional(),
  /** Machine-wide data folder (acceptances, PIN hashes, audit, policy cache). */
  dataDir: z.string().trim().min(1).optional(),
  maxPolicyBytes: z
    .number()
    .int()
    .min(1024)
    .max(100 * 1024 * 1024)
    .default(DEFAULT_MAX_POLICY_BYTES),
  /** For directory searches before a user bind (bind mode `search`). */
  directoryServiceAccount: z
    .strictObject({ dn: z.string().trim().min(1), passwordFile: z.string().trim().min(1) })
    .optional(),
  /** PEM file of the CA that issued the directory servers' certificates (LDAPS / StartTLS). */
  directoryCaFile: z.string().trim().min(1).optional(),
  /**
   * The IT override code's scrypt hash (`classlock-admin override-hash`). It belongs to the
   * machine, not the policy file, so the built-in fallback policy carries no usable code.
   * When set it wins over the policy's `override.hash`.
   */
  overrideHash: z
    .string()
    .trim()
    .startsWith('scrypt$', 'is not an override hash (run classlock-admin override-hash)')
    .optional(),
  /** The school's hub (https://...): events up, questions down. Absent: the terminal works alone. */
  hubUrl: z.string().trim().url('is not a hub address (use https://...)').optional(),
  /** One-time secret the machine service enrols with at the hub (the hub's enrolment page gives it). */
  hubEnrolmentSecret: z.string().trim().min(16, 'must be at least 16 characters').optional(),
  /** The school this terminal belongs to, for a hub that serves a trust of several schools. */
  school: z.string().trim().min(1).max(100).optional(),
  /** The lock-now shortcut (Electron accelerator syntax); default chosen to clash with no desktop. */
  lockNowHotkey: z.string().trim().min(1).max(60).optional(),
  /** The pupils' hide-the-screen shortcut (Electron accelerator syntax). */
  hideScreenHotkey: z.string().trim().min(1).max(60).optional(),
});
export type MachineConfig = z.infer<typeof MachineConfigSchema>;
export type MachineConfigInput = z.input<typeof MachineConfigSchema>;

/** One place a machine config can come from: a file, Group Policy, ... */
export interface ConfigSource {
  /** Human name for messages, e.g. "C:\ProgramData\Classlock\config.json". */
  readonly name: string;
  /** undefined = this source has nothing; throws with a readable message if it is broken. */
  read(): Promise<Partial<MachineConfigInput> | undefined>;
}

export interface LoadedMachineConfig {
  /** null: no usable config; the caller runs the embedded default policy. */
  config: MachineConfig | null;
  problems: string[];
  /** Which source supplied each field, for `explain`-style diagnostics. */
  origins: Record<string, string>;
}

/**
 * Merge the sources field by field, later sources winning (pass the file first and Group
 * Policy last, so GP overrides). A whole field is replaced, never merged: Group Policy
 * that lists trusted keys is the complete list, so it can also withdraw a key.
 */
export async function loadMachineConfig(
  sources: readonly ConfigSource[],
): Promise<LoadedMachineConfig> {
  const problems: string[] = [];
  const merged: Record<string, unknown> = {};
  const origins: Record<string, string> = {};
  let any = false;
  for (const source of sources) {
    let part: Partial<MachineConfigInput> | undefined;
    try {
      part = await source.read();
    } catch (err) {
      problems.push(`${source.name}: ${(err as Error).message}`);
      continue;
    }
    if (!part) continue;
    any = true;
    for (const [k, v] of Object.entries(part)) {
      if (v === undefined) continue;
      merged[k] = v;
      origins[k] = source.name;
    }
  }
  if (!any) {
    problems.push(
      `no machine config found (looked in: ${sources.map((s) => s.name).join('; ')}); running on the built-in default policy`,
    );
    return { config: null, problems, origins };
  }
  const r = MachineConfigSchema.safeParse(merged, { error: issueInWords, reportInput: true });
  if (!r.success) {
    for (const i of r.error.issues) {
      const path = i.path.map(String).join('.');
      const from = origins[String(i.path[0])];
      problems.push(
        `machine config ${path || '(whole)'}: ${i.message}${from ? ` (from ${from})` : ''}`,
      );
    }
    problems.push('the machine config is not usable; running on the built-in default policy');
    return { config: null, problems, origins };
  }
  return { config: r.data, problems, origins };
}
