import type { GroupSource } from '../core/identity/groups';
import type { PeerIdentity } from './os/session-source';

/** Who a connecting client's session belongs to: found from the OS, never from the client. */
export interface ClientIdentity {
  account: string;
  uid?: number;
  sid?: string;
  groups: string[];
}

/** Maps the OS's answer about a peer to an account and its groups. Injectable for tests and the preview. */
export type IdentityResolver = (peer: PeerIdentity) => Promise<ClientIdentity>;

export class IdentityError extends Error {}

/**
 * The OS's own answer: the uid's account through the C library, its groups through the OS
 * (as root, `id -Gn` may answer for any user). System accounts (below minUid) and root
 * have no Classlock session.
 */
export function osIdentityResolver(o: {
  accountOfUid: (uid: number) => string | undefined;
  groups: GroupSource;
  minUid: number;
  log?: (line: string) => void;
}): IdentityResolver {
  return async (peer) => {
    if (peer.uid === undefined) throw new IdentityError('the OS did not say which user connected');
    if (peer.uid < o.minUid)
      throw new IdentityError(
        `user id ${peer.uid} is ${peer.uid === 0 ? 'root' : 'a system account'}; Classlock runs sessions for user accounts only (user id ${o.minUid} and above)`,
      );
    const account = o.accountOfUid(peer.uid);
    if (!account) throw new IdentityError(`user id ${peer.uid} has no account on this computer`);
    const groups = await o.groups.groupsOf(account).catch((err: unknown) => {
      // No groups: the policy's default role (pupil), the strictest.
      o.log?.(`Could not read the groups of ${account}: ${String(err)}`);
      return [] as string[];
    });
    return { account, uid: peer.uid, groups };
  };
}
