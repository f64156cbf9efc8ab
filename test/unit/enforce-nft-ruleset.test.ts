import { describe, expect, it } from 'vitest';
import { nftRuleset } from '../../src/core/enforcement/nft-ruleset';

describe('nftRuleset', () => {
  it('with nobody restricted, it removes Classlock’s table and nothing else', () => {
    expect(nftRuleset(new Map())).toBe('table inet classlock\ndelete table inet classlock\n');
  });

  it('writes exactly these rules for one restricted user', () => {
    const text = nftRuleset(
      new Map([[4242, { v4: ['10.0.0.0/8', '10.213.0.2'], v6: ['fd00::5'] }]]),
    );
    expect(text).toBe(
      [
        'table inet classlock',
        'delete table inet classlock',
        'table inet classlock {',
        '\tset allow4_4242 {',
        '\t\ttype ipv4_addr; flags interval; auto-merge;',
        '\t\telements = { 10.0.0.0/8, 10.213.0.2 }',
        '\t}',
        '\tset allow6_4242 {',
        '\t\ttype ipv6_addr; flags interval; auto-merge;',
        '\t\telements = { fd00::5 }',
        '\t}',
        '\tchain user_4242 {',
        '\t\toifname "lo" accept',
        '\t\tip daddr @allow4_4242 accept',
        '\t\tip6 daddr @allow6_4242 accept',
        '\t\tmeta l4proto tcp reject with tcp reset',
        '\t\treject',
        '\t}',
        '\tchain output {',
        '\t\ttype filter hook output priority filter; policy accept;',
        '\t\tmeta skuid 4242 jump user_4242',
        '\t}',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('gives each user their own allow list and leaves other uids to the default accept', () => {
    const text = nftRuleset(
      new Map([
        [2001, { v4: [], v6: [] }],
        [1500, { v4: ['10.1.0.0/16'], v6: [] }],
      ]),
    );
    expect(
      [...text.matchAll(/meta skuid (\d+) jump user_(\d+)/g)].map((m) => [m[1], m[2]]),
    ).toEqual([
      ['1500', '1500'],
      ['2001', '2001'],
    ]);
    expect(text).not.toMatch(/allow4_2001 \{[^}]*elements/);
    expect(text).toContain('policy accept;');
  });

  it.each([
    [0, { v4: [], v6: [] }, /not a user id/],
    [1500, { v4: ['10.0.0.1 } ; flush ruleset'], v6: [] }, /not an address/],
  ])('refuses uid %s / %j', (uid, allow, why) => {
    expect(() => nftRuleset(new Map([[uid, allow]]))).toThrow(why);
  });
});
