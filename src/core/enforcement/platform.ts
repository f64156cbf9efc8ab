import type { RestrictionEnforcer } from './enforcer';
import { UnavailableEnforcer } from './enforcer';
import { DEFAULT_NETD_SOCKET, NftablesEnforcer } from './nftables-enforcer';
import { WindowsProxyEnforcer } from './windows-proxy';

export interface PlatformEnforcerOptions {
  platform: NodeJS.Platform;
  /** Windows: the user's own Classlock folder, where the previous proxy settings are kept. */
  userStateDir: string;
  /** Linux: the helper's socket. */
  netdSocket?: string;
  /** Linux: the signed policy in force, sent with each request so the helper can lift early. */
  currentBundle?: () => string | undefined;
}

/** The enforcer for this operating system (Electron's own sessions are filtered separately). */
export function platformEnforcer(opts: PlatformEnforcerOptions): RestrictionEnforcer {
  switch (opts.platform) {
    case 'linux':
      return new NftablesEnforcer({
        socketPath: opts.netdSocket ?? DEFAULT_NETD_SOCKET,
        ...(opts.currentBundle ? { currentBundle: opts.currentBundle } : {}),
      });
    case 'win32':
      return new WindowsProxyEnforcer(opts.userStateDir);
    default:
      return new UnavailableEnforcer(`no enforcer for ${opts.platform} yet`);
  }
}
