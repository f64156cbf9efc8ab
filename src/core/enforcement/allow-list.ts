import { isIP } from 'node:net';

/**
 * The policy's allow list (hosts that stay reachable under an internet sanction), parsed
 * once into what each enforcer can use. Entries are host names (intranet.school.local),
 * wildcard names (*.school.local: every name below it, not the name itself), addresses
 * (10.0.0.5, fd00::5) or CIDR ranges (10.0.0.0/8, fd00::/8).
 */
export type AllowEntry =
  | { kind: 'host'; host: string }
  | { kind: 'wildcard'; suffix: string }
  | { kind: 'cidr'; family: 4 | 6; network: bigint; prefix: number; text: string };

const HOST_NAME =
  /^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*\.?$/;

/** An address as a number: IPv4 in 32 bits, IPv6 in 128. */
export function parseAddress(text: string): { family: 4 | 6; value: bigint } | undefined {
  const family = isIP(text);
  if (family === 4) {
    let v = 0n;
    for (const part of text.split('.')) v = (v << 8n) | BigInt(Number(part));
    return { family: 4, value: v };
  }
  if (family === 6) {
    let s = text.toLowerCase();
    const pct = s.indexOf('%');
    if (pct >= 0) s = s.slice(0, pct);
    // An embedded IPv4 tail (::ffff:10.0.0.1) becomes two hex groups.
    const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
    if (v4?.[1]) {
      const n = parseAddress(v4[1])?.value ?? 0n;
      s = `${s.slice(0, -v4[1].length)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
    }
    const [head = '', tail] = s.split('::');
    const h = head ? head.split(':') : [];
    const t = tail ? tail.split(':') : [];
    const groups =
      tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
    let v = 0n;
    for (const g of groups) v = (v << 16n) | BigInt(parseInt(g || '0', 16));
    return { family: 6, value: v };
  }
  return undefined;
}

function bits(family: 4 | 6): number {
  return family === 4 ? 32 : 128;
}

function maskOf(family: 4 | 6, prefix: number): bigint {
  const total = BigInt(bits(family));
  return ((1n << total) - 1n) ^ ((1n << (total - BigInt(prefix))) - 1n);
}

/** Parse one allow-list entry, or explain in words why it is not one. */
export function parseAllowEntry(raw: string): AllowEntry | { error: string } {
  const text = raw
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '');
  const slash = text.indexOf('/');
  if (slash >= 0) {
    const addr = parseAddress(text.slice(0, slash));
    const prefixText = text.slice(slash + 1);
    const prefix = Number(prefixText);
    if (!addr || !/^\d{1,3}$/.test(prefixText) || prefix > bits(addr.family)) {
      return { error: `"${raw}" is not an address range (use 10.0.0.0/8 or fd00::/8)` };
    }
    const network = addr.value & maskOf(addr.family, prefix);
    return {
      kind: 'cidr',
      family: addr.family,
      network,
      prefix,
      text: `${formatAddress(addr.family, network)}/${prefix}`,
    };
  }
  const addr = parseAddress(text);
  if (addr) {
    const prefix = bits(addr.family);
    return {
      kind: 'cidr',
      family: addr.family,
      network: addr.value,
      prefix,
      text: formatAddress(addr.family, addr.value),
    };
  }
  if (text.startsWith('*.')) {
    const suffix = text.slice(2).replace(/\.$/, '');
    if (HOST_NAME.test(suffix)) return { kind: 'wildcard', suffix };
    return { error: `"${raw}" is not a wildcard name (use *.school.local)` };
  }
  if (HOST_NAME.test(text)) return { kind: 'host', host: text.replace(/\.$/, '') };
  return { error: `"${raw}" is not a host name, address or address range` };
}

export function formatAddress(family: 4 | 6, value: bigint): string {
  if (family === 4) {
    return [24n, 16n, 8n, 0n].map((s) => ((value >> s) & 0xffn).toString()).join('.');
  }
  const groups: string[] = [];
  for (let s = 112n; s >= 0n; s -= 16n) groups.push(((value >> s) & 0xffffn).toString(16));
  // RFC 5952: the longest run of two or more zero groups becomes "::".
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j === i ? i + 1 : j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

/** Is this address inside the range? */
export function cidrContains(
  entry: Extract<AllowEntry, { kind: 'cidr' }>,
  addr: { family: 4 | 6; value: bigint },
): boolean {
  return (
    entry.family === addr.family &&
    (addr.value & maskOf(addr.family, entry.prefix)) === entry.network
  );
}

export interface ParsedAllowList {
  entries: AllowEntry[];
  /** Entries that are not understood, in words for IT. */
  errors: string[];
}

export function parseAllowList(list: readonly string[]): ParsedAllowList {
  const entries: AllowEntry[] = [];
  const errors: string[] = [];
  for (const raw of list) {
    const e = parseAllowEntry(raw);
    if ('error' in e) errors.push(e.error);
    else entries.push(e);
  }
  return { entries, errors };
}

/** Addresses an enforcer at the packet level can use. */
export interface ResolvedAllowList {
  v4: string[];
  v6: string[];
  /** Names that did not resolve, or cannot be resolved (wildcards), in words for IT. */
  unresolved: string[];
}

export type HostLookup = (host: string) => Promise<{ address: string; family: number }[]>;

/**
 * Turn names into addresses at the moment the rules are applied. A packet filter sees
 * only addresses, so a wildcard cannot be enforced there (it is reported) and a name is
 * only as good as its address at apply time.
 */
export async function resolveAllowList(
  list: readonly string[],
  lookup: HostLookup,
): Promise<ResolvedAllowList> {
  const { entries, errors } = parseAllowList(list);
  const v4 = new Set<string>();
  const v6 = new Set<string>();
  // Warnings in the order IT wrote the entries, whatever order the lookups finish in.
  const perEntry = await Promise.all(
    entries.map(async (e): Promise<string | undefined> => {
      if (e.kind === 'cidr') {
        (e.family === 4 ? v4 : v6).add(e.text);
        return undefined;
      }
      if (e.kind === 'wildcard') {
        return `*.${e.suffix} cannot be allowed at the firewall (it sees addresses, not names); list the servers or their range`;
      }
      try {
        const found = await lookup(e.host);
        if (found.length === 0) return `${e.host} has no address`;
        for (const a of found) {
          const p = parseAddress(a.address);
          if (p) (p.family === 4 ? v4 : v6).add(formatAddress(p.family, p.value));
        }
        return undefined;
      } catch (err) {
        return `${e.host} did not resolve (${(err as Error).message})`;
      }
    }),
  );
  const unresolved = [...errors, ...perEntry.filter((w): w is string => w !== undefined)];
  return { v4: [...v4].sort(), v6: [...v6].sort(), unresolved };
}
