import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAuditLines, type AuditRecord } from '../../src/core/audit/audit-log';
import { ManualClock } from '../../src/core/clock';
import type { GroupSource } from '../../src/core/identity/groups';
import type { Policy } from '../../src/core/policy/schema';
import {
  SessionRuntime,
  type SessionRuntimeOptions,
  type SessionShell,
} from '../../src/core/session/runtime';
import type { View } from '../../src/shared/view';

/** A shell that remembers what the session asked of the desktop. */
export class RecordingShell implements SessionShell {
  views: View[] = [];
  osLocks = 0;
  logoffs = 0;
  ownRequests: (string[] | null)[] = [];
  present(view: View): void {
    this.views.push(view);
  }
  async lockOs(): Promise<void> {
    this.osLocks++;
  }
  async logoff(): Promise<void> {
    this.logoffs++;
  }
  restrictOwnRequests(allow: string[] | null): void {
    this.ownRequests.push(allow);
  }
  get last(): View | undefined {
    return this.views.at(-1);
  }
}

export const T0 = Date.parse('2026-11-23T09:00:00Z'); // a Monday morning

/**
 * What the OS says about the test school's accounts when asked by name: a staff PIN is
 * honoured for staff work only because the policy's rules put that account's groups in
 * the staff role, never because of what the PIN record says.
 */
export const SCHOOL_GROUPS: GroupSource = {
  groupsOf: async (name) => (name === 'mrs.jones' ? ['SCHOOL\\Teaching Staff'] : []),
};

export interface TestSession {
  rt: SessionRuntime;
  shell: RecordingShell;
  clock: ManualClock;
  audit: () => Promise<AuditRecord[]>;
  /** Pass `seconds` of real idle: the clock moves and the OS idle counter grows, one tick a second. */
  idleFor: (seconds: number, from?: number) => Promise<void>;
}

export async function openSession(
  policy: Policy,
  dataDir: string,
  over: Partial<SessionRuntimeOptions> = {},
): Promise<TestSession> {
  // Tests move time by hand; any other clock given is replaced by one that can be moved.
  const clock = over.clock instanceof ManualClock ? over.clock : new ManualClock(T0);
  const shell = (over.shell as RecordingShell | undefined) ?? new RecordingShell();
  const rt = await SessionRuntime.create({
    account: 'SCHOOL\\y7.pupil',
    groups: ['Domain Users'],
    hostname: 'ROOM12-LAB-01',
    machineId: 'test-machine',
    dataDir,
    policy,
    groupSource: SCHOOL_GROUPS,
    ...over,
    clock,
    shell,
  });
  await rt.start();
  const idleFor = async (seconds: number, from = 0) => {
    for (let s = from + 1; s <= from + seconds; s++) {
      clock.advance(1000);
      await rt.idle(s);
    }
  };
  const audit = async () =>
    parseAuditLines(await readFile(join(dataDir, 'audit.jsonl'), 'utf8').catch(() => ''));
  return { rt, shell, clock, audit, idleFor };
}
