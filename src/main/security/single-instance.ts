import { accessSync, constants, readlinkSync } from 'node:fs';
import { join } from 'node:path';

/**
 * requestSingleInstanceLock() returns false both when another Classlock of this user is
 * running in this session and when the lock cannot be taken at all: a roaming or network
 * home where the lock was left by another PC, or a user-data folder that cannot be
 * written. Only the first is a reason to stop; in the others stopping would leave the PC
 * with no Classlock and no log line, so Classlock runs without the lock and says why
 * (the machine service notices a session whose client is missing, not a doubled one).
 */
export interface LockHolder {
  host: string;
  pid: number;
}

export type InstanceVerdict =
  { action: 'run' } | { action: 'exit'; why: string } | { action: 'runUnlocked'; why: string };

/** Chromium's Linux lock is a symlink named SingletonLock pointing at "<hostname>-<pid>". */
export function parseSingletonLock(target: string): LockHolder | undefined {
  const m = /^(.*)-(\d+)$/.exec(target);
  if (!m || !m[1]) return undefined;
  return { host: m[1], pid: Number(m[2]) };
}

export function singleInstanceVerdict(o: {
  gotLock: boolean;
  platform: NodeJS.Platform;
  /** undefined: no lock link could be read. */
  holder: LockHolder | undefined;
  folderWritable: boolean;
  me: LockHolder;
  alive: (pid: number) => boolean;
}): InstanceVerdict {
  if (o.gotLock) return { action: 'run' };
  if (!o.folderWritable) {
    return { action: 'runUnlocked', why: 'the user-data folder cannot be written' };
  }
  if (o.platform !== 'linux') {
    // Windows keeps the lock in the local (not roaming) user-data folder, set at start, so
    // a refusal there is another Classlock in this session.
    return { action: 'exit', why: 'another Classlock is already running in this session' };
  }
  const h = o.holder;
  if (!h) return { action: 'runUnlocked', why: 'the single-instance lock could not be read' };
  if (h.host !== o.me.host) {
    return {
      action: 'runUnlocked',
      why: `the lock in this network home is held by ${h.host}, another PC`,
    };
  }
  if (h.pid !== o.me.pid && o.alive(h.pid)) {
    return { action: 'exit', why: `another Classlock (process ${h.pid}) is already running` };
  }
  return { action: 'runUnlocked', why: `the lock was left by process ${h.pid}, which has ended` };
}

/** Reads what the verdict needs from the user-data folder. */
export function inspectLockFolder(userData: string): {
  holder: LockHolder | undefined;
  folderWritable: boolean;
} {
  let holder: LockHolder | undefined;
  try {
    holder = parseSingletonLock(readlinkSync(join(userData, 'SingletonLock')));
  } catch {
    holder = undefined;
  }
  let folderWritable = true;
  try {
    accessSync(userData, constants.W_OK);
  } catch {
    folderWritable = false;
  }
  return { holder, folderWritable };
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else (still alive).
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
