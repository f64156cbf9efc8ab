import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writePolicyTemplates } from '../../src/admin/admx';
import { MachineConfigSchema } from '../../src/core/config/machine-config';
import { regValuesToConfig, type RegValue } from '../../src/core/config/registry-source';
import { REGISTRY_VALUES } from '../../src/core/config/registry-values';

/**
 * The Group Policy templates, parsed by xmllint (libxml2), checked against the config
 * reader both ways: every element a policy writes is a value the reader maps to a field,
 * and every field the reader understands has a policy.
 */
const reason =
  spawnSync('sh', ['-c', 'command -v xmllint']).status === 0
    ? undefined
    : 'xmllint not installed (apt-get install libxml2-utils)';

interface Element {
  policy: string;
  kind: string;
  id: string;
  valueName?: string;
  key: string;
  attrs: Record<string, string>;
}

function xpath(file: string, expr: string): string {
  const r = spawnSync('xmllint', ['--xpath', expr, file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`xmllint ${expr}: ${r.stderr}`);
  return r.stdout;
}
const attrsOf = (tag: string) =>
  Object.fromEntries([...tag.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));

/** Every element of every policy, as xmllint serialises them. */
function elements(admx: string): Element[] {
  const out: Element[] = [];
  const policies = xpath(admx, "//*[local-name()='policy']")
    .split(/(?=<policy )/)
    .filter((p) => p.trim());
  for (const p of policies) {
    const pa = attrsOf(/<policy [^>]*>/.exec(p)![0]);
    for (const m of p.matchAll(/<(text|multiText|decimal|list|enum|boolean)\s[^>]*\/>/g)) {
      const a = attrsOf(m[0]);
      out.push({
        policy: pa.name!,
        kind: m[1]!,
        id: a.id!,
        valueName: a.valueName,
        key: a.key ?? pa.key!,
        attrs: a,
      });
    }
  }
  return out;
}

const pemBody = generateKeyPairSync('ed25519')
  .publicKey.export({ type: 'spki', format: 'der' })
  .toString('base64');

/** What Group Policy writes for each element kind, with data the schema accepts. */
function written(e: Element): { key: string; values: RegValue[]; expect: unknown } {
  const key = `HKEY_LOCAL_MACHINE\\${e.key}`;
  switch (e.kind) {
    case 'list':
      return {
        key,
        values: [{ name: 'trust-2026', type: 'REG_SZ', data: pemBody }],
        expect: { 'trust-2026': pemBody },
      };
    case 'multiText':
      return {
        key,
        values: [
          {
            name: e.valueName!,
            type: 'REG_MULTI_SZ',
            data: '',
            items: ['https://a.example/p.json', '\\\\fs1\\share\\p.json'],
          },
        ],
        expect: ['https://a.example/p.json', '\\\\fs1\\share\\p.json'],
      };
    case 'decimal': {
      const n = Number(e.attrs.minValue);
      return {
        key,
        values: [{ name: e.valueName!, type: 'REG_DWORD', data: `0x${n.toString(16)}` }],
        expect: n,
      };
    }
    default: {
      const data =
        e.id === 'overrideHash'
          ? 'scrypt$16384$8$1$c2FsdA$aGFzaA'
          : e.id === 'hubUrl'
            ? 'https://hub.example/'
            : `value-of-${e.id}-0123456789`;
      return {
        key,
        values: [
          {
            name: e.valueName!,
            type: e.attrs.expandable === 'true' ? 'REG_EXPAND_SZ' : 'REG_SZ',
            data,
          },
        ],
        expect: data,
      };
    }
  }
}
const get = (o: unknown, path: string) =>
  path.split('.').reduce<unknown>((x, k) => (x as Record<string, unknown>)?.[k], o);

describe.skipIf(reason)(`Group Policy templates${reason ? ` (skipped: ${reason})` : ''}`, () => {
  let dir = '';
  let admx = '';
  let adml = '';
  let els: Element[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'classlock-admx-'));
    [admx, adml] = (await writePolicyTemplates(dir)) as [string, string];
    els = elements(admx);
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('are well-formed XML in the Group Policy namespace, with an en-GB ADML beside the ADMX', () => {
    const r = spawnSync('xmllint', ['--noout', admx, adml], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(adml).toBe(join(dir, 'en-GB', 'Classlock.adml'));
    expect(xpath(admx, "namespace-uri(/*[local-name()='policyDefinitions'])").trim()).toBe(
      'http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions',
    );
    expect(xpath(admx, "string(//*[local-name()='target']/@namespace)").trim()).toBe(
      'Classlock.Policies.Classlock',
    );
  });

  it('every policy element writes a value the config reader maps to the field it names', () => {
    expect(els.length).toBeGreaterThan(0);
    for (const e of els) {
      const w = written(e);
      const cfg = regValuesToConfig(new Map([[w.key, w.values]]), {});
      const row = REGISTRY_VALUES.find((r) => r.field.replace('.', '_') === e.id);
      expect(row, `${e.policy}/${e.id} has no row in REGISTRY_VALUES`).toBeDefined();
      expect(get(cfg, row!.field), `${e.policy}/${e.id}`).toEqual(w.expect);
    }
  });

  it('every value the reader understands has exactly one policy element, and every machine-config field a policy', () => {
    for (const row of REGISTRY_VALUES) {
      const hits = els.filter((e) => e.id === row.field.replace('.', '_'));
      expect(hits, row.field).toHaveLength(1);
      if (row.shape === 'named')
        expect(hits[0]!.key).toBe(`SOFTWARE\\Policies\\Classlock\\${row.subkey}`);
      else expect(hits[0]!.valueName).toBe(row.valueName);
    }
    const policies = new Set(els.map((e) => e.policy));
    expect([...policies].sort()).toEqual(Object.keys(MachineConfigSchema.shape).sort());
  });

  it('a whole config set through the templates reads back as a usable machine config', () => {
    const keys = new Map<string, RegValue[]>();
    for (const e of els) {
      const w = written(e);
      keys.set(w.key, [...(keys.get(w.key) ?? []), ...w.values]);
    }
    const parsed = MachineConfigSchema.safeParse(regValuesToConfig(keys, {}));
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
  });

  it("number bounds are the schema's own", () => {
    for (const e of els.filter((x) => x.kind === 'decimal')) {
      const field = MachineConfigSchema.shape[e.policy as 'pollSeconds'];
      expect(field.safeParse(Number(e.attrs.minValue)).success, e.id).toBe(true);
      expect(field.safeParse(Number(e.attrs.minValue) - 1).success, e.id).toBe(false);
      expect(field.safeParse(Number(e.attrs.maxValue)).success, e.id).toBe(true);
      expect(field.safeParse(Number(e.attrs.maxValue) + 1).success, e.id).toBe(false);
    }
  });

  it('every string and presentation the ADMX names is in the ADML, and each box points at an element of its policy', () => {
    const admxText = readFileSync(admx, 'utf8');
    const strings = new Set(
      xpath(adml, "//*[local-name()='string']/@id")
        .match(/id="([^"]+)"/g)!
        .map((s) => s.slice(4, -1)),
    );
    for (const m of admxText.matchAll(/\$\(string\.([^)]+)\)/g))
      expect(strings, m[1]).toContain(m[1]);
    const presentations = xpath(adml, "//*[local-name()='presentation']")
      .split(/(?=<presentation )/)
      .filter((p) => p.trim());
    for (const m of admxText.matchAll(
      /<policy name="([^"]+)"[^>]*presentation="\$\(presentation\.([^)]+)\)"/g,
    )) {
      const pres = presentations.find((p) => p.startsWith(`<presentation id="${m[2]}"`));
      expect(pres, m[2]).toBeDefined();
      const refs = [...pres!.matchAll(/refId="([^"]+)"/g)].map((r) => r[1]).sort();
      expect(refs).toEqual(
        els
          .filter((e) => e.policy === m[1])
          .map((e) => e.id)
          .sort(),
      );
    }
  });

  it('warns, on every value a pupil could read to their advantage, that Policies is readable by all', () => {
    const help = readFileSync(adml, 'utf8');
    for (const row of REGISTRY_VALUES.filter((r) => 'sensitive' in r && r.sensitive)) {
      const text =
        new RegExp(`<string id="${row.field}_Help">([^<]*)</string>`).exec(help)?.[1] ?? '';
      expect(text, row.field).toMatch(/can be read by every signed-in user/);
      expect(text, row.field).toMatch(/config\.json/);
    }
  });
});
