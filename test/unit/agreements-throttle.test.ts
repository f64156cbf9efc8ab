import { describe, expect, it } from 'vitest';
import {
  agreementHash,
  dueAgreements,
  localisedAgreement,
  type AcceptanceRecord,
} from '../../src/core/agreements/due';
import type { Agreement } from '../../src/core/policy/schema';
import {
  afterFailure,
  delayAfter,
  NO_FAILURES,
  secondsToWait,
} from '../../src/core/unlock/throttle';

const DAY = 86_400_000;
const T0 = Date.parse('2026-09-01T08:00:00Z');

const pupilAua = (over: Partial<Agreement> = {}): Agreement => ({
  id: 'pupil-aua',
  roles: ['pupil'],
  version: '3',
  title: 'Using school computers',
  body: 'I will keep my password to myself.',
  locales: { cy: { title: 'Defnyddio cyfrifiaduron', body: 'Byddaf yn cadw fy nghyfrinair.' } },
  acknowledgement: 'checkbox',
  ...over,
});

const accepted = (a: Agreement, at: number): Map<string, AcceptanceRecord> =>
  new Map([
    [
      a.id,
      {
        user: 'jsmith',
        role: 'pupil',
        agreementId: a.id,
        version: a.version,
        hash: agreementHash(a),
        acceptedAt: new Date(at).toISOString(),
        machineId: 'm',
      },
    ],
  ]);

const dueIds = (
  a: Agreement,
  latest: Map<string, AcceptanceRecord>,
  now: number,
  locale = 'en-GB',
) => dueAgreements({ agreements: [a] }, 'pupil', latest, now, locale).map((d) => d.id);

describe('which agreements are due', () => {
  it('asks again when only a translated text changed, since that is what a Welsh reader agreed to', () => {
    const a = pupilAua();
    const changed = pupilAua({
      locales: {
        cy: { title: 'Defnyddio cyfrifiaduron', body: 'Byddaf yn rhannu fy nghyfrinair.' },
      },
    });
    const retitled = pupilAua({ locales: { cy: { ...a.locales.cy!, title: 'Teitl newydd' } } });
    const added = pupilAua({ locales: { ...a.locales, pl: { title: 'Zasady', body: 'Hasło.' } } });
    for (const b of [changed, retitled, added]) {
      expect(agreementHash(b)).not.toBe(agreementHash(a));
      expect(dueIds(b, accepted(a, T0), T0 + DAY)).toEqual(['pupil-aua']);
    }
  });

  it('gives the same hash whatever order the translations are listed in', () => {
    const two = { cy: { title: 'A', body: 'B' }, pl: { title: 'C', body: 'D' } };
    const reversed = { pl: two.pl, cy: two.cy };
    expect(agreementHash(pupilAua({ locales: two }))).toBe(
      agreementHash(pupilAua({ locales: reversed })),
    );
    // Moving a text from one language to another is a change.
    const swapped = { cy: two.pl, pl: two.cy };
    expect(agreementHash(pupilAua({ locales: swapped }))).not.toBe(
      agreementHash(pupilAua({ locales: two })),
    );
  });

  it('asks again once reacceptDays have passed, and not a moment before (the yearly re-signing)', () => {
    const a = pupilAua({ reacceptDays: 365 });
    const latest = accepted(a, T0);
    expect(dueIds(a, latest, T0 + 364 * DAY)).toEqual([]);
    expect(dueIds(a, latest, T0 + 365 * DAY - 1)).toEqual([]);
    expect(dueIds(a, latest, T0 + 365 * DAY)).toEqual(['pupil-aua']);
    expect(dueIds(a, latest, T0 + 400 * DAY)).toEqual(['pupil-aua']);
  });

  it('never asks again without reacceptDays while version and text are unchanged', () => {
    const a = pupilAua();
    expect(dueIds(a, accepted(a, T0), T0 + 10 * 365 * DAY)).toEqual([]);
    expect(dueIds(pupilAua({ version: '4' }), accepted(a, T0), T0 + DAY)).toEqual(['pupil-aua']);
    expect(dueIds(a, new Map(), T0)).toEqual(['pupil-aua']);
  });

  it('asks only the roles it is for, and gives the text in the reader’s language', () => {
    expect(dueAgreements({ agreements: [pupilAua()] }, 'staff', new Map(), T0, 'en-GB')).toEqual(
      [],
    );
    const [due] = dueAgreements({ agreements: [pupilAua()] }, 'pupil', new Map(), T0, 'cy-GB');
    expect(due).toMatchObject({
      title: 'Defnyddio cyfrifiaduron',
      hash: agreementHash(pupilAua()),
    });
    expect(localisedAgreement(pupilAua(), 'fr').title).toBe('Using school computers');
  });
});

describe('the unlock wait', () => {
  const s = { freeAttempts: 3, baseDelaySeconds: 5, maxDelaySeconds: 900 };

  it('lets the free tries go, then doubles from the base up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 12, 13, 40].map((n) => delayAfter(n, s))).toEqual([
      0, 0, 5, 10, 20, 40, 900, 900, 900,
    ]);
  });

  it('counts down in whole seconds, rounding up, to zero at the end of the wait', () => {
    let state = NO_FAILURES;
    for (let i = 0; i < 3; i++) state = afterFailure(state, T0, s);
    expect(state).toEqual({ failures: 3, waitUntil: T0 + 5000 });
    expect(secondsToWait(state, T0)).toBe(5);
    expect(secondsToWait(state, T0 + 1)).toBe(5);
    expect(secondsToWait(state, T0 + 1000)).toBe(4);
    expect(secondsToWait(state, T0 + 4001)).toBe(1);
    expect(secondsToWait(state, T0 + 5000)).toBe(0);
    expect(secondsToWait(state, T0 + 9000)).toBe(0);
    expect(secondsToWait(NO_FAILURES, T0)).toBe(0);
  });
});
