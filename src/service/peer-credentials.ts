import koffi, { type LibraryHandle } from 'koffi';
import type { Socket } from 'node:net';
import type { PeerIdentity } from './os/session-source';

/**
 * Reads who is at the other end of an accepted local connection, from the OS. Linux:
 * SO_PEERCRED below. Windows: the named pipe's client process and token (helper code in
 * src/service/os/windows-*.ts) behind the same interface.
 */
export interface PeerIdentityProvider {
  identify(socket: Socket): PeerIdentity | Promise<PeerIdentity>;
}

const SOL_SOCKET = 1;
const SO_PEERCRED = 17;

type NativeFunction = ReturnType<LibraryHandle['func']>;
interface Libc {
  getsockopt: NativeFunction;
  getpwuidR: NativeFunction;
  getpwnamR: NativeFunction;
}

let libc: Libc | undefined;

/** Loaded on first use: only the service on Linux needs libc. */
function loadLibc(): Libc {
  if (libc) return libc;
  const lib = koffi.load('libc.so.6');
  koffi.struct('classlock_ucred', { pid: 'int32', uid: 'uint32', gid: 'uint32' });
  koffi.struct('classlock_passwd', {
    pw_name: 'char *',
    pw_passwd: 'char *',
    pw_uid: 'uint32',
    pw_gid: 'uint32',
    pw_gecos: 'char *',
    pw_dir: 'char *',
    pw_shell: 'char *',
  });
  libc = {
    getsockopt: lib.func(
      'int getsockopt(int, int, int, _Out_ classlock_ucred *, _Inout_ uint32 *)',
    ),
    getpwuidR: lib.func(
      'int getpwuid_r(uint32, _Out_ classlock_passwd *, char *, size_t, _Out_ void **)',
    ),
    getpwnamR: lib.func(
      'int getpwnam_r(const char *, _Out_ classlock_passwd *, char *, size_t, _Out_ void **)',
    ),
  };
  return libc;
}

/**
 * Linux: SO_PEERCRED on the accepted Unix socket. The kernel fills in the pid, uid and gid
 * of the process that connected; nothing the client sends can change them.
 */
export class PeerCredProvider implements PeerIdentityProvider {
  identify(socket: Socket): PeerIdentity {
    const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
    if (typeof fd !== 'number' || fd < 0)
      throw new Error('the connection has no file descriptor to ask the kernel about');
    const cred: { pid?: number; uid?: number; gid?: number } = {};
    const len = [12];
    const rc = loadLibc().getsockopt(fd, SOL_SOCKET, SO_PEERCRED, cred, len) as number;
    if (rc !== 0 || cred.pid === undefined || cred.uid === undefined)
      throw new Error(`the kernel would not say who connected (getsockopt returned ${rc})`);
    return { pid: cred.pid, uid: cred.uid, gid: cred.gid ?? 0 };
  }
}

/**
 * The account name of a uid, through the C library (so NSS: local files, LDAP, sssd),
 * never from what a client claims. Undefined when the uid has no account.
 */
export function accountOfUid(uid: number): string | undefined {
  const pw: { pw_name?: string } = {};
  const buf = Buffer.alloc(16 * 1024);
  const result: unknown[] = [null];
  const rc = loadLibc().getpwuidR(uid, pw, buf, buf.length, result) as number;
  if (rc !== 0 || result[0] === null || !pw.pw_name) return undefined;
  return pw.pw_name;
}

/** The uid of an account name through the C library, or undefined when there is none. */
export function uidOfAccount(account: string): number | undefined {
  const pw: { pw_uid?: number } = {};
  const buf = Buffer.alloc(16 * 1024);
  const result: unknown[] = [null];
  const rc = loadLibc().getpwnamR(account, pw, buf, buf.length, result) as number;
  if (rc !== 0 || result[0] === null || pw.pw_uid === undefined) return undefined;
  return pw.pw_uid;
}
