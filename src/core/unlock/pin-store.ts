import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { UserIdentity } from '../identity/user';
import { RoleSchema } from '../policy/schema';
import { writeFileAtomic } from '../storage/atomic-file';
import { userFileKey } from '../storage/user-file-key';

const PinRecordSchema = z.object({
  user: z.string(),
  role: RoleSchema,
  hash: z.string().startsWith('scrypt$'),
  setAt: z.string(),
});
export type PinRecord = z.infer<typeof PinRecordSchema>;

/** Staff unlock PINs, only ever as salted scrypt hashes, one file per user in the machine-wide folder. */
export class PinStore {
  constructor(private readonly dir: string) {}

  private file(user: UserIdentity): string {
    return join(this.dir, `${userFileKey(user)}.json`);
  }

  async get(user: UserIdentity): Promise<PinRecord | undefined> {
    let text: string;
    try {
      text = await readFile(this.file(user), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    const parsed = PinRecordSchema.safeParse(JSON.parse(text));
    // A damaged record is treated as "no PIN": the user enrols again; nothing opens.
    return parsed.success ? parsed.data : undefined;
  }

  async set(user: UserIdentity, record: PinRecord): Promise<void> {
    // Owner-only: a 6–8 character PIN is quick to guess offline from its hash, so no
    // other account on the machine may read it (the directory or IT override covers
    // staff acting in someone else's session).
    await writeFileAtomic(this.file(user), JSON.stringify(record), 0o600);
  }
}
