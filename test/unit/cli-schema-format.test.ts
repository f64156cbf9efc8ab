import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCli } from './cli-helpers';

let dir = '';
const p = (name: string) => join(dir, name);
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'classlock-cli-schema-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('classlock-admin schema', () => {
  it('prints a JSON Schema that an editor can check policy.yaml against', async () => {
    const r = await runCli(['schema']);
    expect(r.code, r.err).toBe(0);
    const schema = JSON.parse(r.out) as Record<string, unknown>;
    const validate = new Ajv2020({ strict: false, allErrors: true }).compile(schema);

    const policy = parse(await readFile('resources/default-policy.yaml', 'utf8')) as Record<
      string,
      unknown
    >;
    expect(validate(policy), JSON.stringify(validate.errors)).toBe(true);

    // A misspelt field and a wrong kind of value are what an editor should underline.
    expect(validate({ ...policy, serail: 3 })).toBe(false);
    expect(JSON.stringify(validate.errors)).toContain('serail');
    expect(validate({ ...policy, serial: 'three' })).toBe(false);
    expect(validate.errors?.[0]?.instancePath).toBe('/serial');
  });
});

describe('classlock-admin sign --format', () => {
  it('writes format 2 by default and format 1 when asked, and verify reads both', async () => {
    await runCli(['keygen', '--out', p('keys'), '--id', 'k']);
    await runCli(['init', '--out', p('policy.yaml')], { resourcesDir: p('none') });
    const key = p('keys/k.private.pem');
    for (const [flag, first] of [
      [[], '{"format":"classlock-policy/2"'],
      [['--format', '1'], '{\n  "format": "classlock-policy/1"'],
    ] as const) {
      const out = p(`policy-${flag.length}.json`);
      const s = await runCli(['sign', p('policy.yaml'), '--key', key, '--out', out, ...flag]);
      expect(s.code, s.err).toBe(0);
      expect((await readFile(out, 'utf8')).startsWith(first)).toBe(true);
      const v = await runCli(['verify', out, '--pub', p('keys/k.public.pem')]);
      expect(v.code, v.err).toBe(0);
    }
    const bad = await runCli([
      'sign',
      p('policy.yaml'),
      '--key',
      key,
      '--out',
      p('x.json'),
      '--format',
      '3',
    ]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--format 3 is not a bundle format (use 1 or 2)');
  });
});
