import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parsePolicyYaml } from '../../src/core/policy/policy-yaml';
import { verifySecret } from '../../src/core/unlock/scrypt-hash';
import { runCli } from './cli-helpers';

const exec = promisify(execFile);
let dir = '';
const p = (name: string) => join(dir, name);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'classlock-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the IT round trip: keygen → init → sign → verify → explain', () => {
  it('works from an empty folder and says what a terminal would do', async () => {
    const noResources = p('no-resources');
    const keygen = await runCli(['keygen', '--out', p('keys'), '--id', 'trust-2026']);
    expect(keygen.code, keygen.err).toBe(0);
    expect(keygen.out).toContain('"trustedKeys": { "trust-2026": "-----BEGIN PUBLIC KEY-----');
    expect((await stat(p('keys/trust-2026.private.pem'))).mode & 0o777).toBe(0o600);

    const init = await runCli(['init', '--out', p('policy.yaml')], { resourcesDir: noResources });
    expect(init.code, init.err).toBe(0);
    expect((await runCli(['validate', p('policy.yaml')])).out).toMatch(/is valid: serial 1/);

    const hash = await runCli(['override-hash'], { stdin: 'Tr0ub4dor&3-override\n' });
    expect(hash.code, hash.err).toBe(0);
    expect(await verifySecret('Tr0ub4dor&3-override', hash.out.trim())).toBe(true);
    const yaml = await readFile(p('policy.yaml'), 'utf8');
    await writeFile(
      p('policy.yaml'),
      yaml.replace(/hash: ".*"/, `hash: "${hash.out.trim()}"`).replace('serial: 1', 'serial: 41'),
    );

    const add = await runCli([
      'sanction',
      'add',
      '--policy',
      p('policy.yaml'),
      '--user',
      'SCHOOL\\jsmith',
      '--scope',
      'internet',
      '--until',
      '2026-12-04',
      '--reason',
      'Chat during lessons',
      '--by',
      'Mr Patel',
    ]);
    expect(add.code, add.err).toBe(0);
    expect(add.out).toContain('until Fri, 4 Dec 2026, 00:00 Europe/London (2026-12-04T00:00:00Z)');
    const edited = await readFile(p('policy.yaml'), 'utf8');
    expect(edited).toContain('# Replace with the output of: classlock-admin override-hash');
    expect(edited).toContain('serial: 41');

    const sign = await runCli([
      'sign',
      p('policy.yaml'),
      '--key',
      p('keys/trust-2026.private.pem'),
      '--out',
      p('policy.json'),
    ]);
    expect(sign.code, sign.err).toBe(0);
    expect(sign.out).toMatch(/^Signed serial 41 with key trust-2026/);

    const verify = await runCli([
      'verify',
      p('policy.json'),
      '--pub',
      p('keys/trust-2026.public.pem'),
    ]);
    expect(verify.code, verify.err).toBe(0);
    expect(verify.out).toContain('Signature:    good (key trust-2026)');
    expect(verify.out).toContain('Serial:       41');
    expect(verify.out).toContain('Issued at:    2026-01-01T00:00:00Z');
    expect(verify.out).toContain('2 role rules');
    expect(verify.out).toContain('1 sanction,');

    const pupil = await runCli([
      'explain',
      p('policy.json'),
      '--pub',
      p('keys/trust-2026.public.pem'),
      '--user',
      'JSmith@school.local',
      '--host',
      'LAB-07',
      '--json',
    ]);
    expect(pupil.code, pupil.err).toBe(0);
    const j = JSON.parse(pupil.out) as Record<string, unknown>;
    expect(j.role).toBe('pupil');
    expect(j.profile).toBe('lab');
    expect(j.timeouts).toEqual({ warnSeconds: 60, lockSeconds: 600, logoffAfterLockSeconds: 1200 });
    expect(j.internet).toBe('withdrawn');
    expect(j.network).toBe('allowed');
    expect(j.sanctions).toEqual([
      expect.objectContaining({
        scope: 'internet',
        reason: 'Chat during lessons',
        issuedBy: 'Mr Patel',
        until: '2026-12-04T00:00:00.000Z',
      }),
    ]);
    expect((j.agreements as { id: string }[]).map((a) => a.id)).toEqual(['pupil-aua']);

    // The same user in another domain is not the one sanctioned.
    const other = await runCli([
      'explain',
      p('policy.json'),
      '--pub',
      p('keys/trust-2026.public.pem'),
      '--user',
      'OTHER\\jsmith',
      '--json',
    ]);
    expect(JSON.parse(other.out).internet).toBe('allowed');

    // After the end instant the sanction no longer applies.
    const later = await runCli([
      'explain',
      p('policy.json'),
      '--pub',
      p('keys/trust-2026.public.pem'),
      '--user',
      'jsmith@school.local',
      '--at',
      '2026-12-04',
    ]);
    expect(later.out).toContain('internet: allowed');

    const staff = await runCli([
      'explain',
      p('policy.json'),
      '--pub',
      p('keys/trust-2026.public.pem'),
      '--user',
      'SCHOOL\\mbrown',
      '--groups',
      'SCHOOL\\Staff,Domain Users',
      '--host',
      'CLASS-12',
    ]);
    expect(staff.code, staff.err).toBe(0);
    expect(staff.out).toContain('Role:        staff (role rule 1: groups Staff)');
    expect(staff.out).toContain('Profile:     classroom (host CLASS-12)');
    expect(staff.out).toContain(
      'a 30 s warning, then locked after 180 s idle; the OS session is locked too',
    );
    expect(staff.out).toContain('Unlock:      by the user: pin, then override');
    expect(staff.out).toContain('staff-aua version 1');
  });

  it('adds, lists and lifts sanctions, keeping comments and checking the serial on re-signing', async () => {
    await runCli(['init', '--out', p('s.yaml')], { resourcesDir: p('no-resources') });
    const now = Date.parse('2026-11-22T10:00:00Z');
    const add = await runCli(
      [
        'sanction',
        'add',
        '--policy',
        p('s.yaml'),
        '--user',
        'kjones',
        '--scope',
        'network',
        '--days',
        '3',
        '--reason',
        'Shared password',
        '--by',
        'Head of IT',
      ],
      { now },
    );
    expect(add.code, add.err).toBe(0);
    const id = /Added (s-20261122-[0-9a-f]{6})/.exec(add.out)?.[1];
    expect(id).toBeDefined();
    const parsed = parsePolicyYaml(await readFile(p('s.yaml'), 'utf8'));
    expect(parsed.ok && parsed.policy.sanctions).toEqual([
      expect.objectContaining({
        id,
        user: 'kjones',
        scope: 'network',
        until: '2026-11-25',
        issuedAt: '2026-11-22T10:00:00Z',
      }),
    ]);
    await runCli(
      [
        'sanction',
        'add',
        '--policy',
        p('s.yaml'),
        '--user',
        'pupil2',
        '--scope',
        'internet',
        '--kind',
        'parentalOptOut',
        '--reason',
        'Letter from parent',
        '--by',
        'Office',
      ],
      { now },
    );

    const list = await runCli(
      ['sanction', 'list', '--policy', p('s.yaml'), '--active', '--at', '2026-11-24'],
      { now },
    );
    expect(list.out).toContain(
      `${id}  kjones  network  until Wed, 25 Nov 2026, 00:00 Europe/London (2026-11-25T00:00:00Z)`,
    );
    expect(list.out).toContain('pupil2  internet (parental opt-out)  permanent (until lifted)');
    const after = await runCli(
      ['sanction', 'list', '--policy', p('s.yaml'), '--active', '--at', '2026-11-25T00:00:00Z'],
      { now },
    );
    expect(after.out).not.toContain('kjones');
    expect(after.out).toContain('pupil2');

    const lift = await runCli(['sanction', 'lift', '--policy', p('s.yaml'), '--id', id!]);
    expect(lift.code, lift.err).toBe(0);
    expect((await runCli(['sanction', 'list', '--policy', p('s.yaml')])).out).not.toContain(
      'kjones',
    );
    expect(await readFile(p('s.yaml'), 'utf8')).toContain('# Replace with the output of');

    await runCli(['keygen', '--out', p('k2'), '--id', 'k2']);
    const key = p('k2/k2.private.pem');
    expect((await runCli(['sign', p('s.yaml'), '--key', key, '--out', p('s1.json')])).code).toBe(0);
    const again = await runCli([
      'sign',
      p('s.yaml'),
      '--key',
      key,
      '--out',
      p('s2.json'),
      '--previous',
      p('s1.json'),
    ]);
    expect(again.code).toBe(1);
    expect(again.err).toContain(
      "serial 1 is not above the published policy's serial 1; set serial: 2",
    );
    expect(existsSync(p('s2.json'))).toBe(false);
    await writeFile(
      p('s.yaml'),
      (await readFile(p('s.yaml'), 'utf8')).replace('serial: 1', 'serial: 2'),
    );
    expect(
      (
        await runCli([
          'sign',
          p('s.yaml'),
          '--key',
          key,
          '--out',
          p('s2.json'),
          '--previous',
          p('s1.json'),
        ])
      ).code,
    ).toBe(0);
  });

  it.skipIf(!existsSync('resources/default-policy.yaml'))(
    'init copies the full example policy shipped in resources/, which validates',
    async () => {
      const r = await runCli(['init', '--out', p('full.yaml')]);
      expect(r.code, r.err).toBe(0);
      expect(await readFile(p('full.yaml'), 'utf8')).toBe(
        await readFile('resources/default-policy.yaml', 'utf8'),
      );
      const v = await runCli(['validate', p('full.yaml')]);
      expect(v.code, v.err).toBe(0);
    },
  );

  it('the installed binary runs: built with the project build script, then spawned', async () => {
    await exec(process.execPath, ['scripts/build-node.mjs'], { timeout: 60_000 });
    await runCli(['init', '--out', p('bin.yaml')], { resourcesDir: p('no-resources') });
    const ok = await exec(
      process.execPath,
      ['bin/classlock-admin.mjs', 'validate', p('bin.yaml')],
      { timeout: 20_000 },
    );
    expect(ok.stdout).toMatch(/is valid: serial 1/);
    const bad = await exec(
      process.execPath,
      ['bin/classlock-admin.mjs', 'validate', p('missing.yaml')],
      { timeout: 20_000 },
    ).catch((e: { code: number; stderr: string }) => e);
    expect(bad).toMatchObject({ code: 1 });
    expect((bad as { stderr: string }).stderr).toContain('does not exist');
  });
});
