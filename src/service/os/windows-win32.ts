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
    security: { nLength: number; lpSecurityDescriptor: Ptr; bInheritHandle: number } | null,
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

export type Win32Library = 'kernel32.dll' | 'advapi32.dll' | 'wtsapi32.dll' | 'host';

/**
 * Every Win32 declaration, in koffi's C-like syntax. BOOL is Win32's 4-byte int (not C's
 * one-byte bool); predefined registry roots are sign-extended pointer-sized values, so
 * RegOpenKeyExW takes its root as intptr_t.
 */
export const WIN32_DECLARATIONS: Record<string, [Win32Library, string]> = {
  CreateNamedPipeW: [
    'kernel32.dll',
    'HANDLE __stdcall CreateNamedPipeW(str16, uint32, uint32, uint32, uint32, uint32, uint32, SECURITY_ATTRIBUTES *)',
  ],
  ConnectNamedPipe: ['kernel32.dll', 'BOOL __stdcall ConnectNamedPipe(HANDLE, void *)'],
  DisconnectNamedPipe: ['kernel32.dll', 'BOOL __stdcall DisconnectNamedPipe(HANDLE)'],
  CloseHandle: ['kernel32.dll', 'BOOL __stdcall CloseHandle(HANDLE)'],
  GetNamedPipeClientProcessId: [
    'kernel32.dll',
    'BOOL __stdcall GetNamedPipeClientProcessId(HANDLE, _Out_ uint32 *)',
  ],
  GetNamedPipeServerProcessId: [
    'kernel32.dll',
    'BOOL __stdcall GetNamedPipeServerProcessId(HANDLE, _Out_ uint32 *)',
  ],
  OpenProcess: ['kernel32.dll', 'HANDLE __stdcall OpenProcess(uint32, BOOL, uint32)'],
  CreateFileW: [
    'kernel32.dll',
    'HANDLE __stdcall CreateFileW(str16, uint32, uint32, void *, uint32, uint32, HANDLE)',
  ],
  ProcessIdToSessionId: [
    'kernel32.dll',
    'BOOL __stdcall ProcessIdToSessionId(uint32, _Out_ uint32 *)',
  ],
  GetLastError: ['kernel32.dll', 'uint32 __stdcall GetLastError()'],
  LocalFree: ['kernel32.dll', 'void * __stdcall LocalFree(void *)'],
  OpenProcessToken: [
    'advapi32.dll',
    'BOOL __stdcall OpenProcessToken(HANDLE, uint32, _Out_ HANDLE *)',
  ],
  GetTokenInformation: [
    'advapi32.dll',
    'BOOL __stdcall GetTokenInformation(HANDLE, int, _Out_ uint8_t *, uint32, _Out_ uint32 *)',
  ],
  ConvertSidToStringSidW: [
    'advapi32.dll',
    'BOOL __stdcall ConvertSidToStringSidW(void *, _Out_ void **)',
  ],
  ConvertStringSecurityDescriptorToSecurityDescriptorW: [
    'advapi32.dll',
    'BOOL __stdcall ConvertStringSecurityDescriptorToSecurityDescriptorW(str16, uint32, _Out_ void **, _Out_ uint32 *)',
  ],
  RegOpenKeyExW: [
    'advapi32.dll',
    'int32 __stdcall RegOpenKeyExW(intptr_t, str16, uint32, uint32, _Out_ HANDLE *)',
  ],
  RegQueryInfoKeyW: [
    'advapi32.dll',
    'int32 __stdcall RegQueryInfoKeyW(HANDLE, void *, void *, void *, _Out_ uint32 *, _Out_ uint32 *, void *, _Out_ uint32 *, _Out_ uint32 *, _Out_ uint32 *, void *, void *)',
  ],
  RegEnumValueW: [
    'advapi32.dll',
    'int32 __stdcall RegEnumValueW(HANDLE, uint32, _Out_ uint8_t *, _Inout_ uint32 *, void *, _Out_ uint32 *, void *, void *)',
  ],
  RegGetValueW: [
    'advapi32.dll',
    'int32 __stdcall RegGetValueW(HANDLE, str16, str16, uint32, _Out_ uint32 *, _Out_ uint8_t *, _Inout_ uint32 *)',
  ],
  RegCloseKey: ['advapi32.dll', 'int32 __stdcall RegCloseKey(HANDLE)'],
  WTSEnumerateSessionsW: [
    'wtsapi32.dll',
    'BOOL __stdcall WTSEnumerateSessionsW(HANDLE, uint32, uint32, _Out_ void **, _Out_ uint32 *)',
  ],
  WTSQuerySessionInformationW: [
    'wtsapi32.dll',
    'BOOL __stdcall WTSQuerySessionInformationW(HANDLE, uint32, int, _Out_ void **, _Out_ uint32 *)',
  ],
  WTSQueryUserToken: ['wtsapi32.dll', 'BOOL __stdcall WTSQueryUserToken(uint32, _Out_ HANDLE *)'],
  WTSDisconnectSession: [
    'wtsapi32.dll',
    'BOOL __stdcall WTSDisconnectSession(HANDLE, uint32, BOOL)',
  ],
  WTSLogoffSession: ['wtsapi32.dll', 'BOOL __stdcall WTSLogoffSession(HANDLE, uint32, BOOL)'],
  WTSFreeMemory: ['wtsapi32.dll', 'void __stdcall WTSFreeMemory(void *)'],
  uv_open_osfhandle: ['host', 'int uv_open_osfhandle(HANDLE)'],
};

let typesDefined = false;

/** The named types the declarations use; defined once per process (koffi keeps names). */
export function defineWin32Types(): { WTS_SESSION_INFOW: K.TypeObject } {
  if (!typesDefined) {
    koffi.alias('BOOL', 'int');
    koffi.pointer('HANDLE', koffi.opaque());
    koffi.struct('SECURITY_ATTRIBUTES', {
      nLength: 'uint32',
      lpSecurityDescriptor: 'void *',
      bInheritHandle: 'BOOL',
    });
    koffi.struct('WTS_SESSION_INFOW', {
      SessionId: 'uint32',
      pWinStationName: 'str16',
      State: 'int',
    });
    typesDefined = true;
  }
  return { WTS_SESSION_INFOW: koffi.type('WTS_SESSION_INFOW') };
}

type Fn = ((...a: unknown[]) => unknown) & {
  async: (...a: unknown[]) => void;
};

/** Binds the real functions. Only on Windows; every other platform gets a clear error. */
export function loadWin32(): Win32 {
  if (loaded) return loaded;
  if (process.platform !== 'win32')
    throw new Error(`the Win32 calls exist only on Windows (this is ${process.platform})`);
  const { WTS_SESSION_INFOW } = defineWin32Types();
  const libs = new Map<Win32Library, K.LibraryHandle>();
  const lib = (name: Win32Library) => {
    let l = libs.get(name);
    if (!l) {
      l = koffi.load(name === 'host' ? process.execPath : name);
      libs.set(name, l);
    }
    return l;
  };
  const bound = new Map<string, Fn>();
  const fn = (name: string): Fn => {
    let f = bound.get(name);
    if (!f) {
      const [where, decl] = WIN32_DECLARATIONS[name]!;
      f = lib(where).func(decl) as unknown as Fn;
      bound.set(name, f);
    }
    return f;
  };
  // BOOL results become booleans, and boolean arguments BOOL's 0 / 1.
  const bool =
    (name: string) =>
    (...a: unknown[]): boolean => {
      const f = fn(name);
      return f(...a.map((x) => (typeof x === 'boolean' ? Number(x) : x))) !== 0;
    };
  const raw =
    (name: string) =>
    (...a: unknown[]): never => {
      const f = fn(name);
      return f(...a) as never;
    };
  const connect = fn('ConnectNamedPipe');
  const createPipe = raw('CreateNamedPipeW');
  const createFile = raw('CreateFileW');
  const regOpen = raw('RegOpenKeyExW');
  const queryInfo = raw('RegQueryInfoKeyW');
  const enumValue = raw('RegEnumValueW');
  const w: Win32 = {
    CreateNamedPipeW: (...a) => validOrNull(createPipe(...a)),
    ConnectNamedPipeAsync: (pipe) =>
      new Promise((resolve, reject) =>
        connect.async(pipe, null, (err: unknown, ok: number) =>
          err ? reject(err) : resolve(ok !== 0),
        ),
      ),
    DisconnectNamedPipe: bool('DisconnectNamedPipe'),
    CloseHandle: bool('CloseHandle'),
    GetNamedPipeClientProcessId: bool('GetNamedPipeClientProcessId'),
    GetNamedPipeServerProcessId: bool('GetNamedPipeServerProcessId'),
    OpenProcess: (access, inherit, pid) =>
      validOrNull(raw('OpenProcess')(access, Number(inherit), pid)),
    CreateFileW: (...a) => validOrNull(createFile(...a)),
    ProcessIdToSessionId: bool('ProcessIdToSessionId'),
    GetLastError: raw('GetLastError'),
    LocalFree: raw('LocalFree'),
    OpenProcessToken: bool('OpenProcessToken'),
    GetTokenInformation: bool('GetTokenInformation'),
    tokenUserSid: (buf) => koffi.decode(buf, 'void *'),
    ConvertSidToStringSidW: bool('ConvertSidToStringSidW'),
    ConvertStringSecurityDescriptorToSecurityDescriptorW: bool(
      'ConvertStringSecurityDescriptorToSecurityDescriptorW',
    ),
    // The predefined roots are 32-bit values sign-extended to a pointer: 0x80000002 | 0.
    RegOpenKeyExW: (root, ...rest) => regOpen(typeof root === 'number' ? root | 0 : root, ...rest),
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
    RegGetValueW: raw('RegGetValueW'),
    RegCloseKey: raw('RegCloseKey'),
    WTSEnumerateSessionsW: bool('WTSEnumerateSessionsW'),
    decodeSessions: (info, count) =>
      koffi.decode(info, WTS_SESSION_INFOW, count) as WtsSessionInfo[],
    WTSQuerySessionInformationW: bool('WTSQuerySessionInformationW'),
    decodeString16: (p) => koffi.decode(p, 'str16') as string,
    WTSQueryUserToken: bool('WTSQueryUserToken'),
    WTSDisconnectSession: bool('WTSDisconnectSession'),
    WTSLogoffSession: bool('WTSLogoffSession'),
    WTSFreeMemory: raw('WTSFreeMemory'),
    uv_open_osfhandle: raw('uv_open_osfhandle'),
  };
  loaded = w;
  return w;
}
