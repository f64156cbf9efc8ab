/**
 * The nftables rules for users whose internet access is withdrawn, as text for `nft -f -`.
 * Pure, so the exact rules are unit-tested and reviewed as text.
 *
 * The whole `inet classlock` table is replaced in one transaction: declaring the table
 * first makes the delete succeed even when it does not exist yet, so applying is
 * idempotent and never leaves a half-built table. With no users the table is removed.
 *
 * Per user: loopback accepted, the allow list (IPv4 and IPv6 sets) accepted, TCP refused
 * with a reset and everything else with ICMP unreachable so programs fail at once instead
 * of hanging. Established connections are deliberately NOT accepted: a sanction arriving
 * mid-session cuts connections already open to the internet.
 */
export interface UidAllow {
  v4: readonly string[];
  v6: readonly string[];
}

export const NFT_TABLE = 'classlock';

const ELEMENT = /^[0-9a-f.:]+(\/\d{1,3})?$/;

function elements(list: readonly string[]): string {
  for (const e of list) {
    if (!ELEMENT.test(e)) throw new Error(`"${e}" is not an address or range nftables can take`);
  }
  return list.length ? `\n\t\telements = { ${list.join(', ')} }` : '';
}

export function nftRuleset(uids: ReadonlyMap<number, UidAllow>): string {
  const out = [`table inet ${NFT_TABLE}`, `delete table inet ${NFT_TABLE}`];
  if (uids.size === 0) return `${out.join('\n')}\n`;
  const sorted = [...uids.entries()].sort((a, b) => a[0] - b[0]);
  out.push(`table inet ${NFT_TABLE} {`);
  for (const [uid, allow] of sorted) {
    checkUid(uid);
    out.push(
      `\tset allow4_${uid} {\n\t\ttype ipv4_addr; flags interval; auto-merge;${elements(allow.v4)}\n\t}`,
      `\tset allow6_${uid} {\n\t\ttype ipv6_addr; flags interval; auto-merge;${elements(allow.v6)}\n\t}`,
      `\tchain user_${uid} {`,
      `\t\toifname "lo" accept`,
      `\t\tip daddr @allow4_${uid} accept`,
      `\t\tip6 daddr @allow6_${uid} accept`,
      `\t\tmeta l4proto tcp reject with tcp reset`,
      `\t\treject`,
      `\t}`,
    );
  }
  out.push(`\tchain output {`, `\t\ttype filter hook output priority filter; policy accept;`);
  for (const [uid] of sorted) out.push(`\t\tmeta skuid ${uid} jump user_${uid}`);
  out.push(`\t}`, `}`);
  return `${out.join('\n')}\n`;
}

function checkUid(uid: number): void {
  if (!Number.isInteger(uid) || uid < 1 || uid > 0xfffffffe) {
    throw new Error(`${uid} is not a user id Classlock restricts`);
  }
}
