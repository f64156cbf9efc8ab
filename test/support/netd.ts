import { createConnection } from 'node:net';
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

/** Send raw text to the helper's socket and read one answer line (bounded in time). */
export function askNetd(
  socketPath: string,
  text: string,
  timeoutMs = 5000,
): Promise<{ ok: boolean; error?: string }> {
  return new Promise((resolve, reject) => {
    const sock = createConnection(socketPath);
    let buf = '';
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error('no answer'));
    }, timeoutMs);
    sock.setEncoding('utf8');
    sock.on('connect', () => sock.write(text));
    sock.on('data', (d: string) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        sock.destroy();
        resolve(JSON.parse(buf.slice(0, nl)));
      }
    });
    sock.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}
