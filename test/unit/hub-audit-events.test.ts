import { describe, expect, it } from 'vitest';
import { HubEventSchema } from '../../src/shared/hub-protocol';
import { hubEventsFor } from '../../src/service/hub-link/audit-to-hub';

/** What the school's hub learns from a PC's audit log, and what stays on the PC. */
const valid = (e: object) =>
  HubEventSchema.safeParse({ id: crypto.randomUUID(), at: new Date().toISOString(), ...e }).success;

describe('the audit events the hub keeps', () => {
  it('turns an acceptance into the record that stops other PCs asking', () => {
    const [e] = hubEventsFor({
      event: 'agreement.accepted',
      user: 'y7.pupil',
      agreementId: 'pupil-aua',
      version: '3',
      hash: 'abc123',
      typedName: 'Sam Pupil',
    });
    expect(e).toEqual({
      kind: 'acceptance',
      person: 'y7.pupil',
      agreementId: 'pupil-aua',
      version: '3',
      textHash: 'abc123',
      typedName: 'Sam Pupil',
    });
    expect(valid(e!)).toBe(true);
  });

  it('names unlock methods in the hub’s words, and lock reasons it knows', () => {
    expect(hubEventsFor({ event: 'session.unlocked', user: 'mrs.jones', method: 'ldap' })).toEqual([
      { kind: 'unlock', person: 'mrs.jones', method: 'directory' },
    ]);
    expect(hubEventsFor({ event: 'unlock.failed', user: 'mrs.jones', method: 'pin' })).toEqual([
      { kind: 'unlockFailed', person: 'mrs.jones', method: 'pin' },
    ]);
    expect(hubEventsFor({ event: 'session.locked', user: 'p', reason: 'idle' })[0]).toMatchObject({
      reason: 'idle',
    });
    // A hidden screen is a concern, relayed on its own: as a lock it is only "other".
    expect(
      hubEventsFor({ event: 'session.locked', user: 'p', reason: 'concern' })[0],
    ).toMatchObject({ reason: 'other' });
  });

  it('sends one sanction event per sanction, each valid for the hub', () => {
    const out = hubEventsFor({
      event: 'sanction.internetWithdrawn',
      user: 'y9.pupil',
      sanctionIds: ['s-1', 's-2'],
    });
    expect(out.map((e) => 'sanctionId' in e && e.sanctionId)).toEqual(['s-1', 's-2']);
    expect(out.every(valid)).toBe(true);
    expect(
      hubEventsFor({ event: 'sanction.lifted', user: 'y9.pupil', sanctionIds: ['n-1'] }),
    ).toEqual([
      { kind: 'sanctionLifted', person: 'y9.pupil', sanctionId: 'n-1', scope: 'network' },
    ]);
  });

  it('keeps the policy state and missing clients, with long reasons cut to fit', () => {
    const [r] = hubEventsFor({
      event: 'policy.rejected',
      reason: 'x'.repeat(900),
      serialInForce: 41,
    });
    expect(r).toMatchObject({ kind: 'policyRejected', serial: 41 });
    expect(valid(r!)).toBe(true);
    expect(hubEventsFor({ event: 'policy.applied', serial: 42 })).toEqual([
      { kind: 'policyInForce', serial: 42 },
    ]);
    expect(hubEventsFor({ event: 'watchdog.locked', user: 'p', clientMissingSeconds: 30 })).toEqual(
      [{ kind: 'clientMissing', person: 'p' }],
    );
  });

  it('keeps the rest on the PC, and drops records missing what the hub needs', () => {
    for (const event of ['session.hosted', 'client.gone', 'pin.enrolled', 'concern.raised'])
      expect(hubEventsFor({ event, user: 'p' })).toEqual([]);
    expect(hubEventsFor({ event: 'agreement.accepted', user: 'p', agreementId: 'a' })).toEqual([]);
  });
});
