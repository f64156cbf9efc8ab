import { lookup as dnsLookup } from 'node:dns/promises';
import { resolveAllowList, type HostLookup } from './allow-list';
import type { CommandRunner, EnforcementTarget, RestrictionEnforcer } from './enforcer';
import { ProcessRunner } from './enforcer';
import { nftRuleset, NFT_TABLE, type UidAllow } from './nft-ruleset';

const systemLookup: HostLookup = (host) => dnsLookup(host, { all: true, verbatim: true });

function uidOf(target: EnforcementTarget): number {
  if (target.uid === undefined) {
    throw new Error(
      `No Linux user id for ${target.account}: the firewall rules need one to match the user's traffic.`,
    );
  }
  return target.uid;
}

/**
 * Runs `nft` itself: inside classlockd (root), and in tests inside a network namespace
 * (give it a runner that prefixes `ip netns exec NS`). It keeps every restricted
 * uid and rewrites the whole table on each change, so rules for one user never disturb
 * another's and nothing half-applied can remain.
 */
export class DirectNftablesEnforcer implements RestrictionEnforcer {
  private readonly uids = new Map<number, UidAllow>();
  private warnings: string[] = [];

  constructor(
    private readonly runner: CommandRunner = new ProcessRunner(),
    private readonly lookup: HostLookup = systemLookup,
  ) {}

  async apply(target: EnforcementTarget, allowList: string[]): Promise<void> {
    const uid = uidOf(target);
    const resolved = await resolveAllowList(allowList, this.lookup);
    this.warnings = resolved.unresolved;
    const next = new Map(this.uids);
    next.set(uid, { v4: resolved.v4, v6: resolved.v6 });
    await this.load(next);
  }

  async lift(target: EnforcementTarget): Promise<void> {
    const uid = uidOf(target);
    const next = new Map(this.uids);
    next.delete(uid);
    await this.load(next);
  }

  async clearLeftovers(): Promise<void> {
    await this.load(new Map());
  }

  /** The uids currently restricted by this enforcer. */
  restricted(): number[] {
    return [...this.uids.keys()];
  }

  /** Allow-list entries the last apply could not turn into addresses. */
  lastWarnings(): string[] {
    return [...this.warnings];
  }

  describe(): string {
    const extra = this.warnings.length ? `; not allowed: ${this.warnings.join('; ')}` : '';
    return `nftables table inet ${NFT_TABLE}, ${this.uids.size} user(s) restricted${extra}`;
  }

  private async load(next: Map<number, UidAllow>): Promise<void> {
    const res = await this.runner.run('nft', ['-f', '-'], nftRuleset(next));
    if (res.code !== 0) {
      throw new Error(
        `nftables refused Classlock's rules (nft exit ${res.code}): ${res.stderr.trim() || res.stdout.trim()}`,
      );
    }
    this.uids.clear();
    for (const [k, v] of next) this.uids.set(k, v);
  }
}
