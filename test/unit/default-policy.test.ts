import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { scryptSync, timingSafeEqual } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PolicySchema, ROLES, type Policy } from '../../src/core/policy/schema';
import { resolveProfile, timeoutsFor } from '../../src/core/policy/profile';
import {
  isPlaceholderHash,
  NO_OVERRIDE_HASH,
  OverrideVerifier,
} from '../../src/core/unlock/override-verifier';

const policyPath = fileURLToPath(new URL('../../resources/default-policy.yaml', import.meta.url));
// The seed policies live beside the repository (../shared/seeds), not in it; a clone
// without them skips the own-words checks and says so.
const seedsDir =
  process.env.CLASSLOCK_SEEDS_DIR ??
  fileURLToPath(new URL('../../../shared/seeds', import.meta.url));
const haveSeeds = existsSync(seedsDir);

function loadPolicy(): Policy {
  const result = PolicySchema.safeParse(parse(readFileSync(policyPath, 'utf8')));
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new Error(`the default policy is not valid:\n${problems.join('\n')}`);
  }
  return result.data;
}

const policy = loadPolicy();

function agreement(id: string) {
  const a = policy.agreements.find((x) => x.id === id);
  if (!a) throw new Error(`the default policy has no agreement "${id}"`);
  return a;
}

/** Paragraphs, headings and list items of a Markdown text, as plain text. */
function markdownBlocks(md: string): string[] {
  const blocks: string[] = [];
  let current: string[] = [];
  const flush = () => {
    if (current.length) blocks.push(current.join(' '));
    current = [];
  };
  for (const line of md.split('\n')) {
    const t = line.trim();
    if (!t || /^(#+|\d+\.|[-*])\s/.test(t)) flush();
    if (t) current.push(t.replace(/^(#+|\d+\.|[-*])\s+/, '').replace(/\*\*/g, ''));
  }
  flush();
  return blocks;
}

function sentences(md: string): string[] {
  return markdownBlocks(md)
    .flatMap((b) => b.split(/(?<=[.!?])\s+/))
    .map((s) => s.trim())
    .filter((s) => /[a-z0-9]/i.test(s));
}

const words = (s: string) => s.split(/\s+/).filter((w) => /[a-z0-9]/i.test(w));

/** Case, punctuation and line breaks do not make a copied sentence one's own. */
const normalise = (s: string) =>
  ` ${s
    .toLowerCase()
    .replace(/[’‘]/g, "'")
    .replace(/[^a-z0-9']+/g, ' ')
    .trim()} `;

const seedText = normalise(
  (haveSeeds ? readdirSync(seedsDir) : [])
    .filter((f) => f.endsWith('.txt'))
    .map((f) => readFileSync(join(seedsDir, f), 'utf8'))
    .join('\n'),
);

/** Every text the product shows: agreements, rules and notices. */
function shippedTexts(p: Policy): string[] {
  return [
    ...p.agreements.flatMap((a) => [a.title, a.body]),
    ...p.rules.flatMap((r) => r.items),
    ...p.notices.flatMap((n) => [n.title, n.body]),
  ];
}

function sentencesFoundInSeeds(texts: string[], minWords = 8): string[] {
  return texts
    .flatMap(sentences)
    .filter((s) => words(s).length >= minWords && seedText.includes(normalise(s)));
}

/** Runs of `n` consecutive words shared with the seeds: a pasted phrase inside a sentence. */
function phrasesFoundInSeeds(texts: string[], n = 8): string[] {
  const found: string[] = [];
  for (const s of texts.flatMap(sentences)) {
    const w = normalise(s).trim().split(' ');
    for (let i = 0; i + n <= w.length; i++) {
      const run = w.slice(i, i + n).join(' ');
      if (seedText.includes(` ${run} `)) found.push(run);
    }
  }
  return found;
}

describe('the embedded default policy', () => {
  it('is valid YAML that the policy schema accepts as it stands', () => {
    expect(() => loadPolicy()).not.toThrow();
    expect(policy.serial).toBe(1);
    expect(policy.timeZone).toBe('Europe/London');
    expect(policy.defaultLocale).toBe('en-GB');
  });

  it.each(ROLES)('gives the %s role an agreement and a short list of rules', (role) => {
    // One for everyone of the role; an audience's own (ks1) replaces it for that audience.
    expect(policy.agreements.filter((a) => a.roles.includes(role) && !a.audience)).toHaveLength(1);
    const rules = policy.rules.filter((r) => r.role === role);
    expect(rules).toHaveLength(1);
    expect(rules[0]!.items.length).toBeGreaterThanOrEqual(3);
    expect(rules[0]!.items.length).toBeLessThanOrEqual(7);
  });

  it('shows every role the monitoring notice', () => {
    for (const role of ROLES) {
      expect(policy.notices.some((n) => n.roles.includes(role) && /GDPR/.test(n.body))).toBe(true);
    }
  });

  it('maps staff and visitor groups and guest accounts to their roles, everyone else to pupil', () => {
    const byGroup = (g: string) => policy.roleMapping.rules.find((r) => r.groups?.includes(g));
    expect(byGroup('Teaching Staff')?.role).toBe('staff');
    expect(byGroup('Governors')?.role).toBe('visitor');
    expect(policy.roleMapping.rules.find((r) => r.usernamePattern === 'guest*')?.role).toBe(
      'visitor',
    );
    expect(policy.roleMapping.default).toBe('pupil');
  });

  it('has agreement bodies in Markdown without raw HTML', () => {
    for (const text of [...policy.agreements, ...policy.notices].map((x) => x.body)) {
      expect(text).not.toMatch(/<\/?[a-z!][^>]*>/i);
    }
  });

  it('asks staff to sign with a typed name and pupils and visitors to tick a box', () => {
    expect(agreement('staff-aua').acknowledgement).toBe('typedName');
    expect(agreement('staff-aua').roles).toEqual(['staff']);
    expect(agreement('pupil-aua').acknowledgement).toBe('checkbox');
    expect(agreement('pupil-aua').reacceptDays).toBe(365);
    expect(agreement('visitor-aua').acknowledgement).toBe('checkbox');
  });

  it('gives staff twelve numbered statements', () => {
    const numbered = agreement('staff-aua').body.match(/^\s*\d+\.\s/gm) ?? [];
    expect(numbered).toHaveLength(12);
  });

  it('writes the pupil agreement in short sentences a young child can read', () => {
    const pupil = sentences(agreement('pupil-aua').body);
    const counts = pupil.map((s) => words(s).length);
    const average = counts.reduce((a, b) => a + b, 0) / counts.length;
    console.info(
      `pupil agreement: ${pupil.length} sentences, ${average.toFixed(1)} words per sentence on average, longest ${Math.max(...counts)}`,
    );
    expect(average).toBeLessThanOrEqual(12);
    expect(Math.max(...counts)).toBeLessThanOrEqual(16);
    const promises = agreement('pupil-aua').body.match(/^\s*\d+\.\s+(I will|I know|If I)/gm) ?? [];
    expect(promises.length).toBeGreaterThanOrEqual(10);
    expect(promises.length).toBeLessThanOrEqual(14);
  });

  it('measures sentences the way a reader would (check of the measure itself)', () => {
    const s = sentences('## Title\n\n1. I will log in. I will log off.\n2. Be kind\n   online.');
    expect(s).toEqual(['Title', 'I will log in.', 'I will log off.', 'Be kind online.']);
  });

  it('locks a classroom PC for staff after 3 minutes with a 30 s warning', () => {
    const classroom = resolveProfile(policy, 'ROOM12-CR-01');
    expect(classroom.id).toBe('classroom');
    expect(timeoutsFor(classroom, 'staff')).toEqual({ warnSeconds: 30, lockSeconds: 180 });
    expect(classroom.lockOsForStaff).toBe(true);
    expect(timeoutsFor(classroom, 'pupil')).toEqual({
      warnSeconds: 60,
      lockSeconds: 600,
      logoffAfterLockSeconds: 1200,
    });
  });

  it('locks staffroom PCs after 5 minutes and treats unknown PCs as the pupils lab', () => {
    expect(timeoutsFor(resolveProfile(policy, 'STAFF-PC3'), 'staff').lockSeconds).toBe(300);
    const unknown = resolveProfile(policy, 'DESKTOP-7QX2');
    expect(unknown.id).toBe('lab');
    expect(resolveProfile(policy, 'lab04').id).toBe('lab');
    expect(resolveProfile(policy, 'HALL-LIB-02').id).toBe('library');
  });

  it('frees every locked pupil and visitor session by logging it off in every profile', () => {
    for (const profile of policy.profiles) {
      expect(profile.timeouts.pupil.logoffAfterLockSeconds).toBeGreaterThan(0);
      expect(profile.timeouts.visitor.logoffAfterLockSeconds).toBeGreaterThan(0);
    }
  });

  it('lets staff unlock with a 6 to 8 character PIN, and nobody else without IT', () => {
    expect(policy.unlock.methods.staff).toEqual(['pin', 'override']);
    expect(policy.unlock.methods.pupil).toEqual(['override']);
    expect(policy.unlock.methods.visitor).toEqual(['override']);
    expect(policy.unlock.pupilSelfResume).toBe(false);
    expect(policy.unlock.pin).toEqual({
      minLength: 6,
      maxLength: 8,
      requireLetter: true,
      requireDigit: true,
      requireSymbol: true,
    });
  });

  describe('the built-in override hash', () => {
    const [scheme, n, r, p, salt, hash] = policy.override.hash.split('$');
    const matches = (code: string): boolean =>
      timingSafeEqual(
        scryptSync(code, Buffer.from(salt!, 'base64'), 64, {
          N: Number(n),
          r: Number(r),
          p: Number(p),
        }),
        Buffer.from(hash!, 'base64'),
      );

    it('is made from no code: its key is 64 zero bytes, so a fallback terminal has no known override', () => {
      expect(scheme).toBe('scrypt');
      expect([...Buffer.from(hash!, 'base64')]).toEqual(new Array(64).fill(0));
      expect(isPlaceholderHash(policy.override.hash)).toBe(true);
      expect(policy.override.hash).toBe(NO_OVERRIDE_HASH);
    });

    it('the code the old documentation published, and empty codes, do not match', () => {
      for (const code of ['change-this-code-now', '', 'override', '0'.repeat(64)])
        expect(matches(code)).toBe(false);
    });

    it('the override verifier says plainly that no code is set', async () => {
      const r = await new OverrideVerifier(() => policy.override.hash).verify(
        'IT',
        'change-this-code-now',
      );
      expect(r).toMatchObject({ ok: false, kind: 'unavailable' });
      expect(r.ok ? '' : r.detail).toMatch(/overrideHash in the machine config/);
    });

    it('carries a warning to replace it right above it in the file', () => {
      const lines = readFileSync(policyPath, 'utf8').split('\n');
      const at = lines.findIndex((l) => l.startsWith('override:'));
      expect(lines.slice(Math.max(0, at - 10), at).join('\n')).toMatch(
        /REPLACE THIS BEFORE DEPLOYMENT/,
      );
    });
  });

  it('ships no sanctions, an empty allow list, a 60 minute visitor limit and an 18:00 end of day', () => {
    expect(policy.sanctions).toEqual([]);
    expect(policy.sanctionSettings).toMatchObject({
      blockedLogoffSeconds: 60,
      midSessionGraceSeconds: 300,
      allowList: [],
    });
    expect(policy.visitors).toEqual({ requireStaffAuthorisation: true, maxSessionMinutes: 60 });
    expect(policy.endOfDay).toMatchObject({ at: '18:00', warnMinutes: 10 });
  });

  it('has commented sanction examples that are valid once uncommented', () => {
    const text = readFileSync(policyPath, 'utf8');
    const lines = text.split('\n');
    const start = lines.findIndex((l) => l.startsWith('# sanctions:'));
    const end = lines.findIndex((l, i) => i > start && !l.startsWith('#'));
    expect(start).toBeGreaterThan(0);
    const example = lines
      .slice(start, end)
      .map((l) => l.replace(/^# ?/, ''))
      .join('\n');
    const parsed = PolicySchema.parse({ ...parse(text), ...parse(example) });
    expect(parsed.sanctions.map((s) => [s.scope, s.kind, s.until ?? 'permanent'])).toEqual([
      ['internet', 'sanction', '2026-12-04'],
      ['network', 'sanction', 'permanent'],
      ['internet', 'parentalOptOut', 'permanent'],
    ]);
  });
});

describe.skipIf(!haveSeeds)(
  `the shipped texts are written in our own words (seeds in ${seedsDir})`,
  () => {
    it('the check finds a sentence pasted from a seed, whatever its case and spacing', () => {
      const pasted =
        'Staff are required to LOG OFF when they are leaving the terminal\n unattended or when leaving the office.';
      expect(sentencesFoundInSeeds([pasted])).toHaveLength(1);
      expect(phrasesFoundInSeeds([pasted]).length).toBeGreaterThan(0);
    });

    it('no sentence of eight words or more appears verbatim in any seed policy', () => {
      const texts = shippedTexts(policy);
      expect(texts.flatMap(sentences).filter((s) => words(s).length >= 8).length).toBeGreaterThan(
        20,
      );
      expect(sentencesFoundInSeeds(texts)).toEqual([]);
    });

    it('no run of eight words in a row is copied from a seed policy', () => {
      expect(phrasesFoundInSeeds(shippedTexts(policy))).toEqual([]);
    });
  },
);
