import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './cli-helpers';

let dir = '';
const p = (name: string) => join(dir, name);
const NO_RES = () => p('no-resources');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'classlock-cli-err-'));
  await runCli(['keygen', '--out', p('keys'), '--id', 'trust-2026']);
  await runCli(['keygen', '--out', p('keys'), '--id', 'other']);
  await runCli(['init', '--out', p('policy.yaml')], { resourcesDir: NO_RES() });
  await runCli([
    'sign',
    p('policy.yaml'),
    '--key',
    p('keys/trust-2026.private.pem'),
    '--out',
    p('policy.json'),
  ]);
  await writeFile(p('notes.txt'), 'hello');
  await writeFile(p('unnamed.pem'), await readFile(p('keys/trust-2026.private.pem')));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const COMMANDS = [
  'keygen',
  'init',
  'validate',
  'sign',
  'verify',
  'sanction add',
  'sanction lift',
  'sanction list',
  'explain',
  'override-hash',
];

describe('--help on every command', () => {
  it.each(COMMANDS)('%s --help prints its usage and exits 0', async (name) => {
    const r = await runCli([...name.split(' '), '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`classlock-admin ${name}`);
    expect(r.err).toBe('');
  });

  it('the tool itself lists every command', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const name of COMMANDS) expect(r.out).toContain(name);
  });
});

describe('wrong usage exits 2 with the usage on stderr', () => {
  const cases: [string, () => string[], RegExp][] = [
    ['no command', () => [], /Usage: classlock-admin COMMAND/],
    ['an unknown command', () => ['publish'], /unknown command "publish"/],
    ['sanction without a subcommand', () => ['sanction'], /classlock-admin sanction add/],
    [
      'an unknown sanction subcommand',
      () => ['sanction', 'remove'],
      /unknown sanction command "remove"/,
    ],
    [
      'an unknown option',
      () => ['validate', p('policy.yaml'), '--strict'],
      /Unknown option '--strict'/,
    ],
    ['keygen without --out', () => ['keygen'], /--out is required/],
    [
      'keygen with an unusable id',
      () => ['keygen', '--out', p('k'), '--id', 'my key'],
      /--id "my key" may use only/,
    ],
    ['init without --out', () => ['init'], /--out is required/],
    ['validate without a file', () => ['validate'], /name the policy file/],
    ['validate with two files', () => ['validate', 'a.yaml', 'b.yaml'], /expected one policy file/],
    [
      'sign without --key',
      () => ['sign', p('policy.yaml'), '--out', p('x.json')],
      /--key is required/,
    ],
    [
      'sign with a key whose name carries no id',
      () => ['sign', p('policy.yaml'), '--key', p('unnamed.pem'), '--out', p('x.json')],
      /cannot tell the key id from the file name/,
    ],
    ['verify without --pub', () => ['verify', p('policy.json')], /--pub is required/],
    [
      'sanction add with a bad scope',
      () => [
        'sanction',
        'add',
        '--policy',
        p('policy.yaml'),
        '--user',
        'a',
        '--scope',
        'web',
        '--reason',
        'r',
        '--by',
        'b',
      ],
      /--scope must be internet or network, not "web"/,
    ],
    [
      'sanction add with --until and --days',
      () => [
        'sanction',
        'add',
        '--policy',
        p('policy.yaml'),
        '--user',
        'a',
        '--scope',
        'internet',
        '--until',
        '2027-01-01',
        '--days',
        '2',
        '--reason',
        'r',
        '--by',
        'b',
      ],
      /either --until or --days/,
    ],
    [
      'sanction add without a reason',
      () => [
        'sanction',
        'add',
        '--policy',
        p('policy.yaml'),
        '--user',
        'a',
        '--scope',
        'internet',
        '--by',
        'b',
      ],
      /--reason is required/,
    ],
    [
      'sanction lift without --id',
      () => ['sanction', 'lift', '--policy', p('policy.yaml')],
      /--id is required/,
    ],
    [
      'explain without --user',
      () => ['explain', p('policy.json'), '--pub', p('keys/trust-2026.public.pem')],
      /--user is required/,
    ],
  ];
  it.each(cases)('%s', async (_name, argv, message) => {
    const r = await runCli(argv());
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.out).toBe('');
  });
});

describe('invalid input exits 1 with a message on stderr', () => {
  const cases: [string, () => string[], RegExp, string?][] = [
    [
      'keygen over an existing key',
      () => ['keygen', '--out', p('keys'), '--id', 'trust-2026'],
      /trust-2026.private.pem already exists/,
    ],
    [
      'init over an existing file',
      () => ['init', '--out', p('policy.yaml')],
      /already exists; pass --force/,
    ],
    [
      'validate a file that is not there',
      () => ['validate', p('nope.yaml')],
      /nope.yaml does not exist/,
    ],
    ['validate a folder', () => ['validate', dir], /is a folder, not a file/],
    [
      'sign with a file that is not a key',
      () => ['sign', p('policy.yaml'), '--key', p('notes.txt'), '--out', p('x.json'), '--id', 'k'],
      /notes.txt is not a readable private key/,
    ],
    [
      'sign with a public key',
      () => [
        'sign',
        p('policy.yaml'),
        '--key',
        p('keys/trust-2026.public.pem'),
        '--out',
        p('x.json'),
      ],
      /is not a readable private key/,
    ],
    [
      'sign with --previous that is not a bundle',
      () => [
        'sign',
        p('policy.yaml'),
        '--key',
        p('keys/trust-2026.private.pem'),
        '--out',
        p('x.json'),
        '--previous',
        p('notes.txt'),
      ],
      /notes.txt is not a signed policy bundle/,
    ],
    [
      'verify with the wrong public key',
      () => ['verify', p('policy.json'), '--pub', p('keys/other.public.pem')],
      /signed with key trust-2026, which this terminal does not trust \(trusted: other\)/,
    ],
    [
      'verify a file that is not a bundle',
      () => ['verify', p('notes.txt'), '--pub', p('keys/trust-2026.public.pem')],
      /not JSON; it starts "hello"/,
    ],
    [
      'verify with a file that is not a key',
      () => ['verify', p('policy.json'), '--pub', p('notes.txt')],
      /notes.txt is not a readable public key/,
    ],
    [
      'sanction add with a date IT would write by hand',
      () => [
        'sanction',
        'add',
        '--policy',
        p('policy.yaml'),
        '--user',
        'a',
        '--scope',
        'internet',
        '--until',
        '31/12',
        '--reason',
        'r',
        '--by',
        'b',
      ],
      /--until "31\/12" is not a date/,
    ],
    [
      'sanction add ending in the past',
      () => [
        'sanction',
        'add',
        '--policy',
        p('policy.yaml'),
        '--user',
        'a',
        '--scope',
        'internet',
        '--until',
        '2026-01-01',
        '--reason',
        'r',
        '--by',
        'b',
      ],
      /--until 2026-01-01 is already past/,
    ],
    [
      'sanction add with --days 0',
      () => [
        'sanction',
        'add',
        '--policy',
        p('policy.yaml'),
        '--user',
        'a',
        '--scope',
        'internet',
        '--days',
        '0',
        '--reason',
        'r',
        '--by',
        'b',
      ],
      /must be a whole number of days/,
    ],
    [
      'a parental opt-out of the whole network',
      () => [
        'sanction',
        'add',
        '--policy',
        p('policy.yaml'),
        '--user',
        'a',
        '--scope',
        'network',
        '--kind',
        'parentalOptOut',
        '--reason',
        'r',
        '--by',
        'b',
      ],
      /would make .* invalid, so it was not saved:\n.*sanctions\[0\]\.scope: a parental opt-out withdraws internet access only/,
    ],
    [
      'sanction lift of an unknown id',
      () => ['sanction', 'lift', '--policy', p('policy.yaml'), '--id', 's-nope'],
      /has no sanction with id "s-nope"/,
    ],
    [
      'sanction list with a bad --at',
      () => ['sanction', 'list', '--policy', p('policy.yaml'), '--at', 'tomorrow'],
      /--at "tomorrow" is not a date/,
    ],
    [
      'explain with a bad --at',
      () => [
        'explain',
        p('policy.json'),
        '--pub',
        p('keys/trust-2026.public.pem'),
        '--user',
        'a',
        '--at',
        '2026-13-01',
      ],
      /--at "2026-13-01" is not a date/,
    ],
    [
      'an override code that is too short',
      () => ['override-hash'],
      /at least 10 characters/,
      'short\n',
    ],
  ];
  it.each(cases)('%s', async (_name, argv, message, stdin) => {
    const before = await readFile(p('policy.yaml'), 'utf8');
    const r = await runCli(argv(), stdin === undefined ? {} : { stdin });
    expect(r.err).toMatch(message);
    expect(r.code).toBe(1);
    expect(await readFile(p('policy.yaml'), 'utf8')).toBe(before);
  });

  it('validate lists each problem with its YAML path and line', async () => {
    const text = (await readFile(p('policy.yaml'), 'utf8'))
      .replace(
        'sanctions: []',
        'sanctions:\n  - id: a\n    user: jsmith\n    scope: internet\n    until: 31/12\n    reason: r\n    issuedBy: b\n    issuedAt: 2026-01-01',
      )
      .replace('lockSeconds: 180', 'lockSeconds: 5');
    await writeFile(p('broken.yaml'), text);
    const line = text.split('\n').findIndex((l) => l.includes('until: 31/12')) + 1;
    const r = await runCli(['validate', p('broken.yaml')]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      `sanctions[0].until: "31/12" is not a date (use 2026-12-04 or 2026-12-04T08:00:00Z) (line ${line})`,
    );
    expect(r.err).toMatch(
      /profiles\[0\]\.timeouts\.staff\.lockSeconds: must be at least 10 \(line \d+\)/,
    );
  });

  it('sign refuses an issuedAt in the future, which would end sanctions early on terminals', async () => {
    const text = (await readFile(p('policy.yaml'), 'utf8')).replace(
      'issuedAt: 2026-01-01T00:00:00Z',
      'issuedAt: 2027-06-01T00:00:00Z',
    );
    await writeFile(p('future.yaml'), text);
    const r = await runCli([
      'sign',
      p('future.yaml'),
      '--key',
      p('keys/trust-2026.private.pem'),
      '--out',
      p('future.json'),
    ]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('issuedAt 2027-06-01T00:00:00Z is in the future');
  });

  it('verify refuses a bundle whose payload was edited after signing', async () => {
    const b = await readFile(p('policy.json'), 'utf8');
    await writeFile(p('edited.json'), b.replace('Example School', 'Example Schoo1'));
    const r = await runCli(['verify', p('edited.json'), '--pub', p('keys/trust-2026.public.pem')]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('signature does not match key trust-2026');
  });
});
