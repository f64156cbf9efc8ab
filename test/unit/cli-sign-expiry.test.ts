import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { peekBundle } from '../../src/core/policy/bundle';
import { MINIMAL_POLICY_YAML } from '../../src/admin/minimal-policy';
import { runCli } from './cli-helpers';

const NOW = Date.parse('2026-11-22T10:00:00Z');
let dir = '';
const p = (name: string) => join(dir, name);
const payloadOf = async (file: string) =>
  JSON.parse(peekBundle(await readFile(file))!.payload) as { serial: number; expires?: string };
const withSerial = (serial: number, extra = '') =>
  MINIMAL_POLICY_YAML.replace(/^serial: .*$/m, `serial: ${serial}`) + extra;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'classlock-sign-'));
  expect((await runCli(['keygen', '--out', p('keys'), '--id', 'k1'])).code).toBe(0);
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

const sign = (yaml: string, out: string, ...extra: string[]) =>
  runCli(['sign', yaml, '--key', p('keys/k1.private.pem'), '--out', out, ...extra], { now: NOW });

describe('sign sets a signed expiry', () => {
  it('30 days after signing by default, or --expires-days', async () => {
    await writeFile(p('a.yaml'), withSerial(3));
    const r = await sign(p('a.yaml'), p('a.json'));
    expect(r.code, r.err).toBe(0);
    expect((await payloadOf(p('a.json'))).expires).toBe('2026-12-22T10:00:00.000Z');
    const r7 = await sign(p('a.yaml'), p('a7.json'), '--expires-days', '7');
    expect(r7.code, r7.err).toBe(0);
    expect((await payloadOf(p('a7.json'))).expires).toBe('2026-11-29T10:00:00.000Z');
    expect((await sign(p('a.yaml'), p('x.json'), '--expires-days', 'soon')).code).toBe(2);
  });

  it('refuses a policy whose own expires is already past', async () => {
    await writeFile(p('old.yaml'), withSerial(4, "expires: '2026-02-01T00:00:00Z'\n"));
    const r = await sign(p('old.yaml'), p('old.json'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/already past/);
  });

  it('validate explains what expires does', async () => {
    await writeFile(p('v.yaml'), withSerial(5));
    const r = await runCli(['validate', p('v.yaml')]);
    expect(r.out).toMatch(/Expires: not set; sign sets it to 30 days after signing/);
    expect(r.out).toMatch(/report it as stale/);
    await writeFile(p('v2.yaml'), withSerial(5, "expires: '2027-01-01T00:00:00Z'\n"));
    expect((await runCli(['validate', p('v2.yaml')])).out).toMatch(/Expires: 2027-01-01T00:00:00Z/);
  });
});

describe('sign refuses to put two policies under one serial', () => {
  it('when the output file already holds that serial with other contents', async () => {
    await writeFile(p('s.yaml'), withSerial(8));
    expect((await sign(p('s.yaml'), p('pub.json'))).code).toBe(0);
    const before = await readFile(p('pub.json'));
    await writeFile(p('s.yaml'), withSerial(8).replace(/name: .*/, 'name: Changed School'));
    const again = await sign(p('s.yaml'), p('pub.json'));
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/already holds a different policy with serial 8.*serial: 9/s);
    expect(await readFile(p('pub.json'))).toEqual(before);
    await writeFile(p('s.yaml'), withSerial(9));
    expect((await sign(p('s.yaml'), p('pub.json'))).code).toBe(0);
  });

  it('when --previous shows the serial is already published', async () => {
    await writeFile(p('prev.yaml'), withSerial(12));
    expect((await sign(p('prev.yaml'), p('prev.json'))).code).toBe(0);
    const r = await sign(p('prev.yaml'), p('next.json'), '--previous', p('prev.json'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/serial 12 is not above/);
  });
});
