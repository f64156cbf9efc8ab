import { expect } from 'vitest';
import type { CommandRunner } from '../../src/core/enforcement/enforcer';

/**
 * nft replaced by a stand-in that keeps the last ruleset loaded, so a test asserts which
 * users the firewall would restrict (the real nft is exercised by the system test).
 */
export class FakeNft implements CommandRunner {
  loaded = '';
  loads = 0;
  async run(file: string, args: string[], input?: string) {
    expect([file, ...args]).toEqual(['nft', '-f', '-']);
    this.loaded = input ?? '';
    this.loads++;
    return { code: 0, stdout: '', stderr: '' };
  }
  restricted(): number[] {
    return [...this.loaded.matchAll(/meta skuid (\d+) jump/g)].map((m) => Number(m[1]));
  }
}
