import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock';
import { parseUser } from '../../src/core/identity/user';
import { SanctionIndex } from '../../src/core/sanctions/evaluate';
import { TrustedTime, httpDate } from '../../src/core/time/trusted-time';

const T = (iso: string): number => Date.parse(iso);
const MIN = 60_000;
const DAY = 86_400_000;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'classlock-tt-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A terminal: a wall clock the pupil can move and a monotonic clock they cannot. */
async function terminal(start: string) {
  const wall = new ManualClock(T(start));
  let mono = 5_000;
  const tt = await TrustedTime.load(join(dir, 'trusted-time.json'), {
    clock: wall,
    monotonic: () => mono,
  });
  return {
    wall,
    tt,
    /** Real time passes: both clocks move. */
    elapse(ms: number) {
      wall.advance(ms);
      mono += ms;
    },
  };
}

// A pupil sanctioned until 10:00 today.
const index = new SanctionIndex({
  timeZone: 'Europe/London',
  sanctions: [
    {
      id: 's1',
      user: 'jsmith',
      scope: 'internet',
      kind: 'sanction',
      until: '2026-11-23T10:00:00Z',
      reason: 'r',
      issuedBy: 'IT',
      issuedAt: '2026-11-23T08:00:00Z',
    },
  ],
});
const sanctioned = (at: number): boolean =>
  index.statusFor(parseUser('SCHOOL\\jsmith'), at).internet !== null;

describe('trusted time for sanction expiry', () => {
  it.each([
    ['forward a week', 7 * DAY],
    ['forward a minute past the end', 61 * MIN],
    ['back a week', -7 * DAY],
    ['back to 1970', -T('2026-11-23T09:00:00Z')],
  ])('moving the PC clock %s lifts nothing early', async (_label, shift) => {
    const { wall, tt, elapse } = await terminal('2026-11-23T09:00:00Z');
    await tt.observe(T('2026-11-23T09:00:00Z'), 'bundle-issuedAt');
    elapse(10 * MIN);
    wall.advance(shift);
    expect(sanctioned(tt.now())).toBe(true);
    expect(tt.now()).toBeLessThanOrEqual(T('2026-11-23T09:10:00Z'));
  });

  it('with real time passing and trusted observations, it lifts on time', async () => {
    const { wall, tt, elapse } = await terminal('2026-11-23T09:00:00Z');
    await tt.observe(T('2026-11-23T09:00:00Z'), 'http-date');
    elapse(59 * MIN + 59_000);
    expect(sanctioned(tt.now())).toBe(true);
    elapse(1_000);
    expect(tt.now()).toBe(T('2026-11-23T10:00:00Z'));
    expect(sanctioned(tt.now())).toBe(false);
    await tt.observe(wall.now(), 'http-date');
    expect(sanctioned(tt.now())).toBe(false);
  });

  it('a clock moved back only pauses expiry until the next trusted time', async () => {
    const { wall, tt, elapse } = await terminal('2026-11-23T09:59:00Z');
    await tt.observe(T('2026-11-23T09:59:00Z'), 'http-date');
    wall.advance(-DAY);
    elapse(2 * MIN);
    expect(sanctioned(tt.now())).toBe(true);
    // The next poll brings the server's Date header.
    await tt.observe(T('2026-11-23T10:01:00Z'), 'http-date');
    expect(sanctioned(tt.now())).toBe(false);
  });

  it('never moves backwards, in memory or on disk', async () => {
    const { tt } = await terminal('2026-11-23T09:00:00Z');
    await tt.observe(T('2026-11-23T09:00:00Z'), 'bundle-issuedAt');
    await tt.observe(T('2026-01-01T00:00:00Z'), 'http-date');
    expect(tt.floor()).toBe(T('2026-11-23T09:00:00Z'));
    const stored = JSON.parse(await readFile(join(dir, 'trusted-time.json'), 'utf8'));
    expect(stored.floor).toBe(T('2026-11-23T09:00:00Z'));
  });

  it('after a restart only the stored floor counts until trusted time arrives', async () => {
    const first = await terminal('2026-11-23T09:30:00Z');
    await first.tt.observe(T('2026-11-23T09:30:00Z'), 'bundle-issuedAt');
    // Restart an hour later, no policy server reachable.
    const second = await terminal('2026-11-23T10:30:00Z');
    expect(second.tt.now()).toBe(T('2026-11-23T09:30:00Z'));
    second.elapse(5 * MIN);
    expect(sanctioned(second.tt.now())).toBe(true);
    await second.tt.observe(T('2026-11-23T10:35:00Z'), 'http-date');
    expect(sanctioned(second.tt.now())).toBe(false);
  });

  it('a damaged file is reported and fails closed', async () => {
    await writeFile(join(dir, 'trusted-time.json'), '{"floor": "soon"');
    const { tt } = await terminal('2026-11-23T11:00:00Z');
    expect(tt.problem).toMatch(/damaged/);
    expect(tt.now()).toBe(0);
    expect(sanctioned(tt.now())).toBe(true);
  });

  it('a saved floor pushed into the future by hand lifts nothing early', async () => {
    // Every session may rewrite the file; a pupil writes a floor in 2030 and restarts.
    await writeFile(
      join(dir, 'trusted-time.json'),
      JSON.stringify({
        format: 'classlock-trusted-time/1',
        floor: T('2030-01-01T00:00:00Z'),
        source: 'bundle-issuedAt',
      }),
    );
    const { tt, elapse } = await terminal('2026-11-23T09:00:00Z');
    expect(tt.problem).toMatch(/ahead of this computer's clock/);
    expect(tt.now()).toBe(T('2026-11-23T09:00:00Z'));
    expect(sanctioned(tt.now())).toBe(true);
    // Time then runs as it really does: the sanction lifts at 10:00, not before.
    await tt.observe(T('2026-11-23T09:00:00Z'), 'bundle-issuedAt');
    elapse(59 * MIN);
    expect(sanctioned(tt.now())).toBe(true);
    elapse(MIN);
    expect(sanctioned(tt.now())).toBe(false);
  });

  it('a floor that cannot be saved still holds in memory and is reported', async () => {
    const wall = new ManualClock(T('2026-11-23T09:00:00Z'));
    // A file where the folder should be: the save fails.
    await writeFile(join(dir, 'blocked'), 'x');
    const tt = await TrustedTime.load(join(dir, 'blocked', 'trusted-time.json'), {
      clock: wall,
      monotonic: () => 0,
    });
    await tt.observe(T('2026-11-23T09:00:00Z'), 'http-date');
    expect(tt.now()).toBe(T('2026-11-23T09:00:00Z'));
    expect(tt.saveProblem()).toMatch(/could not save the trusted time/);
  });

  it('reads the HTTP Date header', () => {
    expect(httpDate('Mon, 23 Nov 2026 10:00:00 GMT')).toBe(T('2026-11-23T10:00:00Z'));
    expect(httpDate('yesterday')).toBeUndefined();
    expect(httpDate(null)).toBeUndefined();
  });
});

describe('the trusted time file as a trap', () => {
  it('a FIFO planted in its place does not hang start-up; the floor fails closed', async () => {
    const d = await mkdtemp(join(tmpdir(), 'classlock-tt-fifo-'));
    try {
      execFileSync('mkfifo', [join(d, 'trusted-time.json')]);
      const tt = await TrustedTime.load(join(d, 'trusted-time.json'));
      expect(tt.floor()).toBe(0);
      expect(tt.problem).toMatch(/FIFO/);
    } finally {
      await rm(d, { recursive: true, force: true });
    }
  });
});
