import { describe, expect, it } from 'vitest';
import type { Sanction } from '../../src/core/policy/schema';
import { parseUser } from '../../src/core/identity/user';
import {
  SanctionIndex,
  sanctionEnd,
  sanctionStatus,
  type SanctionStatus,
} from '../../src/core/sanctions/evaluate';

const T = (iso: string): number => Date.parse(iso);
const NOW = T('2026-11-23T10:00:00Z');

function s(partial: Partial<Sanction> & Pick<Sanction, 'id' | 'user' | 'scope'>): Sanction {
  return {
    kind: 'sanction',
    reason: 'Misuse of the network',
    issuedBy: 'Mr Patel',
    issuedAt: '2026-11-20T09:00:00Z',
    ...partial,
  };
}

/** Both evaluation paths must agree on every case. */
function both(sanctions: Sanction[], user: string, at: number): SanctionStatus {
  const policy = { sanctions, timeZone: 'Europe/London' };
  const direct = sanctionStatus(policy, parseUser(user), at);
  const indexed = new SanctionIndex(policy).statusFor(parseUser(user), at);
  expect(indexed).toEqual(direct);
  return direct;
}

describe('sanctionEnd: when a sanction lifts', () => {
  it.each([
    ['2026-12-04', 'Europe/London', '2026-12-04T00:00:00Z', 'winter: London is on UTC'],
    ['2026-07-10', 'Europe/London', '2026-07-09T23:00:00Z', 'summer: London is UTC+1'],
    ['2026-03-29', 'Europe/London', '2026-03-29T00:00:00Z', 'clocks go forward at 01:00 that day'],
    ['2026-10-25', 'Europe/London', '2026-10-24T23:00:00Z', 'clocks go back at 02:00 that day'],
    ['2026-12-04', 'America/New_York', '2026-12-04T05:00:00Z', 'another zone'],
    [
      '2026-09-06',
      'America/Santiago',
      '2026-09-06T04:00:00Z',
      'midnight skipped: day starts 01:00',
    ],
    ['2026-12-04T08:30:00Z', 'Europe/London', '2026-12-04T08:30:00Z', 'an instant is itself'],
    [
      '2026-07-10T08:30:00+02:00',
      'Europe/London',
      '2026-07-10T06:30:00Z',
      'an instant with an offset',
    ],
  ])('%s in %s is %s (%s)', (until, tz, expected) => {
    expect(sanctionEnd(until, tz)).toBe(T(expected));
  });

  it('no date means permanent', () => {
    expect(sanctionEnd(undefined, 'Europe/London')).toBeNull();
  });

  it('names an unknown time zone in words', () => {
    expect(() => sanctionEnd('2026-12-04', 'Mars/Olympus')).toThrow(/not a time zone/);
  });
});

describe('sanctionStatus: which restriction a user has', () => {
  it('an internet sanction withdraws the internet only', () => {
    const st = both(
      [s({ id: 'a', user: 'jsmith', scope: 'internet', until: '2026-12-04' })],
      'jsmith',
      NOW,
    );
    expect(st.network).toBeNull();
    expect(st.internet).toMatchObject({
      scope: 'internet',
      kind: 'sanction',
      reason: 'Misuse of the network',
      issuedBy: 'Mr Patel',
      until: T('2026-12-04T00:00:00Z'),
      sanctionIds: ['a'],
    });
    expect(st.nextChangeAt).toBe(T('2026-12-04T00:00:00Z'));
  });

  it('a network sanction withdraws the network and with it the internet', () => {
    const st = both(
      [s({ id: 'n', user: 'jsmith', scope: 'network', until: '2026-12-01' })],
      'jsmith',
      NOW,
    );
    expect(st.network).toMatchObject({ scope: 'network', sanctionIds: ['n'] });
    expect(st.internet).toMatchObject({ scope: 'network', sanctionIds: ['n'] });
  });

  it('a permanent sanction has no end and no next change', () => {
    const st = both(
      [s({ id: 'p', user: 'jsmith', scope: 'internet' })],
      'jsmith',
      T('2030-01-01T00:00:00Z'),
    );
    expect(st.internet?.until).toBeNull();
    expect(st.nextChangeAt).toBeNull();
  });

  it('a parent’s opt-out is a permanent internet restriction of its own kind', () => {
    const st = both(
      [
        s({
          id: 'po',
          user: 'jsmith',
          scope: 'internet',
          kind: 'parentalOptOut',
          reason: 'Parent asked in writing',
        }),
      ],
      'jsmith',
      NOW,
    );
    expect(st.internet).toMatchObject({ kind: 'parentalOptOut', until: null, sanctionIds: ['po'] });
    expect(st.network).toBeNull();
  });

  it('expires exactly at its end, not a millisecond before', () => {
    const list = [s({ id: 'a', user: 'jsmith', scope: 'internet', until: '2026-12-04T08:00:00Z' })];
    expect(both(list, 'jsmith', T('2026-12-04T08:00:00Z') - 1).internet).not.toBeNull();
    expect(both(list, 'jsmith', T('2026-12-04T08:00:00Z')).internet).toBeNull();
  });

  it('a date-only end in summer lifts at local midnight, an hour before UTC midnight', () => {
    const list = [s({ id: 'a', user: 'jsmith', scope: 'network', until: '2026-07-10' })];
    expect(both(list, 'jsmith', T('2026-07-09T22:59:59Z')).network).not.toBeNull();
    expect(both(list, 'jsmith', T('2026-07-09T23:00:00Z')).network).toBeNull();
  });

  it('a sanction issued "in the future" of a slow PC clock still applies', () => {
    const list = [
      s({ id: 'f', user: 'jsmith', scope: 'internet', issuedAt: '2027-01-01T00:00:00Z' }),
    ];
    expect(both(list, 'jsmith', NOW).internet).not.toBeNull();
  });

  describe('several at once', () => {
    it('per scope the latest end wins and every id is listed', () => {
      const st = both(
        [
          s({ id: 'a', user: 'jsmith', scope: 'internet', until: '2026-12-01', reason: 'first' }),
          s({ id: 'b', user: 'jsmith', scope: 'internet', until: '2026-12-10', reason: 'second' }),
        ],
        'jsmith',
        NOW,
      );
      expect(st.internet).toMatchObject({ reason: 'second', until: T('2026-12-10T00:00:00Z') });
      expect(st.internet?.sanctionIds.sort()).toEqual(['a', 'b']);
      expect(st.nextChangeAt).toBe(T('2026-12-01T00:00:00Z'));
      expect(st.active).toHaveLength(2);
    });

    it('permanent beats any date', () => {
      const st = both(
        [
          s({ id: 'a', user: 'jsmith', scope: 'internet', reason: 'permanent' }),
          s({ id: 'b', user: 'jsmith', scope: 'internet', until: '2099-12-10', reason: 'dated' }),
        ],
        'jsmith',
        NOW,
      );
      expect(st.internet).toMatchObject({ reason: 'permanent', until: null });
    });

    it('a network sanction outlasting an internet one governs the internet too', () => {
      const st = both(
        [
          s({ id: 'i', user: 'jsmith', scope: 'internet', until: '2026-12-01' }),
          s({ id: 'n', user: 'jsmith', scope: 'network', until: '2026-12-05' }),
        ],
        'jsmith',
        NOW,
      );
      expect(st.network?.sanctionIds).toEqual(['n']);
      expect(st.internet).toMatchObject({ scope: 'network', until: T('2026-12-05T00:00:00Z') });
      expect(st.active.map((a) => a.scope)).toEqual(['network', 'internet']);
    });

    it('an internet sanction outlasting a network one remains after the network returns', () => {
      const list = [
        s({ id: 'i', user: 'jsmith', scope: 'internet', until: '2026-12-10' }),
        s({ id: 'n', user: 'jsmith', scope: 'network', until: '2026-12-05' }),
      ];
      const during = both(list, 'jsmith', NOW);
      expect(during.network).not.toBeNull();
      expect(during.internet).toMatchObject({
        scope: 'internet',
        until: T('2026-12-10T00:00:00Z'),
      });
      expect(during.nextChangeAt).toBe(T('2026-12-05T00:00:00Z'));
      const after = both(list, 'jsmith', T('2026-12-05T00:00:00Z'));
      expect(after.network).toBeNull();
      expect(after.internet?.sanctionIds).toEqual(['i']);
      expect(after.nextChangeAt).toBe(T('2026-12-10T00:00:00Z'));
    });

    it('an expired sanction does not count among the active ones', () => {
      const st = both(
        [
          s({ id: 'old', user: 'jsmith', scope: 'network', until: '2026-11-01' }),
          s({ id: 'i', user: 'jsmith', scope: 'internet', until: '2026-12-10' }),
        ],
        'jsmith',
        NOW,
      );
      expect(st.network).toBeNull();
      expect(st.active.flatMap((a) => a.sanctionIds)).toEqual(['i']);
    });
  });

  describe('the user in each form the OS reports', () => {
    const list = [s({ id: 'bare', user: 'JSmith', scope: 'internet' })];
    it.each(['jsmith', 'JSMITH', 'SCHOOL\\jsmith', 'jsmith@school.local', 'jsmith@other.org'])(
      'a bare-name sanction applies to %s',
      (raw) => {
        expect(both(list, raw, NOW).internet?.sanctionIds).toEqual(['bare']);
      },
    );

    const qualified = [s({ id: 'q', user: 'SCHOOL\\jsmith', scope: 'network' })];
    it.each([
      ['SCHOOL\\JSmith', true],
      ['jsmith@school.local', true],
      ['OTHER\\jsmith', false],
      ['jsmith@other.org', false],
      ['jsmith', false],
      ['jsmithe@school.local', false],
    ])('a SCHOOL\\jsmith sanction applied to %s: %s', (raw, applies) => {
      expect(both(qualified, raw, NOW).network !== null).toBe(applies);
    });
  });

  it('other users are untouched', () => {
    const st = both([s({ id: 'a', user: 'jsmith', scope: 'network' })], 'ajones', NOW);
    expect(st).toEqual({ network: null, internet: null, active: [], nextChangeAt: null });
  });
});

describe('which sanction the pupil is shown when several apply', () => {
  const until = '2026-12-04T15:00:00Z';
  it('on the same end, a sanction is shown before a parent’s opt-out, whatever the order', () => {
    const optOut = s({ id: 'o', user: 'jsmith', scope: 'internet', kind: 'parentalOptOut', until });
    const breach = s({
      id: 'b',
      user: 'jsmith',
      scope: 'internet',
      until,
      reason: 'Chat in lessons',
    });
    for (const list of [
      [optOut, breach],
      [breach, optOut],
    ]) {
      const st = both(list, 'jsmith', NOW);
      expect(st.internet).toMatchObject({ kind: 'sanction', reason: 'Chat in lessons' });
      expect([...st.internet!.sanctionIds].sort()).toEqual(['b', 'o']);
    }
    const twoOptOuts = both(
      [optOut, { ...optOut, id: 'o2', reason: 'second letter' }],
      'jsmith',
      NOW,
    );
    expect(twoOptOuts.internet).toMatchObject({ kind: 'parentalOptOut', reason: optOut.reason });
  });

  it('the one ending last governs; a permanent one outlasts any date, and two permanent keep the first', () => {
    const dated = s({ id: 'd', user: 'jsmith', scope: 'internet', until, reason: 'dated' });
    const later = s({
      id: 'l',
      user: 'jsmith',
      scope: 'internet',
      until: '2026-12-05T15:00:00Z',
      reason: 'later',
    });
    const forever = s({ id: 'f', user: 'jsmith', scope: 'internet', reason: 'until lifted' });
    expect(both([later, dated], 'jsmith', NOW).internet?.reason).toBe('later');
    expect(both([dated, later], 'jsmith', NOW).internet?.reason).toBe('later');
    expect(both([dated, forever], 'jsmith', NOW).internet).toMatchObject({
      reason: 'until lifted',
      until: null,
    });
    expect(both([forever, dated], 'jsmith', NOW).internet).toMatchObject({
      reason: 'until lifted',
      until: null,
    });
    const second = { ...forever, id: 'f2', reason: 'second' };
    expect(both([forever, second], 'jsmith', NOW).internet?.reason).toBe('until lifted');
    // Equal dated ends: the first listed stays.
    expect(
      both([dated, { ...dated, id: 'd2', reason: 'twin' }], 'jsmith', NOW).internet?.reason,
    ).toBe('dated');
  });

  it('next change is the earliest dated end among the active ones', () => {
    const a = s({ id: 'a', user: 'jsmith', scope: 'internet', until: '2026-12-05T15:00:00Z' });
    const b = s({ id: 'b', user: 'jsmith', scope: 'network', until });
    const c = s({ id: 'c', user: 'jsmith', scope: 'internet' });
    expect(both([a, b, c], 'jsmith', NOW).nextChangeAt).toBe(T(until));
    expect(both([c, a], 'jsmith', NOW).nextChangeAt).toBe(T('2026-12-05T15:00:00Z'));
    expect(both([c], 'jsmith', NOW).nextChangeAt).toBeNull();
  });

  it('says which until it cannot read', () => {
    expect(() => sanctionEnd('soon', 'Europe/London')).toThrow('"soon" is not a date and time.');
  });
});
