import { execFile } from 'node:child_process';
import { userInfo } from 'node:os';
import { promisify } from 'node:util';
import { parseUser } from './user';

const run = promisify(execFile);

/** Where a session's group memberships come from. */
export interface GroupSource {
  groupsOf(username: string): Promise<string[]>;
}

/** `id -Gn USER` on Linux and macOS. */
export class PosixGroups implements GroupSource {
  async groupsOf(username: string): Promise<string[]> {
    const { stdout } = await run('id', ['-Gn', '--', username], { timeout: 5000 });
    return stdout.trim().split(/\s+/).filter(Boolean);
  }
}

/**
 * `whoami /groups /fo csv /nh` on Windows: the current user's token groups, including
 * domain groups. It can only answer for the user running it (the session's user), so it
 * refuses any other name rather than give that user's groups to someone else.
 */
export class WindowsGroups implements GroupSource {
  constructor(private readonly signedIn: string = userInfo().username) {}

  async groupsOf(username: string): Promise<string[]> {
    if (parseUser(username).name.toLowerCase() !== parseUser(this.signedIn).name.toLowerCase()) {
      throw new Error(`Windows lists groups only for the signed-in user, not for ${username}`);
    }
    const { stdout } = await run('whoami', ['/groups', '/fo', 'csv', '/nh'], {
      timeout: 5000,
      windowsHide: true,
    });
    return parseWhoamiGroupsCsv(stdout);
  }
}

/** Group names from `whoami /groups /fo csv /nh`: the first CSV field, `DOMAIN\Group`. */
export function parseWhoamiGroupsCsv(csv: string): string[] {
  const groups: string[] = [];
  for (const line of csv.split(/\r?\n/)) {
    const m = /^"([^"]*)"/.exec(line.trim());
    if (m?.[1]) groups.push(m[1]);
  }
  return groups;
}

/** Compare group names the way Windows does: case-insensitive, domain prefix optional. */
export function groupMatches(policyGroup: string, osGroup: string): boolean {
  const bare = (g: string) => g.slice(g.lastIndexOf('\\') + 1).toLowerCase();
  if (policyGroup.includes('\\')) return policyGroup.toLowerCase() === osGroup.toLowerCase();
  return bare(policyGroup) === bare(osGroup);
}
