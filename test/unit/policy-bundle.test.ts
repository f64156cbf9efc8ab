import { describe, expect, it } from 'vitest';
import { generateKeyPairSync, sign } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import {
  peekBundle,
  signPolicy,
  verifyBundle,
  type BundleFailureCode,
} from '../../src/core/policy/bundle';
import { jsonDepthExceeds } from '../../src/core/policy/json-depth';
import { parsePolicyYaml } from '../../src/core/policy/policy-yaml';
import type { Policy } from '../../src/core/policy/schema';
import { MINIMAL_POLICY_YAML } from '../../src/admin/minimal-policy';

const pair = generateKeyPairSync('ed25519');
const stranger = generateKeyPairSync('ed25519');
const pubPem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const trusted = new Map([['trust-2026', pubPem]]);

function policy(serial = 42): Policy {
  const r = parsePolicyYaml(MINIMAL_POLICY_YAML);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return { ...r.policy, serial, issuedAt: '2026-11-22T09:00:00Z' };
}
const enc = (s: string) => new TextEncoder().encode(s);
const verified = (text: string) => {
  const r = verifyBundle(enc(text), trusted);
  if (!r.ok) throw new Error(r.message);
  return r.policy;
};
const header = (over: Record<string, unknown> = {}) =>
  JSON.stringify({ format: 'classlock-policy/2', keyId: 'trust-2026', ...over });
const signedV2 = (payload: string) =>
  `${header({ signature: sign(null, Buffer.from(payload), pair.privateKey).toString('base64') })}\n${payload}`;
const signedRaw = (payload: string) =>
  JSON.stringify({
    format: 'classlock-policy/1',
    keyId: 'trust-2026',
    payload,
    signature: sign(null, Buffer.from(payload), pair.privateKey).toString('base64'),
  });

describe('signing and verifying a policy bundle', () => {
  it('verifies what it signed and reports serial, key id and issuedAt', () => {
    const text = signPolicy(policy(), pair.privateKey, 'trust-2026');
    const r = verifyBundle(enc(text), trusted, { minSerial: 42 });
    expect(r).toMatchObject({
      ok: true,
      serial: 42,
      keyId: 'trust-2026',
      issuedAt: Date.parse('2026-11-22T09:00:00Z'),
    });
    expect(r.ok && r.policy.organisation.name).toBe('Example School');
  });

  it('writes format 2: one header line, then the policy JSON itself, which gzips well', () => {
    const text = signPolicy(policy(), pair.privateKey, 'trust-2026');
    const [head, ...rest] = text.split('\n');
    expect(JSON.parse(head!)).toMatchObject({ format: 'classlock-policy/2', keyId: 'trust-2026' });
    expect(JSON.parse(rest.join('\n')).serial).toBe(42);
    expect(gzipSync(text).length).toBeLessThan(text.length / 2);
    expect(peekBundle(enc(text))).toMatchObject({ format: 2, keyId: 'trust-2026' });
  });

  it('still reads format 1, which classlock-admin sign --format 1 writes', () => {
    const text = signPolicy(policy(), pair.privateKey, 'trust-2026', { format: 1 });
    const b = JSON.parse(text) as { format: string; payload: string };
    expect(b.format).toBe('classlock-policy/1');
    expect(JSON.parse(b.payload).serial).toBe(42);
    const r = verifyBundle(enc(text), trusted);
    expect(r.ok && r.policy).toEqual(verified(signPolicy(policy(), pair.privateKey, 'trust-2026')));
    expect(peekBundle(enc(text))).toMatchObject({ format: 1, keyId: 'trust-2026' });
  });

  it('signs the bytes after the header exactly: a changed, added or dropped byte is refused', () => {
    const text = signPolicy(policy(), pair.privateKey, 'trust-2026');
    for (const bad of [
      text.replace('"serial":42', '"serial":43'),
      text.replace(/}\n$/, '\n'),
      text.replace('\n', '\n '),
    ]) {
      const r = verifyBundle(enc(bad), trusted);
      expect(r.ok ? 'accepted' : r.code).toBe('bad-signature');
    }
  });

  it('accepts line ends changed (a Windows copy) and white space added after the payload', () => {
    const text = signPolicy(policy(), pair.privateKey, 'trust-2026');
    for (const copy of [text.replace(/\n/g, '\r\n'), `${text}\n\n  `, text.trimEnd()]) {
      expect(verifyBundle(enc(copy), trusted).ok).toBe(true);
    }
  });

  it('reads a format 2 payload with text beyond ASCII (Welsh agreement texts)', () => {
    const p = policy();
    p.organisation.name = 'Ysgol Gymraeg Llŷn — “Ein ysgol”';
    const r = verifyBundle(enc(signPolicy(p, pair.privateKey, 'trust-2026')), trusted);
    expect(r.ok && r.policy.organisation.name).toBe('Ysgol Gymraeg Llŷn — “Ein ysgol”');
  });

  it('trusts a key given as PEM, as a KeyObject or as the bare base64 of a Group Policy value', () => {
    const text = enc(signPolicy(policy(), pair.privateKey, 'trust-2026'));
    const body = pubPem.replace(/-----[^-]+-----/g, '').replace(/\s/g, '');
    for (const key of [pubPem, pair.publicKey, body]) {
      expect(verifyBundle(text, new Map([['trust-2026', key]])).ok).toBe(true);
    }
  });

  const good = () => signPolicy(policy(), pair.privateKey, 'trust-2026');
  const goodV1 = () => signPolicy(policy(), pair.privateKey, 'trust-2026', { format: 1 });
  const cases: [
    string,
    () => Uint8Array,
    BundleFailureCode,
    RegExp,
    { minSerial?: number; maxBytes?: number }?,
  ][] = [
    [
      'over the size limit',
      () => enc(good()),
      'too-large',
      /is \d+ KB, over the limit of 1 KB/,
      { maxBytes: 1024 },
    ],
    [
      'not JSON',
      () => enc('<html>Sign in to the Wi-Fi</html>'),
      'not-json',
      /not JSON; it starts "<html>Sign in to the Wi-Fi<\/ht"/,
    ],
    [
      'not text at all',
      () => new Uint8Array([0xff, 0xfe, 0x00, 0x81]),
      'not-json',
      /not valid UTF-8/,
    ],
    [
      'nested 100,000 levels deep',
      () => enc('{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000)),
      'too-deep',
      /nested more than 64 levels/,
    ],
    [
      'a signed payload nested too deep',
      () => enc(signedRaw('['.repeat(70) + ']'.repeat(70))),
      'too-deep',
      /signed policy is nested/,
    ],
    [
      'an unknown format version',
      () => enc(JSON.stringify({ ...JSON.parse(goodV1()), format: 'classlock-policy/9' })),
      'unknown-format',
      /"classlock-policy\/9" is not one this terminal reads \(classlock-policy\/2 or classlock-policy\/1\)/,
    ],
    [
      'format 2 written as a format 1 envelope',
      () => enc(JSON.stringify({ ...JSON.parse(goodV1()), format: 'classlock-policy/2' })),
      'bad-envelope',
      /starts with one header line/,
    ],
    [
      'a format 2 header without its signature',
      () => enc(`${header()}\n${JSON.stringify(policy())}`),
      'bad-envelope',
      /signature/,
    ],
    [
      'a format 2 header with a field too many',
      () => enc(`${header({ signature: 'AAAA', note: 'x' })}\n{}`),
      'bad-envelope',
      /note/,
    ],
    [
      'a format 2 file signed by a key the terminal does not know',
      () => enc(signPolicy(policy(), pair.privateKey, 'old-2024')),
      'untrusted-key',
      /old-2024/,
    ],
    [
      'a format 2 payload that is not JSON',
      () => enc(signedV2('serial: 42')),
      'payload-not-json',
      /not JSON/,
    ],
    [
      'a format 2 payload that is not UTF-8',
      () => {
        const bad = Buffer.from([0x7b, 0xff, 0x7d]);
        const sig = sign(null, bad, pair.privateKey).toString('base64');
        return Buffer.concat([Buffer.from(`${header({ signature: sig })}\n`), bad]);
      },
      'payload-not-json',
      /UTF-8/,
    ],
    [
      'a format 2 payload nested 100,000 levels deep',
      () => enc(signedV2('['.repeat(100_000) + ']'.repeat(100_000))),
      'too-deep',
      /signed policy is nested more than 64/,
    ],
    [
      'a format 2 payload that breaks the schema',
      () => enc(signedV2(JSON.stringify({ ...policy(), profiles: [], extra: 1 }))),
      'schema',
      /breaks the policy rules: .*profiles: needs at least one entry.*extra: unknown field/,
    ],
    [
      'a format 2 payload with a sanction the schema refuses',
      () =>
        enc(
          signedV2(
            JSON.stringify({
              ...policy(),
              sanctions: [
                {
                  id: 'a',
                  user: 'x',
                  scope: 'network',
                  reason: 'r',
                  issuedBy: 'IT',
                  issuedAt: '31/12',
                },
              ],
            }),
          ),
        ),
      'schema',
      /sanctions\[0\]\.issuedAt: "31\/12" is not a date/,
    ],
    ['no format at all', () => enc('{"serial": 42}'), 'unknown-format', /has no "format"/],
    [
      'a damaged envelope',
      () => enc(JSON.stringify({ ...JSON.parse(goodV1()), signature: undefined })),
      'bad-envelope',
      /signature/,
    ],
    [
      'a key id the terminal does not trust',
      () => enc(signPolicy(policy(), pair.privateKey, 'old-2024')),
      'untrusted-key',
      /signed with key old-2024, which this terminal does not trust \(trusted: trust-2026\)/,
    ],
    [
      'a good signature by another key',
      () => enc(signPolicy(policy(), stranger.privateKey, 'trust-2026')),
      'bad-signature',
      /^signature does not match key trust-2026$/,
    ],
    [
      'one changed byte in a format 1 payload',
      () => enc(goodV1().replace('\\"serial\\":42', '\\"serial\\":43')),
      'bad-signature',
      /signature does not match key trust-2026/,
    ],
    [
      'a signed payload that is not JSON',
      () => enc(signedRaw('serial: 42')),
      'payload-not-json',
      /not JSON/,
    ],
    [
      'a signed payload that breaks the schema',
      () => enc(signedRaw(JSON.stringify({ ...policy(), profiles: [], extra: 1 }))),
      'schema',
      /breaks the policy rules: .*profiles: needs at least one entry.*extra: unknown field/,
    ],
    [
      'an older serial',
      () => enc(good()),
      'serial-rollback',
      /serial 42 is older than the one in force \(43\)/,
      { minSerial: 43 },
    ],
  ];
  it.each(cases)('refuses %s with its own code and words', (_n, bytes, code, message, opts) => {
    const r = verifyBundle(bytes(), trusted, opts ?? {});
    expect(r.ok).toBe(false);
    expect(r.ok ? null : r.code).toBe(code);
    expect(r.ok ? '' : r.message).toMatch(message);
  });
});

describe('the nesting guard', () => {
  it('counts brackets only outside strings', () => {
    expect(jsonDepthExceeds('{"a":"[[[[[[[[[[[[[[[[[[[[[[[[\\"[[[[[[["}', 3)).toBe(false);
    expect(jsonDepthExceeds('[[[[1]]]]', 3)).toBe(true);
    expect(jsonDepthExceeds('[[[1]]]', 3)).toBe(false);
    expect(jsonDepthExceeds('[[],[],[],[],[]]', 2)).toBe(false);
  });
});

describe('the words of a refusal, each naming what to fix', () => {
  const refused = (bytes: Uint8Array, keys: Map<string, unknown> = trusted, opts = {}) => {
    const r = verifyBundle(bytes, keys as Map<string, string>, opts);
    return r.ok ? 'accepted' : `${r.code}: ${r.message}`;
  };

  it('refuses to sign under a key id terminals could not name', () => {
    expect(() => signPolicy(policy(), pair.privateKey, 'trust 2026!')).toThrow(
      '"trust 2026!" is not a usable key id (letters, digits, dot, dash, underscore)',
    );
  });

  it('gives sizes in bytes, KB or MB, and accepts a file of exactly the limit', () => {
    const text = enc(signPolicy(policy(), pair.privateKey, 'trust-2026'));
    expect(refused(text, trusted, { maxBytes: 100 })).toMatch(
      /^too-large: the policy file is \d+ KB, over the limit of 100 bytes$/,
    );
    const big = new Uint8Array(3 * 1024 * 1024);
    expect(refused(big, trusted, { maxBytes: 2 * 1024 * 1024 })).toBe(
      'too-large: the policy file is 3.0 MB, over the limit of 2.0 MB',
    );
    expect(verifyBundle(text, trusted, { maxBytes: text.byteLength }).ok).toBe(true);
  });

  it('names the trusted keys, or says there are none, and a trusted key that is not a key', () => {
    const text = enc(signPolicy(policy(), pair.privateKey, 'trust-2026'));
    expect(refused(text, new Map())).toBe(
      'untrusted-key: signed with key trust-2026, which this terminal does not trust (trusted: none)',
    );
    expect(
      refused(
        text,
        new Map([
          ['a', pubPem],
          ['b', pubPem],
        ]),
      ),
    ).toMatch(/\(trusted: a, b\)$/);
    expect(refused(text, new Map([['trust-2026', 'not a key']]))).toMatch(
      /^untrusted-key: the trusted key trust-2026 .+/,
    );
  });

  it('lists ten schema problems and counts the rest', () => {
    const p = { ...policy(), sanctions: Array.from({ length: 13 }, (_, i) => ({ id: `s${i}` })) };
    const message = refused(enc(signedV2(JSON.stringify(p))));
    expect(message).toMatch(/^schema: the signed policy breaks the policy rules: sanctions\[0\]/);
    const shown = message.split('; ').length;
    expect(shown).toBe(10);
    expect(message).toMatch(
      / and \d+ more \(this Classlock may be older than the tool that signed it\)$/,
    );
    const few = { ...policy(), sanctions: [{ id: 'x' }] };
    expect(refused(enc(signedV2(JSON.stringify(few))))).not.toMatch(/more \(/);
  });

  it('tells JSON that is not a bundle from a damaged one, in words', () => {
    for (const text of ['[1, 2]', '"policy"', 'null', '42']) {
      expect(refused(enc(text))).toBe(
        'bad-envelope: the policy file is JSON but not a signed policy bundle',
      );
    }
    const v1 = JSON.parse(signPolicy(policy(), pair.privateKey, 'x', { format: 1 })) as object;
    expect(refused(enc(JSON.stringify({ ...v1, keyId: 'a b' })))).toBe(
      'bad-envelope: the policy bundle is damaged (keyId: is not a key id)',
    );
    expect(refused(enc('  <html>\n\n   <body>Please sign in to the network'))).toBe(
      'not-json: the policy file is not a signed policy (not JSON; it starts "<html> <body>Please sign i")',
    );
  });

  it('reads a header only from a first line that starts with {', () => {
    const text = signPolicy(policy(), pair.privateKey, 'trust-2026');
    expect(refused(enc(` ${text}`))).toMatch(/^not-json/);
    expect(refused(enc(`\n${text}`))).toMatch(/^not-json/);
    expect(verifyBundle(enc(text), trusted).ok).toBe(true);
    // A format 2 header alone, with nothing signed after it.
    const headerOnly = `${text.slice(0, text.indexOf('\n'))}\n`;
    expect(refused(enc(headerOnly))).toBe('bad-signature: signature does not match key trust-2026');
  });

  it('peeks at a bundle without trusting it, and at nothing else', () => {
    const text = signPolicy(policy(), pair.privateKey, 'trust-2026');
    expect(JSON.parse(peekBundle(enc(text))!.payload).serial).toBe(42);
    const v1 = signPolicy(policy(), pair.privateKey, 'trust-2026', { format: 1 });
    expect(JSON.parse(peekBundle(enc(v1))!.payload).serial).toBe(42);
    expect(peekBundle(enc(`${header({ signature: 1 })}\n{}`))).toBeUndefined();
    expect(peekBundle(enc('{"a":'.repeat(100) + '1' + '}'.repeat(100)))).toBeUndefined();
    expect(peekBundle(enc('not json'))).toBeUndefined();
    expect(
      peekBundle(
        Buffer.concat([Buffer.from(`${header({ signature: 'AAAA' })}\n`), Buffer.from([0xff])]),
      ),
    ).toBeUndefined();
  });
});
