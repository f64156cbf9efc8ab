import { Socket } from 'node:net';
import type { PeerIdentity } from './session-source';
import type { Handle, Out, Ptr, Win32 } from './windows-win32';

/** The machine service's named pipe. */
export const CLASSLOCKD_PIPE = '\\\\.\\pipe\\classlockd';

/** The well-known SID of LocalSystem, which the service runs as. */
export const LOCAL_SYSTEM_SID = 'S-1-5-18';

// Pipe access rights a client needs: read and write data and attributes, read the
// descriptor, wait on it. Deliberately NOT FILE_APPEND_DATA (0x4), which on a pipe is
// FILE_CREATE_PIPE_INSTANCE: with it a pupil could open a server instance of
// \\.\pipe\classlockd and receive other users' connections (and the PINs they carry).
const FILE_READ_DATA = 0x1;
const FILE_WRITE_DATA = 0x2;
const FILE_READ_EA = 0x8;
const FILE_READ_ATTRIBUTES = 0x80;
const FILE_WRITE_ATTRIBUTES = 0x100;
const READ_CONTROL = 0x20000;
const SYNCHRONIZE = 0x100000;
export const PIPE_CLIENT_RIGHTS =
  FILE_READ_DATA |
  FILE_WRITE_DATA |
  FILE_READ_EA |
  FILE_READ_ATTRIBUTES |
  FILE_WRITE_ATTRIBUTES |
  READ_CONTROL |
  SYNCHRONIZE;

/**
 * The pipe's security descriptor: SYSTEM and Administrators full control; signed-in users
 * (Authenticated Users) may connect, read and write, but not create server instances. The
 * DACL is protected (P), so nothing is inherited. Anonymous and network logons get nothing,
 * and PIPE_REJECT_REMOTE_CLIENTS refuses other computers outright.
 */
export const PIPE_SDDL = `D:P(A;;GA;;;SY)(A;;GA;;;BA)(A;;0x${PIPE_CLIENT_RIGHTS.toString(16)};;;AU)`;

const PIPE_ACCESS_DUPLEX = 0x3;
const FILE_FLAG_FIRST_PIPE_INSTANCE = 0x80000;
const PIPE_TYPE_BYTE = 0x0;
const PIPE_REJECT_REMOTE_CLIENTS = 0x8;
const PIPE_UNLIMITED_INSTANCES = 255;
const SDDL_REVISION_1 = 1;
const PROCESS_QUERY_LIMITED_INFORMATION = 0x1000;
const TOKEN_QUERY = 0x8;
const TOKEN_USER = 1;
const ERROR_INSUFFICIENT_BUFFER = 122;
const ERROR_ACCESS_DENIED = 5;
const ERROR_PIPE_BUSY = 231;
const ERROR_PIPE_CONNECTED = 535;
const OPEN_EXISTING = 3;
const SECURITY_SQOS_PRESENT = 0x100000;
const SECURITY_IDENTIFICATION = 0x10000;
const GENERIC_READ = 0x80000000;

const out = <T>(v: T): Out<T> => [v];

/** The user SID (S-1-5-21-...) of a token, as text. */
export function sidOfToken(w: Win32, token: Handle): string {
  const needed = out(0);
  // First call asks for the size; it fails with ERROR_INSUFFICIENT_BUFFER by design.
  if (!w.GetTokenInformation(token, TOKEN_USER, null, 0, needed)) {
    const err = w.GetLastError();
    if (err !== ERROR_INSUFFICIENT_BUFFER || needed[0] <= 0)
      throw new Error(`Windows would not say how large the token's user is (error ${err})`);
  }
  const buf = Buffer.alloc(needed[0]);
  if (!w.GetTokenInformation(token, TOKEN_USER, buf, buf.length, out(0)))
    throw new Error(`Windows would not give the token's user (error ${w.GetLastError()})`);
  const str = out<Ptr>(null);
  if (!w.ConvertSidToStringSidW(w.tokenUserSid(buf), str))
    throw new Error(`Windows could not write the user's SID as text (error ${w.GetLastError()})`);
  try {
    return w.decodeString16(str[0]);
  } finally {
    w.LocalFree(str[0]);
  }
}

/** The SID of the account a process runs as. Every handle opened here is closed again. */
export function sidOfProcess(w: Win32, pid: number): string {
  const proc = w.OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, false, pid);
  if (!proc) throw new Error(`cannot open process ${pid} (error ${w.GetLastError()})`);
  try {
    const token = out<Handle>(null);
    if (!w.OpenProcessToken(proc, TOKEN_QUERY, token))
      throw new Error(`cannot read the account of process ${pid} (error ${w.GetLastError()})`);
    try {
      return sidOfToken(w, token[0]);
    } finally {
      w.CloseHandle(token[0]);
    }
  } finally {
    w.CloseHandle(proc);
  }
}

/**
 * Who is at the other end of a connected server pipe instance: the kernel's record of the
 * client process, and that process's token. Nothing the client writes is consulted.
 */
export function pipeClientIdentity(w: Win32, pipe: Handle): PeerIdentity {
  const pid = out(0);
  if (!w.GetNamedPipeClientProcessId(pipe, pid) || pid[0] <= 0)
    throw new Error(`Windows would not say which process connected (error ${w.GetLastError()})`);
  return { pid: pid[0], sid: sidOfProcess(w, pid[0]) };
}

/** A SECURITY_ATTRIBUTES for the SDDL; free `sd` with LocalFree when the pipe is made. */
function securityAttributes(w: Win32, sddl: string) {
  const sd = out<Ptr>(null);
  if (!w.ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl, SDDL_REVISION_1, sd, null))
    throw new Error(`the pipe's access rules "${sddl}" are not valid (error ${w.GetLastError()})`);
  return { sd: sd[0], sa: { nLength: 24, lpSecurityDescriptor: sd[0], bInheritHandle: 0 } };
}

/** Makes a Node socket from a connected pipe handle (through the host's C runtime). */
export type SocketFromHandle = (w: Win32, h: Handle) => Socket;

const socketFromHandle: SocketFromHandle = (w, h) => {
  const fd = w.uv_open_osfhandle(h);
  if (fd < 0) throw new Error('Node could not take over the pipe handle');
  return new Socket({ fd, readable: true, writable: true });
};

export interface PipeServerOptions {
  name?: string;
  sddl?: string;
  toSocket?: SocketFromHandle;
  /** Told about connections refused (identity unknown) and pipe errors, for the audit. */
  onProblem?: (message: string) => void;
}

/**
 * The service's end of \\.\pipe\classlockd, made with Win32 calls rather than Node's
 * `listen`: Node cannot give a pipe a security descriptor, and keeps the pipe handle
 * hidden, so it could not ask who connected. Each instance waits for one client on a
 * worker thread (ConnectNamedPipe); once connected, the client is identified, a fresh
 * instance is put up for the next one, and the handle is given to Node as a socket.
 */
export class NamedPipeServer {
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly name: string;
  private readonly sddl: string;
  private readonly toSocket: SocketFromHandle;

  constructor(
    private readonly w: Win32,
    private readonly onConnection: (socket: Socket, peer: PeerIdentity) => void,
    private readonly options: PipeServerOptions = {},
  ) {
    this.name = options.name ?? CLASSLOCKD_PIPE;
    this.sddl = options.sddl ?? PIPE_SDDL;
    this.toSocket = options.toSocket ?? socketFromHandle;
  }

  private instance(first: boolean): Handle {
    const { sd, sa } = securityAttributes(this.w, this.sddl);
    try {
      const h = this.w.CreateNamedPipeW(
        this.name,
        PIPE_ACCESS_DUPLEX | (first ? FILE_FLAG_FIRST_PIPE_INSTANCE : 0),
        PIPE_TYPE_BYTE | PIPE_REJECT_REMOTE_CLIENTS,
        PIPE_UNLIMITED_INSTANCES,
        64 * 1024,
        64 * 1024,
        0,
        sa,
      );
      if (!h) {
        const err = this.w.GetLastError();
        if (first && (err === ERROR_ACCESS_DENIED || err === ERROR_PIPE_BUSY))
          throw new Error(
            `another program already holds ${this.name}; the service will not share it (a user may be trying to pose as the service: find the process holding the pipe)`,
          );
        throw new Error(`cannot create ${this.name} (error ${err})`);
      }
      return h;
    } finally {
      this.w.LocalFree(sd);
    }
  }

  /** Creates the first instance (refusing a name someone else holds) and starts accepting. */
  start(): void {
    if (this.running) return;
    const first = this.instance(true);
    this.running = true;
    this.loop = this.accept(first);
  }

  private async accept(first: Handle): Promise<void> {
    try {
      await this.acceptEach(first);
    } catch (err) {
      // Cannot put up a new instance: say so; the service's supervisor restarts it.
      this.running = false;
      this.options.onProblem?.(`stopped accepting clients: ${(err as Error).message}`);
    }
  }

  private async acceptEach(first: Handle): Promise<void> {
    let h = first;
    while (this.running) {
      const ok = await this.w.ConnectNamedPipeAsync(h);
      if (!this.running) {
        this.w.CloseHandle(h);
        return;
      }
      // A client that connected between create and connect is reported as "already connected".
      if (!ok && this.w.GetLastError() !== ERROR_PIPE_CONNECTED) {
        this.w.CloseHandle(h);
        h = this.instance(false);
        continue;
      }
      const connected = h;
      h = this.instance(false);
      let peer: PeerIdentity;
      try {
        peer = pipeClientIdentity(this.w, connected);
      } catch (err) {
        this.options.onProblem?.(`refused a connection: ${(err as Error).message}`);
        this.w.DisconnectNamedPipe(connected);
        this.w.CloseHandle(connected);
        continue;
      }
      this.onConnection(this.toSocket(this.w, connected), peer);
    }
  }

  /**
   * Stops accepting. The instance still waiting in ConnectNamedPipe is released by
   * connecting to it once, so no worker thread is left blocked.
   */
  async close(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    const h = this.w.CreateFileW(this.name, GENERIC_READ, 0, null, OPEN_EXISTING, 0, null);
    if (h) this.w.CloseHandle(h);
    await this.loop;
  }
}

/**
 * The client's end. Node's `net.connect` asks for GENERIC_WRITE, which includes the
 * create-instance right the pipe's rules withhold, so it would be refused; this opens the
 * pipe with exactly the rights granted, lets the service identify but never impersonate
 * the client (SECURITY_IDENTIFICATION), and checks that the server is LocalSystem before
 * sending anything: a pipe of that name held by anyone else is an impostor.
 */
export function connectToService(
  w: Win32,
  options: { name?: string; toSocket?: SocketFromHandle } = {},
): Socket {
  const name = options.name ?? CLASSLOCKD_PIPE;
  const h = w.CreateFileW(
    name,
    PIPE_CLIENT_RIGHTS,
    0,
    null,
    OPEN_EXISTING,
    SECURITY_SQOS_PRESENT | SECURITY_IDENTIFICATION,
    null,
  );
  if (!h)
    throw new Error(`cannot reach the Classlock service at ${name} (error ${w.GetLastError()})`);
  try {
    const pid = out(0);
    if (!w.GetNamedPipeServerProcessId(h, pid))
      throw new Error(`Windows would not say which process serves ${name}`);
    const sid = sidOfProcess(w, pid[0]);
    if (sid !== LOCAL_SYSTEM_SID)
      throw new Error(
        `${name} is served by process ${pid[0]} running as ${sid}, not by the Classlock service (LocalSystem): refusing to talk to it`,
      );
  } catch (err) {
    w.CloseHandle(h);
    throw err;
  }
  return (options.toSocket ?? socketFromHandle)(w, h);
}

/**
 * The identity the pipe server found for each socket it handed over, answered in the shape
 * of the service's peer-identity provider (`identify(socket)`), so the connection handler
 * is the same on Linux (SO_PEERCRED) and Windows.
 */
export class PipePeers {
  private readonly peers = new WeakMap<Socket, PeerIdentity>();

  remember(socket: Socket, peer: PeerIdentity): void {
    this.peers.set(socket, peer);
  }

  identify(socket: Socket): PeerIdentity {
    const peer = this.peers.get(socket);
    if (!peer)
      throw new Error(
        "this connection did not come through the service's pipe: nobody to identify",
      );
    return peer;
  }
}
