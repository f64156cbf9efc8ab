/**
 * The signed-in account as Windows and the directory name it: DOMAIN\user on Windows (a
 * local account's "domain" is the computer name), the bare login name elsewhere.
 */
export function sessionAccount(
  platform: NodeJS.Platform,
  env: Readonly<Record<string, string | undefined>>,
  osUsername: string,
): string {
  if (platform === 'win32') {
    const user = env.USERNAME?.trim() || osUsername;
    const domain = env.USERDOMAIN?.trim();
    return domain ? `${domain}\\${user}` : user;
  }
  return osUsername;
}
