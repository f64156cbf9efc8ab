import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  POLICY_REGISTRY_SUBKEY,
  REGISTRY_VALUES,
  type RegistryValueSpec,
} from '../core/config/registry-values';
import { UsageError, requireString, type Command } from './cli-support';

/**
 * Group Policy administrative templates (ADMX + en-GB ADML) generated from REGISTRY_VALUES,
 * the table the config readers map through: one policy per machine-config field, with
 * one element per registry value, so a template cannot set what the service ignores.
 */

export const ADMX_NAMESPACE = 'Classlock.Policies.Classlock';
export const ADMX_FILE = 'Classlock.admx';
export const ADMX_REVISION = '1.0';

interface FieldText {
  title: string;
  help: string;
  /** Per element label (keyed by the row's field). */
  labels?: Record<string, string>;
}

/** What each policy says to the network manager, en-GB. Keyed by top-level field. */
const EN_GB: Record<string, FieldText> = {
  policySources: {
    title: 'Policy addresses',
    help: 'Where this computer fetches the signed Classlock policy, one address per line, tried in order: https://, http://, file://, a UNC path (\\\\server\\share\\policy.json) or a full path. Keep one address on the school network so terminals still update when the internet is down.',
  },
  trustedKeys: {
    title: 'Trusted policy signing keys',
    help: 'The public keys allowed to sign the policy. Value name: the key id (as given to classlock-admin keygen --id). Value: the public key, the base64 text between the BEGIN and END lines of KEYID.public.pem, on one line. This list is complete: a key removed here is no longer trusted.',
  },
  pollSeconds: {
    title: 'How often to check for a new policy',
    help: 'Seconds between checks for a newer policy (5 to 86400). Default 30.',
  },
  profile: {
    title: 'Terminal profile',
    help: "A terminal profile id from the policy. When set, it is used instead of matching this computer's name against the profiles' host names.",
  },
  dataDir: {
    title: 'Data folder',
    help: "Moves the machine service's data folder (records, audit log, policy copy). Environment variables such as %ProgramData% are expanded. The service makes it readable by SYSTEM and Administrators only.",
  },
  maxPolicyBytes: {
    title: 'Largest policy accepted',
    help: 'The largest policy file, in bytes, the service will download (1024 to 104857600). A larger one is refused and reported.',
  },
  directoryServiceAccount: {
    title: 'Directory service account',
    help: 'The account the service searches the directory with before a user\'s own sign-in (bind mode "search" in the policy). Give the account\'s DN and a file holding its password; keep that file readable by SYSTEM and Administrators only.',
    labels: {
      'directoryServiceAccount.dn': 'Account DN',
      'directoryServiceAccount.passwordFile': 'Password file',
    },
  },
  directoryCaFile: {
    title: "Directory servers' certificate authority",
    help: "A PEM file with the certificate authority that issued the directory servers' certificates, for LDAPS and StartTLS.",
  },
  overrideHash: {
    title: 'IT override code (hash)',
    help: 'The scrypt hash of the IT override code, from classlock-admin override-hash. It wins over any hash in the policy. Caution: values under HKLM\\SOFTWARE\\Policies can be read by every signed-in user, who could try to guess the code offline; prefer overrideHash in config.json, which only SYSTEM and Administrators can read.',
  },
  hubUrl: {
    title: 'Hub address',
    help: "The school's Classlock hub (https://...). Terminals send events to it and take questions from it. Not set: the terminal works alone.",
  },
  hubEnrolmentSecret: {
    title: 'Hub enrolment secret',
    help: "The one-time secret from the hub's enrolment page, with which the service enrols this computer. Caution: values under HKLM\\SOFTWARE\\Policies can be read by every signed-in user; once the computers have enrolled, set this policy to Not Configured, or deliver the secret in config.json instead.",
  },
  school: {
    title: 'School',
    help: 'The school this computer belongs to, for a hub that serves several schools of a trust.',
  },
  lockNowHotkey: {
    title: 'Lock-now shortcut',
    help: 'The keyboard shortcut that locks the session at once, in Electron accelerator form (for example Ctrl+Alt+L).',
  },
  hideScreenHotkey: {
    title: 'Hide-the-screen shortcut',
    help: "The pupils' shortcut that hides the screen at once, in Electron accelerator form (for example Ctrl+Alt+H).",
  },
};

const xml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
/** ADMX ids: letters, digits and underscore. */
const idOf = (field: string) => field.replace(/\./g, '_');

export interface PolicyGroup {
  field: string;
  rows: RegistryValueSpec[];
}

/** The table grouped by top-level field, in table order: one policy each. */
export function policyGroups(table: readonly RegistryValueSpec[] = REGISTRY_VALUES): PolicyGroup[] {
  const groups: PolicyGroup[] = [];
  for (const row of table) {
    const field = row.field.split('.')[0]!;
    const g = groups.find((x) => x.field === field);
    if (g) g.rows.push(row);
    else groups.push({ field, rows: [row] });
  }
  return groups;
}

function element(row: RegistryValueSpec): string {
  const id = idOf(row.field);
  if (row.shape === 'named') {
    return `<list id="${id}" key="${xml(`${POLICY_REGISTRY_SUBKEY}\\${row.subkey}`)}" explicitValue="true"/>`;
  }
  if (row.shape === 'number') {
    return `<decimal id="${id}" valueName="${row.valueName}" required="true" minValue="${row.min ?? 0}" maxValue="${row.max ?? 4294967295}"/>`;
  }
  if (row.shape === 'list' || row.type === 'REG_MULTI_SZ') {
    return `<multiText id="${id}" valueName="${row.valueName}" required="true"/>`;
  }
  const expandable = row.type === 'REG_EXPAND_SZ' ? ' expandable="true"' : '';
  return `<text id="${id}" valueName="${row.valueName}" required="true"${expandable}/>`;
}

function presentation(row: RegistryValueSpec, label: string): string {
  const id = idOf(row.field);
  if (row.shape === 'named') return `<listBox refId="${id}">${xml(label)}</listBox>`;
  if (row.shape === 'number')
    return `<decimalTextBox refId="${id}" spinStep="1">${xml(label)}</decimalTextBox>`;
  if (row.shape === 'list' || row.type === 'REG_MULTI_SZ')
    return `<multiTextBox refId="${id}">${xml(label)}</multiTextBox>`;
  return `<textBox refId="${id}"><label>${xml(label)}</label></textBox>`;
}

export function generateAdmx(table: readonly RegistryValueSpec[] = REGISTRY_VALUES): string {
  const policies = policyGroups(table).map(
    (
      g,
    ) => `    <policy name="${idOf(g.field)}" class="Machine" displayName="$(string.${idOf(g.field)})" explainText="$(string.${idOf(g.field)}_Help)" presentation="$(presentation.${idOf(g.field)})" key="${xml(POLICY_REGISTRY_SUBKEY)}">
      <parentCategory ref="Classlock"/>
      <supportedOn ref="SUPPORTED_Classlock"/>
      <elements>
${g.rows.map((r) => `        ${element(r)}`).join('\n')}
      </elements>
    </policy>`,
  );
  return `<?xml version="1.0" encoding="utf-8"?>
<!-- Generated by classlock-admin policy-templates from the machine-config registry table. -->
<policyDefinitions xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" revision="${ADMX_REVISION}" schemaVersion="1.0" xmlns="http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions">
  <policyNamespaces>
    <target prefix="classlock" namespace="${ADMX_NAMESPACE}"/>
  </policyNamespaces>
  <resources minRequiredRevision="${ADMX_REVISION}"/>
  <supportedOn>
    <definitions>
      <definition name="SUPPORTED_Classlock" displayName="$(string.SUPPORTED_Classlock)"/>
    </definitions>
  </supportedOn>
  <categories>
    <category name="Classlock" displayName="$(string.Classlock)"/>
  </categories>
  <policies>
${policies.join('\n')}
  </policies>
</policyDefinitions>
`;
}

export function generateAdml(
  table: readonly RegistryValueSpec[] = REGISTRY_VALUES,
  texts: Record<string, FieldText> = EN_GB,
): string {
  const strings: string[] = [
    `<string id="Classlock">Classlock</string>`,
    `<string id="SUPPORTED_Classlock">Classlock 0.1 and later</string>`,
  ];
  const presentations: string[] = [];
  for (const g of policyGroups(table)) {
    const t = texts[g.field];
    if (!t) throw new Error(`no template text for the machine-config field "${g.field}"`);
    const id = idOf(g.field);
    strings.push(`<string id="${id}">${xml(t.title)}</string>`);
    strings.push(
      `<string id="${id}_Help">${xml(`${t.help}\n\nRegistry: HKLM\\${POLICY_REGISTRY_SUBKEY}${g.rows[0]!.subkey ? `\\${g.rows[0]!.subkey}` : ''}, ${g.rows.map((r) => (r.valueName === '*' ? 'one value per key id' : r.valueName)).join(', ')}. Machine-config field: ${g.field}.`)}</string>`,
    );
    presentations.push(
      `<presentation id="${id}">\n        ${g.rows.map((r) => presentation(r, t.labels?.[r.field] ?? t.title)).join('\n        ')}\n      </presentation>`,
    );
  }
  return `<?xml version="1.0" encoding="utf-8"?>
<policyDefinitionResources xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" revision="${ADMX_REVISION}" schemaVersion="1.0" xmlns="http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions">
  <displayName>Classlock</displayName>
  <description>Machine settings for Classlock, the school terminal agreement and lock screen.</description>
  <resources>
    <stringTable>
      ${strings.join('\n      ')}
    </stringTable>
    <presentationTable>
      ${presentations.join('\n      ')}
    </presentationTable>
  </resources>
</policyDefinitionResources>
`;
}

/** Writes OUT/Classlock.admx and OUT/en-GB/Classlock.adml (the central store's layout). */
export async function writePolicyTemplates(outDir: string): Promise<string[]> {
  await mkdir(join(outDir, 'en-GB'), { recursive: true });
  const admx = join(outDir, ADMX_FILE);
  const adml = join(outDir, 'en-GB', 'Classlock.adml');
  await writeFile(admx, generateAdmx());
  await writeFile(adml, generateAdml());
  return [admx, adml];
}

export const policyTemplatesCommand: Command = {
  name: 'policy-templates',
  summary: 'write the Group Policy templates (ADMX and en-GB ADML)',
  usage: `classlock-admin policy-templates --out DIR

Writes DIR/Classlock.admx and DIR/en-GB/Classlock.adml: one policy per machine-config
field, under Computer Configuration > Administrative Templates > Classlock. Copy both
into the domain's central store (\\\\DOMAIN\\SYSVOL\\DOMAIN\\Policies\\PolicyDefinitions)
or import the ADMX into Intune (docs/deployment.md).`,
  options: { out: { type: 'string' } },
  async run(values, positionals, io) {
    if (positionals.length > 0) throw new UsageError(`unexpected: ${positionals.join(' ')}`);
    const files = await writePolicyTemplates(requireString(values, 'out'));
    io.stdout.write(`${files.join('\n')}\n`);
  },
};
