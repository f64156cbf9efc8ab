/**
 * The Win32 functions the machine service calls, as koffi binds them. Everything above this
 * file (pipe identity, WTS sessions, the registry reader) takes a `Win32` value, so the call
 * sequences are unit-tested on Linux with a stand-in; only these declarations are checked
 * first on Windows itself (see docs/windows-service.md, "What has not run on Windows").
 *
 * Conventions, as koffi marshals them: handles and pointers are opaque values; an `_Out_`
 * number is a one-element array the call fills; strings are UTF-16 (`str16`).
 */
import koffi from 'koffi';
import type * as K from 'koffi';

export type Handle = unknown;
export type Ptr = unknown;
export type Out<T> = [T];

export interface WtsSessionInfo {
  SessionId: number;
  pWinStationName: string;
  /** WTS_CONNECTSTATE_CLASS: 0 active, 1 connected, 4 disconnected, ... */
  State: number;
}

export interface Win32 {
  // kernel32
  /** null when the call failed (INVALID_HANDLE_VALUE). */
  CreateNamedPipeW(
    name: string,
    openMode: number,
    pipeMode: number,
    maxInstances: number,
    outBuffer: number,
    inBuffer: number,
    defaultTimeoutMs: number,
    security: { nLength: number; lpSecurityDescriptor: Ptr; bInheritHandle: boolean } | null,
  ): Handle;
  /** Blocks until a client connects; run off the main thread (koffi `.async`). */
  ConnectNamedPipeAsync(pipe: Handle): Promise<boolean>;
  DisconnectNamedPipe(pipe: Handle): boolean;
  CloseHandle(h: Handle): boolean;
  GetNamedPipeClientProcessId(pipe: Handle, pid: Out<number>): boolean;
  GetNamedPipeServerProcessId(pipe: Handle, pid: Out<number>): boolean;
  OpenProcess(access: number, inherit: boolean, pid: number): Handle;
  CreateFileW(
    name: string,
    access: number,
    share: number,
    security: null,
    disposition: number,
    flags: number,
    template: null,
  ): Handle;
  ProcessIdToSessionId(pid: number, session: Out<number>): boolean;
  GetLastError(): number;
  LocalFree(p: Ptr): Ptr;
  // advapi32
  OpenProcessToken(process: Handle, access: number, token: Out<Handle>): boolean;
  GetTokenInformation(
    token: Handle,
    infoClass: number,
    buf: Buffer | null,
    len: number,
    returned: Out<number>,
  ): boolean;
  /** The SID pointer at the start of a TOKEN_USER buffer (it points into that buffer). */
  tokenUserSid(buf: Buffer): Ptr;
  ConvertSidToStringSidW(sid: Ptr, out: Out<Ptr>): boolean;
  ConvertStringSecurityDescriptorToSecurityDescriptorW(
    sddl: string,
    revision: number,
    sd: Out<Ptr>,
    size: Out<number> | null,
  ): boolean;
  RegOpenKeyExW(
    root: Handle,
    subkey: string,
    options: number,
    sam: number,
    key: Out<Handle>,
  ): number;
  RegQueryInfoKeyW(
    key: Handle,
    subkeys: Out<number>,
    maxSubkeyLen: Out<number>,
    values: Out<number>,
    maxValueNameLen: Out<number>,
    maxValueLen: Out<number>,
  ): number;
  RegEnumValueW(
    key: Handle,
    index: number,
    name: Buffer,
    nameLen: Out<number>,
    type: Out<number>,
  ): number;
  RegGetValueW(
    key: Handle,
    subkey: string | null,
    value: string,
    flags: number,
    type: Out<number>,
    data: Buffer | null,
    dataLen: Out<number>,
  ): number;
  RegCloseKey(key: Handle): number;
  // wtsapi32
  WTSEnumerateSessionsW(
    server: Handle,
    reserved: number,
    version: number,
    info: Out<Ptr>,
    count: Out<number>,
  ): boolean;
  decodeSessions(info: Ptr, count: number): WtsSessionInfo[];
  WTSQuerySessionInformationW(
    server: Handle,
    session: number,
    infoClass: number,
    buf: Out<Ptr>,
    bytes: Out<number>,
  ): boolean;
  decodeString16(p: Ptr): string;
  WTSQueryUserToken(session: number, token: Out<Handle>): boolean;
  WTSDisconnectSession(server: Handle, session: number, wait: boolean): boolean;
  WTSLogoffSession(server: Handle, session: number, wait: boolean): boolean;
  WTSFreeMemory(p: Ptr): void;
  // the host (node.exe / electron.exe export libuv for native addons)
  /** A C-runtime file descriptor for an OS handle, in the host's own C runtime. */
  uv_open_osfhandle(h: Handle): number;
}

/** The pseudo-handle for "this computer" in WTS calls; null means the same to Windows. */
export const WTS_CURRENT_SERVER_HANDLE: Handle = null;
/** HKEY_LOCAL_MACHINE as the predefined handle value. */
export const HKEY_LOCAL_MACHINE: Handle = 0x80000002;

let loaded: Win32 | undefined;

/** INVALID_HANDLE_VALUE ((HANDLE)-1) and NULL both become null, so callers test one thing. */
function validOrNull(h: Handle): Handle {
  if (h === null || h === undefined) return null;
  const a = koffi.address(h);
  return a === 0n || a === 0xffffffffffffffffn || a === -1n ? null : h;
}

/** Binds the real functions. Only on Windows; every other platform gets a clear error. */
export function loadWin32(): Win32 {
  if (loaded) return loaded;
  if (process.platform !== 'win32')
    throw new Error(`the Win32 calls exist only on Windows (this is ${process.platform})`);
  const kernel32 = koffi.load('kernel32.dll');
  const advapi32 = koffi.load('advapi32.dll');
  const wtsapi32 = koffi.load('wtsapi32.dll');
  const host = koffi.load(process.execPath);
  koffi.pointer('HANDLE', koffi.opaque());
  koffi.struct('SECURITY_ATTRIBUTES', {
    nLength: 'uint32',
    lpSecurityDescriptor: 'void *',
    bInheritHandle: 'bool',
  });
  const WTS_SESSION_INFOW = koffi.struct('WTS_SESSION_INFOW', {
    SessionId: 'uint32',
    pWinStationName: 'str16',
    State: 'int',
  });
  const f = (lib: K.LibraryHandle, decl: string) =>
    lib.func(decl) as unknown as (...a: unknown[]) => never;
  const createPipe = f(
    kernel32,
    'HANDLE __stdcall CreateNamedPipeW(str16, uint32, uint32, uint32, uint32, uint32, uint32, SECURITY_ATTRIBUTES *)',
  );
  const createFile = f(
    kernel32,
    'HANDLE __stdcall CreateFileW(str16, uint32, uint32, void *, uint32, uint32, HANDLE)',
  );
  const connect = kernel32.func('bool __stdcall ConnectNamedPipe(HANDLE, void *)');
  const queryInfo = f(
    advapi32,
    'int32 __stdcall RegQueryInfoKeyW(HANDLE, void *, void *, void *, _Out_ uint32 *, _Out_ uint32 *, void *, _Out_ uint32 *, _Out_ uint32 *, _Out_ uint32 *, void *, void *)',
  );
  const enumValue = f(
    advapi32,
    'int32 __stdcall RegEnumValueW(HANDLE, uint32, _Out_ uint8_t *, _Inout_ uint32 *, void *, _Out_ uint32 *, void *, void *)',
  );
  loaded = {
    CreateNamedPipeW: (...a) => validOrNull(createPipe(...a)),
    ConnectNamedPipeAsync: (pipe) =>
      new Promise((resolve, reject) =>
        connect.async(pipe, null, (err: unknown, ok: boolean) => (err ? reject(err) : resolve(ok))),
      ),
    DisconnectNamedPipe: f(kernel32, 'bool __stdcall DisconnectNamedPipe(HANDLE)'),
    CloseHandle: f(kernel32, 'bool __stdcall CloseHandle(HANDLE)'),
    GetNamedPipeClientProcessId: f(
      kernel32,
      'bool __stdcall GetNamedPipeClientProcessId(HANDLE, _Out_ uint32 *)',
    ),
    GetNamedPipeServerProcessId: f(
      kernel32,
      'bool __stdcall GetNamedPipeServerProcessId(HANDLE, _Out_ uint32 *)',
    ),
    OpenProcess: f(kernel32, 'HANDLE __stdcall OpenProcess(uint32, bool, uint32)'),
    CreateFileW: (...a) => validOrNull(createFile(...a)),
    ProcessIdToSessionId: f(
      kernel32,
      'bool __stdcall ProcessIdToSessionId(uint32, _Out_ uint32 *)',
    ),
    GetLastError: f(kernel32, 'uint32 __stdcall GetLastError()'),
    LocalFree: f(kernel32, 'void * __stdcall LocalFree(void *)'),
    OpenProcessToken: f(
      advapi32,
      'bool __stdcall OpenProcessToken(HANDLE, uint32, _Out_ HANDLE *)',
    ),
    GetTokenInformation: f(
      advapi32,
      'bool __stdcall GetTokenInformation(HANDLE, int, _Out_ uint8_t *, uint32, _Out_ uint32 *)',
    ),
    tokenUserSid: (buf) => koffi.decode(buf, 'void *'),
    ConvertSidToStringSidW: f(
      advapi32,
      'bool __stdcall ConvertSidToStringSidW(void *, _Out_ void **)',
    ),
    ConvertStringSecurityDescriptorToSecurityDescriptorW: f(
      advapi32,
      'bool __stdcall ConvertStringSecurityDescriptorToSecurityDescriptorW(str16, uint32, _Out_ void **, _Out_ uint32 *)',
    ),
    RegOpenKeyExW: f(
      advapi32,
      'int32 __stdcall RegOpenKeyExW(HANDLE, str16, uint32, uint32, _Out_ HANDLE *)',
    ),
    RegQueryInfoKeyW: (key, subkeys, maxSubkeyLen, values, maxValueNameLen, maxValueLen) =>
      queryInfo(
        key,
        null,
        null,
        null,
        subkeys,
        maxSubkeyLen,
        null,
        values,
        maxValueNameLen,
        maxValueLen,
        null,
        null,
      ),
    RegEnumValueW: (key, index, name, nameLen, type) =>
      enumValue(key, index, name, nameLen, null, type, null, null),
    RegGetValueW: f(
      advapi32,
      'int32 __stdcall RegGetValueW(HANDLE, str16, str16, uint32, _Out_ uint32 *, _Out_ uint8_t *, _Inout_ uint32 *)',
    ),
    RegCloseKey: f(advapi32, 'int32 __stdcall RegCloseKey(HANDLE)'),
    WTSEnumerateSessionsW: f(
      wtsapi32,
      'bool __stdcall WTSEnumerateSessionsW(HANDLE, uint32, uint32, _Out_ void **, _Out_ uint32 *)',
    ),
    decodeSessions: (info, count) =>
      koffi.decode(info, WTS_SESSION_INFOW, count) as WtsSessionInfo[],
    WTSQuerySessionInformationW: f(
      wtsapi32,
      'bool __stdcall WTSQuerySessionInformationW(HANDLE, uint32, int, _Out_ void **, _Out_ uint32 *)',
    ),
    decodeString16: (p) => koffi.decode(p, 'str16') as string,
    WTSQueryUserToken: f(wtsapi32, 'bool __stdcall WTSQueryUserToken(uint32, _Out_ HANDLE *)'),
    WTSDisconnectSession: f(wtsapi32, 'bool __stdcall WTSDisconnectSession(HANDLE, uint32, bool)'),
    WTSLogoffSession: f(wtsapi32, 'bool __stdcall WTSLogoffSession(HANDLE, uint32, bool)'),
    WTSFreeMemory: f(wtsapi32, 'void __stdcall WTSFreeMemory(void *)'),
    uv_open_osfhandle: f(host, 'int uv_open_osfhandle(HANDLE)'),
  };
  return loaded;
}
