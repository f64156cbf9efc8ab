import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { rm, writeFile } from 'node:fs/promises';
import { ManualClock } from '../../src/core/clock';
import { StateEnforcer } from '../support/state-enforcer';
import type { Sanction } from '../../src/core/policy/schema';
import { TrustedTime } from '../../src/core/time/trusted-time';
import { defaultPolicy, policyWith, tempDir } from '../support/policy';
import { openSession, T0 } from '../support/session';

let dir: { path: string; remove: () => Promise<void> };
beforeEach(async () => {
  dir = await tempDir();
});
afterEach(async () => dir.remove());

const sanction = (s: Partial<Sanction>): Sanction => ({
  id: 's1',
  user: 'y7.pupil',
  scope: 'internet',
  kind: 'sanction',
  reason: 'Used a proxy site to get round the filter',
  issuedBy: 'Mr Patel',
  issuedAt: '2026-11-20',
  ...s,
});

const withSanctions = (...list: Sanction[]) =>
  policyWith((p) => {
    p.sanctions = list;
    p.sanctionSettings.allowList = ['intranet.example.sch.uk', '10.0.0.0/8'];
  });

async function pupilPastAgreement(policy = defaultPolicy(), extra = {}) {
  const s = await openSession(policy, dir.path, extra);
  for (let v = s.rt.view(); v.screen === 'agreement'; v = s.rt.view()) {
    await s.rt.intent({
      type: 'acceptAgreement',
      agreementId: v.agreement.id,
      version: v.agreement.version,
    });
  }
  return s;
}

describe('a pupil with a network sanction', () => {
  it('sees the blocked screen at login, with the reason and the date, then is logged off', async () => {
    const s = await openSession(
      withSanctions(sanction({ scope: 'network', until: '2026-12-04' })),
      dir.path,
    );
    const v = s.rt.view();
    expect(v).toMatchObject({
      screen: 'blocked',
      scope: 'network',
      reason: 'Used a proxy site to get round the filter',
      until: '2026-12-04T00:00:00.000Z',
      secondsLeft: 60,
    });
    await s.idleFor(59);
    expect(s.shell.logoffs).toBe(0);
    await s.idleFor(1, 59);
    expect(s.rt.view()).toMatchObject({ screen: 'loggingOff', reason: 'sanction' });
    expect(s.shell.logoffs).toBe(1);
  });

  it('says "until a member of staff lifts it" when the sanction is permanent', async () => {
    const s = await openSession(withSanctions(sanction({ scope: 'network' })), dir.path);
    expect(s.rt.view()).toMatchObject({ screen: 'blocked', until: null });
  });

  it('arriving mid-session gives the grace period to save work', async () => {
    const s = await pupilPastAgreement();
    await s.rt.policyChanged(withSanctions(sanction({ scope: 'network' })));
    expect(s.rt.view()).toMatchObject({ screen: 'blocked', scope: 'network', secondsLeft: 300 });
    await s.idleFor(299);
    expect(s.shell.logoffs).toBe(0);
    await s.idleFor(1, 299);
    expect(s.shell.logoffs).toBe(1);
  });

  it('a lift published while the blocked screen shows lets the pupil carry on', async () => {
    const s = await pupilPastAgreement();
    await s.rt.policyChanged(withSanctions(sanction({ scope: 'network' })));
    await s.rt.policyChanged(withSanctions());
    expect(s.rt.view().screen).toBe('none');
    expect((await s.audit()).map((r) => r.event)).toContain('sanction.lifted');
  });

  it('does not apply to the same name in another domain', async () => {
    const s = await openSession(
      withSanctions(sanction({ scope: 'network', user: 'OTHER\\y7.pupil' })),
      dir.path,
    );
    expect(s.rt.view().screen).toBe('agreement');
  });
});

describe('a pupil with an internet sanction', () => {
  it('is told once, the enforcer withdraws internet with the allow list, and the tray knows', async () => {
    const enforcer = new StateEnforcer();
    const s = await pupilPastAgreement(withSanctions(sanction({ until: '2026-11-27' })), {
      enforcer,
      infrastructureHosts: ['policy.example.sch.uk'],
    });
    expect(s.rt.view()).toMatchObject({
      screen: 'blocked',
      scope: 'internet',
      until: '2026-11-27T00:00:00.000Z',
    });
    expect(enforcer.restricted.get('SCHOOL\\y7.pupil')).toEqual([
      'intranet.example.sch.uk',
      '10.0.0.0/8',
      'policy.example.sch.uk',
    ]);
    expect(s.shell.ownRequests.at(-1)).toContain('policy.example.sch.uk');
    await s.rt.intent({ type: 'dismissNotice', notice: 'internet' });
    expect(s.rt.view().screen).toBe('none');
    expect(s.rt.status()).toEqual({ restriction: 'internet' });
    // Once per session: a later lock and unlock does not show it again.
    await s.rt.lockNow();
    expect(s.rt.view().screen).toBe('locked');
  });

  it('published mid-session is applied at once and lifted when IT lifts it', async () => {
    const enforcer = new StateEnforcer();
    const s = await pupilPastAgreement(defaultPolicy(), { enforcer });
    await s.rt.policyChanged(withSanctions(sanction({})));
    expect(s.rt.view()).toMatchObject({ screen: 'blocked', scope: 'internet' });
    expect(enforcer.restricted.has('SCHOOL\\y7.pupil')).toBe(true);
    await s.rt.policyChanged(withSanctions());
    expect(enforcer.restricted.size).toBe(0);
    expect(s.rt.view().screen).toBe('none');
    const events = (await s.audit()).map((r) => r.event);
    expect(events).toEqual(
      expect.arrayContaining([
        'sanction.internetWithdrawn',
        'enforcement.applied',
        'sanction.internetRestored',
        'enforcement.lifted',
      ]),
    );
  });

  it("a parent's opt-out is its own kind of restriction", async () => {
    const s = await pupilPastAgreement(
      withSanctions(sanction({ kind: 'parentalOptOut', reason: 'Parent asked in writing' })),
    );
    expect(s.rt.view()).toMatchObject({
      screen: 'blocked',
      scope: 'internet',
      kind: 'parentalOptOut',
      until: null,
    });
  });

  it('a failed enforcement still shows the notice, and IT sees why', async () => {
    const enforcer = new StateEnforcer();
    enforcer.fail = true;
    const s = await pupilPastAgreement(withSanctions(sanction({})), { enforcer });
    expect(s.rt.view()).toMatchObject({ screen: 'blocked', scope: 'internet' });
    expect(s.rt.status().enforcementError).toMatch(/test enforcer: classlock-netd is not running/);
    expect((await s.audit()).find((r) => r.event === 'enforcement.failed')).toBeTruthy();
  });
});

describe('sanctions end on time, and never early', () => {
  const until = '2026-11-24'; // Tuesday: access returns that morning, 00:00 London time
  const end = Date.parse('2026-11-24T00:00:00Z');

  async function sanctionedWithTrustedTime(clock: ManualClock, mono: { t: number }) {
    const trusted = await TrustedTime.load(join(dir.path, 'trusted-time.json'), {
      clock,
      monotonic: () => mono.t,
    });
    await trusted.observe(T0, 'bundle-issuedAt');
    const enforcer = new StateEnforcer();
    const s = await pupilPastAgreement(withSanctions(sanction({ until })), {
      enforcer,
      clock,
      trustedNow: () => trusted.now(),
    });
    await s.rt.intent({ type: 'dismissNotice', notice: 'internet' });
    return { s, enforcer, trusted };
  }

  it('lifts at its end without waiting for a poll', async () => {
    const clock = new ManualClock(T0);
    const mono = { t: 0 };
    const { s, enforcer } = await sanctionedWithTrustedTime(clock, mono);
    const tick = async (ms: number) => {
      clock.advance(ms);
      mono.t += ms;
      await s.rt.idle(0);
    };
    await tick(end - T0 - 1000);
    expect(enforcer.restricted.size).toBe(1);
    await tick(1000);
    expect(enforcer.restricted.size).toBe(0);
    expect(s.rt.status()).toEqual({});
  });

  it('lifts on time even when the records folder cannot be read at that moment', async () => {
    const clock = new ManualClock(T0);
    const mono = { t: 0 };
    const { s, enforcer } = await sanctionedWithTrustedTime(clock, mono);
    // The end falls due while the acceptances folder is unreadable (a network profile
    // glitch, a folder swapped for a file): the lift must not depend on reading it.
    await rm(join(dir.path, 'acceptances'), { recursive: true, force: true });
    await writeFile(join(dir.path, 'acceptances'), 'not a folder');
    clock.advance(end - T0);
    mono.t += end - T0;
    await s.rt.idle(0);
    expect(enforcer.restricted.size).toBe(0);
    expect(s.rt.status()).toEqual({});
  });

  it('setting the PC clock forward a week lifts nothing', async () => {
    const clock = new ManualClock(T0);
    const mono = { t: 0 };
    const { s, enforcer } = await sanctionedWithTrustedTime(clock, mono);
    clock.advance(7 * 86_400_000);
    mono.t += 1000;
    await s.rt.idle(0);
    expect(enforcer.restricted.size).toBe(1);
    expect(s.rt.status()).toEqual({ restriction: 'internet' });
  });

  it('setting the PC clock back changes nothing either', async () => {
    const clock = new ManualClock(T0);
    const mono = { t: 0 };
    const { s, enforcer } = await sanctionedWithTrustedTime(clock, mono);
    clock.set(T0 - 30 * 86_400_000);
    mono.t += 1000;
    await s.rt.idle(0);
    expect(enforcer.restricted.size).toBe(1);
  });
});

describe('an internet restriction undone from outside Classlock', () => {
  it('is put back at the next policy check', async () => {
    const enforcer = new StateEnforcer();
    const s = await pupilPastAgreement(withSanctions(sanction({})), { enforcer });
    // e.g. the helper restarted, or Group Policy rewrote the proxy settings
    await enforcer.clearLeftovers();
    expect(enforcer.restricted.size).toBe(0);
    await s.rt.reassert();
    expect(enforcer.restricted.has('SCHOOL\\y7.pupil')).toBe(true);
  });

  it('is not invented for a pupil with no sanction', async () => {
    const enforcer = new StateEnforcer();
    const s = await pupilPastAgreement(defaultPolicy(), { enforcer });
    await s.rt.reassert();
    expect(enforcer.restricted.size).toBe(0);
  });
});
