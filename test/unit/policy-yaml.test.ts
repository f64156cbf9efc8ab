import { describe, expect, it } from 'vitest';
import { parsePolicyYaml } from '../../src/core/policy/policy-yaml';
import { MINIMAL_POLICY_YAML } from '../../src/admin/minimal-policy';

const lineOf = (text: string, needle: string) =>
  text.split('\n').findIndex((l) => l.includes(needle)) + 1;

describe("reading IT's policy.yaml", () => {
  it('accepts the minimal example and fills in the documented defaults', () => {
    const r = parsePolicyYaml(MINIMAL_POLICY_YAML);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.policy.serial).toBe(1);
    expect(r.policy.unlock.methods.pupil).toEqual(['override']);
    expect(r.policy.sanctionSettings.blockedLogoffSeconds).toBe(60);
    expect(r.policy.agreements[0]!.version).toBe('1');
  });

  it('names the YAML path, the problem in words and the line', () => {
    const text = MINIMAL_POLICY_YAML.replace(
      'sanctions: []',
      [
        'sanctions:',
        '  - id: s1',
        '    user: jsmith',
        '    scope: internet',
        '    until: 2026-12-04',
        '    reason: r',
        '    issuedBy: b',
        '    issuedAt: 2026-11-01',
        '  - id: s2',
        '    user: kjones',
        '    scope: web',
        '    until: "31/12"',
        '    reason: r',
        '    issuedBy: b',
        '    issuedAt: 2026-11-01',
        '    colour: red',
      ].join('\n'),
    );
    const r = parsePolicyYaml(text, 'policy.yaml');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual(
      expect.arrayContaining([
        `policy.yaml: sanctions[1].until: "31/12" is not a date (use 2026-12-04 or 2026-12-04T08:00:00Z) (line ${lineOf(text, '31/12')})`,
        `policy.yaml: sanctions[1].scope: "web" is not allowed here (use one of: internet, network) (line ${lineOf(text, 'scope: web')})`,
        `policy.yaml: sanctions[1].colour: unknown field (check the spelling; fields are case-sensitive) (line ${lineOf(text, 'colour')})`,
      ]),
    );
    expect(r.errors).toHaveLength(3);
  });

  it('says a required field is missing, pointing at its section', () => {
    const text = MINIMAL_POLICY_YAML.replace('  itContact: IT office, room 12\n', '');
    const r = parsePolicyYaml(text);
    expect(r.ok ? [] : r.errors).toEqual([
      `organisation.itContact: is missing (line ${lineOf(text, 'name: Example School')})`,
    ]);
  });

  it('words type mistakes and the cross-checks of the whole policy', () => {
    const wrongType = MINIMAL_POLICY_YAML.replace('lockSeconds: 180', 'lockSeconds: three minutes');
    const r1 = parsePolicyYaml(wrongType);
    expect(r1.ok ? [] : r1.errors).toEqual([
      `profiles[0].timeouts.staff.lockSeconds: should be a number, not "three minutes" (line ${lineOf(wrongType, 'three minutes')})`,
    ]);
    const noProfile = MINIMAL_POLICY_YAML.replace('defaultProfile: lab', 'defaultProfile: library');
    const r2 = parsePolicyYaml(noProfile);
    expect(r2.ok ? [] : r2.errors).toEqual([
      `defaultProfile: names no profile in profiles (classroom, lab) (line ${lineOf(noProfile, 'defaultProfile')})`,
    ]);
  });

  it('refuses a field written twice instead of silently taking the last one', () => {
    const text = MINIMAL_POLICY_YAML.replace('serial: 1\n', 'serial: 1\nserial: 2\n');
    const r = parsePolicyYaml(text, 'p.yaml');
    expect(r.ok ? [] : r.errors).toEqual([
      'p.yaml: line 4, column 1: the same field appears twice in one section; keep only one',
    ]);
  });

  it('reports YAML syntax errors with their line', () => {
    const quote = MINIMAL_POLICY_YAML.replace('  name: Example School', '  name: "Example School');
    const r1 = parsePolicyYaml(quote);
    expect(r1.ok ? [] : r1.errors).toEqual([
      expect.stringMatching(
        new RegExp(
          `^line ${lineOf(quote, '"Example')}, column \\d+: a closing bracket or quote is missing`,
        ),
      ),
    ]);
    const tab = MINIMAL_POLICY_YAML.replace('  default: pupil', '\tdefault: pupil');
    const r2 = parsePolicyYaml(tab);
    expect(r2.ok ? [] : r2.errors).toEqual([
      `line ${lineOf(tab, '\tdefault')}, column 1: a tab is used for indentation; use spaces`,
    ]);
  });

  it('refuses an empty file and an alias bomb', () => {
    expect(parsePolicyYaml('# nothing\n')).toEqual({ ok: false, errors: ['the file is empty'] });
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]',
      'e: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]',
    ].join('\n');
    const r = parsePolicyYaml(bomb);
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.errors[0]).toMatch(/alias/i);
  });
});
