// Cost of one controller decision, the pure decide(state, event, now), per event kind.
import { performance } from 'node:perf_hooks';
import { decide, initialState, type SessionEvent } from '../src/core/session/controller';
import { deriveFacts } from '../src/core/session/derive-facts';
import { parseUser } from '../src/core/identity/user';
import { defaultPolicy } from '../test/support/policy';

const policy = defaultPolicy();
const now = Date.parse('2026-11-23T09:00:00Z');
const facts = deriveFacts({
  policy,
  user: parseUser('SCHOOL\\mrs.jones'),
  groups: ['Teaching Staff'],
  hostname: 'ROOM12-CR-01',
  locale: 'en-GB',
  acceptances: new Map(),
  hasPin: true,
  sanctions: { network: null, internet: null, active: [], nextChangeAt: null },
  now,
  sessionStartedAt: now,
});
const active = decide(
  initialState({ ...facts, agreementsDue: [] }),
  { type: 'started', facts: { ...facts, agreementsDue: [] } },
  now,
).state;

const cases: [string, SessionEvent][] = [
  ['idle tick (no change)', { type: 'idle', seconds: 5 }],
  ['idle tick → warning', { type: 'idle', seconds: 160 }],
  ['idle tick → lock', { type: 'idle', seconds: 200 }],
  ['activity', { type: 'activity' }],
  ['lockNow', { type: 'lockNow' }],
  ['factsChanged', { type: 'factsChanged', facts: { ...facts, agreementsDue: [] } }],
];

const N = 200_000;
for (const [name, event] of cases) {
  for (let i = 0; i < 10_000; i++) decide(active, event, now + 200_000);
  const t0 = performance.now();
  for (let i = 0; i < N; i++) decide(active, event, now + 200_000);
  const us = ((performance.now() - t0) * 1000) / N;
  console.log(`controller: ${name.padEnd(24)} ${us.toFixed(2)} µs/event`);
}
