import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkSanctionList } from '../../src/core/policy/sanction-check';
import { PolicySchema, SanctionSchema } from '../../src/core/policy/schema';
import { fastValidatePolicy, parsePolicyYaml } from '../../src/core/policy/policy-yaml';
import { MINIMAL_POLICY_YAML } from '../../src/admin/minimal-policy';

// The hand check must say yes exactly when zod says yes, and give what zod gives.
const ListSchema = z.array(SanctionSchema);
const zodAnswer = (list: unknown) => {
  const r = ListSchema.safeParse(list);
  if (!r.success) return undefined;
  const ids = new Set(r.data.map((s) => s.id));
  const optOutOk = r.data.every((s) => s.kind !== 'parentalOptOut' || s.scope === 'internet');
  return ids.size === r.data.length && optOutOk ? r.data : undefined;
};

const good = {
  id: 's-1',
  user: 'SCHOOL\\pupil1',
  scope: 'internet',
  kind: 'sanction',
  until: '2026-12-04',
  reason: 'Breach of the agreement',
  issuedBy: 'Head of IT',
  issuedAt: '2026-11-01T09:00:00Z',
};

const variants: [string, Record<string, unknown>][] = [
  ['as signed', good],
  ['without kind', { ...good, kind: undefined }],
  ['without until', { ...good, until: undefined }],
  ['with an instant until', { ...good, until: '2026-12-04T15:30:00+01:00' }],
  ['with fractional seconds', { ...good, until: '2026-12-04T15:30:00.250Z' }],
  ['with spaces to trim', { ...good, id: '  s-1 ', user: ' pupil1', reason: 'r ' }],
  ['a parental opt-out', { ...good, kind: 'parentalOptOut' }],
  ['a leap day', { ...good, until: '2028-02-29' }],
  ['no leap day', { ...good, until: '2027-02-29' }],
  ['an opt-out of the network', { ...good, kind: 'parentalOptOut', scope: 'network' }],
  ['an unknown scope', { ...good, scope: 'printing' }],
  ['an unknown kind', { ...good, kind: 'warning' }],
  ['an unknown field', { ...good, note: 'x' }],
  ['an empty id', { ...good, id: '   ' }],
  ['a number for a user', { ...good, user: 42 }],
  ['a UK date', { ...good, until: '04/12/2026' }],
  ['an instant without a zone', { ...good, until: '2026-12-04T15:30:00' }],
  ['a null until', { ...good, until: null }],
  ['no issuedAt', { ...good, issuedAt: undefined }],
  ['the 31st of November', { ...good, issuedAt: '2026-11-31' }],
  ['hour 24', { ...good, until: '2026-12-04T24:00:00Z' }],
];

describe('the hand-tuned sanction check', () => {
  it.each(variants)('agrees with the schema on a sanction %s', (_name, sanction) => {
    const s = JSON.parse(JSON.stringify(sanction)) as unknown;
    const fast = checkSanctionList([s]);
    const slow = zodAnswer([s]);
    expect(fast === undefined).toBe(slow === undefined);
    // Same fields, same values, same order.
    expect(JSON.stringify(fast)).toBe(JSON.stringify(slow));
  });

  it('agrees on a list that reuses an id, an array, null and a list that is not a list', () => {
    for (const list of [
      [good, good],
      [good, []],
      [null],
      {},
      'x',
      [good, { ...good, id: 's-2' }],
    ]) {
      expect(checkSanctionList(list) === undefined).toBe(zodAnswer(list) === undefined);
    }
  });

  it('gives the same policy as the whole schema for a policy with sanctions', () => {
    const r = parsePolicyYaml(MINIMAL_POLICY_YAML);
    if (!r.ok) throw new Error(r.errors.join('\n'));
    const data = JSON.parse(
      JSON.stringify({
        ...r.policy,
        sanctions: variants.slice(0, 8).map(([n, s], i) => ({ ...s, id: `${n}-${i}` })),
      }),
    ) as unknown;
    const whole = PolicySchema.safeParse(data);
    expect(whole.success).toBe(true);
    expect(JSON.stringify(fastValidatePolicy(data))).toBe(JSON.stringify(whole.data));
    expect(
      fastValidatePolicy({ ...(data as object), sanctions: [{ ...good, scope: 'x' }] }),
    ).toBeUndefined();
  });
});
