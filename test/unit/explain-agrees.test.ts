import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock';
import { signPolicy, verifyBundle } from '../../src/core/policy/bundle';
import { generateSigningKeyPair } from '../../src/core/policy/keys';
import type { Policy } from '../../src/core/policy/schema';
import type { View } from '../../src/shared/view';
import { policyWith, tempDir } from '../support/policy';
import { openSession } from '../support/session';
import { runCli } from './cli-helpers';

/**
 * `classlock-admin explain` must say what a terminal does. Each case runs explain on a
 * signed bundle, then logs the same user in on a real SessionRuntime fed the policy out of
 * that same bundle, and compares what explain printed with what the session decided and
 * what the person is shown: role, timeouts, unlock methods, the agreements they are asked
 * to accept, the rules on the lock, sanctions, and the end of the day.
 */
let dir: { path: string; remove: () => Promise<void> };
let bundlePath = '';
let pubPath = '';
let policy: Policy;

beforeAll(async () => {
  dir = await tempDir('classlock-explain-');
  const keys = generateSigningKeyPair();
  const signed = signPolicy(
    policyWith((p) => {
      p.serial = 77;
      p.sanctions = [
        {
          id: 'net-1',
          user: 'SCHOOL\\y7.pupil',
          scope: 'network',
          kind: 'sanction',
          reason: 'Logged in as another pupil',
          issuedBy: 'Mr Patel',
          issuedAt: '2026-11-20',
          until: '2026-12-04',
        },
        {
          id: 'int-1',
          user: 'y8.pupil',
          scope: 'internet',
          kind: 'sanction',
          reason: 'Used a proxy site',
          issuedBy: 'Mr Patel',
          issuedAt: '2026-11-20',
        },
        {
          id: 'opt-1',
          user: 'y9.pupil@school.local',
          scope: 'internet',
          kind: 'parentalOptOut',
          reason: 'Parent asked in writing',
          issuedBy: 'Office',
          issuedAt: '2026-09-01',
        },
      ];
    }),
    keys.privatePem,
    'trust-2026',
  );
  bundlePath = join(dir.path, 'policy.json');
  pubPath = join(dir.path, 'trust-2026.public.pem');
  await writeFile(bundlePath, signed);
  await writeFile(pubPath, keys.publicPem);
  const v = verifyBundle(Buffer.from(signed), new Map([['trust-2026', keys.publicPem]]));
  if (!v.ok) throw new Error(v.message);
  policy = v.policy;
});
afterAll(async () => {
  await dir.remove();
});

interface Case {
  name: string;
  account: string;
  groups: string[];
  hostname: string;
  at: string;
}

const cases: Case[] = [
  {
    name: 'a pupil with a network sanction, in a lab',
    account: 'SCHOOL\\y7.pupil',
    groups: ['Domain Users'],
    hostname: 'ROOM12-LAB-01',
    at: '2026-11-23T09:00:00Z',
  },
  {
    name: 'the same pupil, in another form, the morning it ends',
    account: 'y7.pupil@school.local',
    groups: [],
    hostname: 'ROOM12-LAB-01',
    at: '2026-12-04T08:30:00Z',
  },
  {
    name: 'a pupil without internet, in the library',
    account: 'Y8.Pupil',
    groups: ['Domain Users'],
    hostname: 'SCH-LIB-03',
    at: '2026-11-23T13:15:00Z',
  },
  {
    name: "a pupil whose parent opted out, on a PC no profile names, after the day's end",
    account: 'SCHOOL\\y9.pupil',
    groups: [],
    hostname: 'UNKNOWN-PC',
    at: '2026-11-23T18:30:00Z',
  },
  {
    name: 'a teacher in a classroom',
    account: 'SCHOOL\\mrs.jones',
    groups: ['SCHOOL\\Teaching Staff', 'Domain Users'],
    hostname: 'ROOM12-CR-01',
    at: '2026-11-23T08:10:00Z',
  },
  {
    name: 'a visitor in the staffroom',
    account: 'guest07',
    groups: [],
    hostname: 'MAIN-SR-02',
    at: '2026-11-23T16:00:00Z',
  },
];

/** Accept whatever agreements the session shows, as the user would; returns their ids. */
async function agreementsShown(rt: Awaited<ReturnType<typeof openSession>>['rt']) {
  const shown: string[] = [];
  for (let v: View = rt.view(); v.screen === 'agreement'; v = rt.view()) {
    shown.push(v.agreement.id);
    await rt.intent({
      type: 'acceptAgreement',
      agreementId: v.agreement.id,
      version: v.agreement.version,
      typedName: 'Anne Jones',
    });
  }
  return shown;
}

describe('explain agrees with the terminal', () => {
  it.each(cases)('$name', async (c) => {
    const r = await runCli([
      'explain',
      bundlePath,
      '--pub',
      pubPath,
      '--user',
      c.account,
      ...(c.groups.length ? ['--groups', c.groups.join(',')] : []),
      '--host',
      c.hostname,
      '--at',
      c.at,
      '--json',
    ]);
    expect(r.code, r.err).toBe(0);
    const said = JSON.parse(r.out) as Record<string, unknown>;

    const data = await tempDir('classlock-explain-session-');
    try {
      const s = await openSession(policy, data.path, {
        account: c.account,
        groups: c.groups,
        hostname: c.hostname,
        clock: new ManualClock(Date.parse(c.at)),
      });
      const facts = s.rt.snapshot().facts;
      expect(said.role).toBe(facts.role);
      expect(said.timeouts).toEqual(facts.timeouts);
      expect(said.unlock).toEqual(facts.ownerMethods);
      expect(said.staffUnlock).toEqual(facts.staffMethods);
      expect(said.lockOs).toBe(facts.role === 'staff' && facts.lockOs);
      expect(said.endOfDay).toBe(
        facts.endOfDayAt === null ? null : new Date(facts.endOfDayAt).toISOString(),
      );
      expect(said.internet).toBe(facts.internet ? 'withdrawn' : 'allowed');

      // What the person sees.
      const first = s.rt.view();
      expect(said.network === 'blocked').toBe(first.screen === 'blocked');
      const listed = (said.agreements as { id: string }[]).map((a) => a.id);
      if (first.screen === 'blocked') {
        expect(listed).toEqual(facts.agreementsDue.map((a) => a.id));
        return;
      }
      expect(await agreementsShown(s.rt)).toEqual(listed);
      if (s.rt.view().screen === 'pinEnrol') {
        await s.rt.intent({ type: 'enrolPin', pin: 'ab12!x', confirm: 'ab12!x' });
      }
      if (s.rt.view().screen === 'blocked') {
        await s.rt.intent({ type: 'dismissNotice', notice: 'internet' });
      }
      if (s.rt.view().screen === 'endOfDay') {
        await s.rt.intent({ type: 'dismissNotice', notice: 'endOfDay' });
      }
      await s.rt.lockNow();
      const lock = s.rt.view();
      expect(lock.screen).toBe('locked');
      if (lock.screen === 'locked') expect(said.rules).toEqual(lock.rules);
    } finally {
      await data.remove();
    }
  });
});
