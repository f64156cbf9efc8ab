import type { EnforcementTarget, RestrictionEnforcer } from '../../src/core/enforcement/enforcer';

/**
 * Keeps the restriction state a real enforcer would leave on the machine, so session tests
 * can assert what is in force. The real packet filter is driven by the nftables system test.
 */
export class StateEnforcer implements RestrictionEnforcer {
  readonly restricted = new Map<string, string[]>();
  fail = false;
  async apply(t: EnforcementTarget, allow: string[]) {
    if (this.fail) throw new Error('classlock-netd is not running');
    this.restricted.set(t.account, allow);
  }
  async lift(t: EnforcementTarget) {
    this.restricted.delete(t.account);
  }
  async clearLeftovers() {
    this.restricted.clear();
  }
  describe() {
    return 'test enforcer';
  }
}
