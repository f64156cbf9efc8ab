import type { Handle, Out, Ptr, Win32, WtsSessionInfo } from '../../src/service/os/windows-win32';

/**
 * A small stand-in for the parts of Windows the service calls: processes with owners,
 * named pipes with their creation flags, WTS sessions, a handle table and allocations.
 * It models what Windows does with each call (including the size-query convention and
 * who frees what), so tests can check the call order and that nothing is leaked.
 */
interface H {
  id: number;
  kind: 'pipe' | 'client' | 'process' | 'token';
  pid?: number;
  sid?: string;
  name?: string;
  clientPid?: number;
}
interface FakeSession {
  id: number;
  station: string;
  state: number;
  user?: string;
  domain?: string;
  sid?: string;
}

export class FakeWin32 implements Win32 {
  readonly calls: string[] = [];
  readonly pipesCreated: { name: string; openMode: number; pipeMode: number; sddl: string }[] = [];
  readonly processes = new Map<number, { sid: string; session: number }>();
  sessions: FakeSession[] = [];
  /** Pipe names some other process already serves (pid of that server). */
  readonly squatted = new Map<string, number>();
  readonly disconnected: number[] = [];
  readonly loggedOff: number[] = [];
  private readonly open = new Map<number, H>();
  private readonly allocated = new Set<object>();
  private next = 100;
  private lastError = 0;
  private waiting: { h: H; resolve: (ok: boolean) => void }[] = [];
  private sdToSddl = new Map<object, string>();

  private handle(h: Omit<H, 'id'>): H {
    const full = { ...h, id: this.next++ };
    this.open.set(full.id, full);
    return full;
  }
  private alloc<T extends object>(v: T): T {
    this.allocated.add(v);
    return v;
  }
  private fail(err: number): false {
    this.lastError = err;
    return false;
  }
  /** Handles and allocations still open (the pipes a running server holds are expected). */
  leaks(): string[] {
    return [
      ...[...this.open.values()].filter((h) => h.kind !== 'pipe').map((h) => `${h.kind} ${h.id}`),
      ...[...this.allocated].map((a) => `memory ${JSON.stringify(a)}`),
    ];
  }
  openPipes(): number {
    return [...this.open.values()].filter((h) => h.kind === 'pipe').length;
  }
  /** A client process connects to the instance the server is waiting on. */
  async clientConnects(pid: number): Promise<void> {
    for (let i = 0; i < 100 && this.waiting.length === 0; i++)
      await new Promise((r) => setTimeout(r, 1));
    const w = this.waiting.shift();
    if (!w) throw new Error('the server is not waiting for a client');
    w.h.clientPid = pid;
    w.resolve(true);
    await new Promise((r) => setTimeout(r, 1));
  }

  CreateNamedPipeW(
    name: string,
    openMode: number,
    pipeMode: number,
    _max: number,
    _o: number,
    _i: number,
    _t: number,
    sa: { lpSecurityDescriptor: Ptr } | null,
  ): Handle {
    this.calls.push('CreateNamedPipeW');
    const first = (openMode & 0x80000) !== 0;
    if (this.squatted.has(name) && first) {
      this.lastError = 5;
      return null;
    }
    this.pipesCreated.push({
      name,
      openMode,
      pipeMode,
      sddl: this.sdToSddl.get(sa?.lpSecurityDescriptor as object) ?? '',
    });
    return this.handle({ kind: 'pipe', name });
  }
  ConnectNamedPipeAsync(pipe: Handle): Promise<boolean> {
    this.calls.push('ConnectNamedPipe');
    return new Promise((resolve) => this.waiting.push({ h: pipe as H, resolve }));
  }
  DisconnectNamedPipe(): boolean {
    this.calls.push('DisconnectNamedPipe');
    return true;
  }
  CloseHandle(h: Handle): boolean {
    this.calls.push(`CloseHandle(${(h as H).kind})`);
    return this.open.delete((h as H).id);
  }
  GetNamedPipeClientProcessId(pipe: Handle, pid: Out<number>): boolean {
    this.calls.push('GetNamedPipeClientProcessId');
    const p = (pipe as H).clientPid;
    if (p === undefined) return this.fail(233);
    pid[0] = p;
    return true;
  }
  GetNamedPipeServerProcessId(pipe: Handle, pid: Out<number>): boolean {
    this.calls.push('GetNamedPipeServerProcessId');
    pid[0] = (pipe as H).pid ?? 0;
    return true;
  }
  OpenProcess(access: number, _inherit: boolean, pid: number): Handle {
    this.calls.push(`OpenProcess(0x${access.toString(16)})`);
    const p = this.processes.get(pid);
    if (!p) {
      this.lastError = 87;
      return null;
    }
    return this.handle({ kind: 'process', pid, sid: p.sid });
  }
  CreateFileW(
    name: string,
    access: number,
    _s: number,
    _sec: null,
    _d: number,
    flags: number,
  ): Handle {
    this.calls.push(`CreateFileW(0x${access.toString(16)}, 0x${flags.toString(16)})`);
    const squatter = this.squatted.get(name);
    if (squatter !== undefined) return this.handle({ kind: 'client', name, pid: squatter });
    const w = this.waiting.shift();
    if (!w) {
      this.lastError = 2;
      return null;
    }
    w.h.clientPid = -1;
    w.resolve(true);
    return this.handle({ kind: 'client', name, pid: 4 });
  }
  ProcessIdToSessionId(pid: number, session: Out<number>): boolean {
    const p = this.processes.get(pid);
    if (!p) return this.fail(87);
    session[0] = p.session;
    return true;
  }
  GetLastError(): number {
    return this.lastError;
  }
  LocalFree(p: Ptr): Ptr {
    this.calls.push('LocalFree');
    this.allocated.delete(p as object);
    return null;
  }
  OpenProcessToken(proc: Handle, access: number, token: Out<Handle>): boolean {
    this.calls.push(`OpenProcessToken(0x${access.toString(16)})`);
    token[0] = this.handle({ kind: 'token', sid: (proc as H).sid });
    return true;
  }
  GetTokenInformation(
    token: Handle,
    infoClass: number,
    buf: Buffer | null,
    len: number,
    returned: Out<number>,
  ): boolean {
    this.calls.push(`GetTokenInformation(${infoClass}, ${buf ? len : 'null'})`);
    const sid = (token as H).sid!;
    const need = 16 + sid.length;
    returned[0] = need;
    if (!buf || len < need) return this.fail(122);
    buf.write(sid, 16, 'latin1');
    return true;
  }
  tokenUserSid(buf: Buffer): Ptr {
    return buf.subarray(16);
  }
  ConvertSidToStringSidW(sid: Ptr, out: Out<Ptr>): boolean {
    this.calls.push('ConvertSidToStringSidW');
    out[0] = this.alloc({ str: (sid as Buffer).toString('latin1') });
    return true;
  }
  ConvertStringSecurityDescriptorToSecurityDescriptorW(
    sddl: string,
    _r: number,
    sd: Out<Ptr>,
  ): boolean {
    this.calls.push('ConvertStringSecurityDescriptorToSecurityDescriptorW');
    if (!sddl.startsWith('D:')) return this.fail(1336);
    const d = this.alloc({ sd: sddl });
    this.sdToSddl.set(d, sddl);
    sd[0] = d;
    return true;
  }
  RegOpenKeyExW(): number {
    throw new Error('not modelled here');
  }
  RegQueryInfoKeyW(): number {
    throw new Error('not modelled here');
  }
  RegEnumValueW(): number {
    throw new Error('not modelled here');
  }
  RegGetValueW(): number {
    throw new Error('not modelled here');
  }
  RegCloseKey(): number {
    throw new Error('not modelled here');
  }
  WTSEnumerateSessionsW(
    _s: Handle,
    _r: number,
    _v: number,
    info: Out<Ptr>,
    count: Out<number>,
  ): boolean {
    this.calls.push('WTSEnumerateSessionsW');
    info[0] = this.alloc({ sessions: this.sessions.length });
    count[0] = this.sessions.length;
    return true;
  }
  decodeSessions(_info: Ptr, count: number): WtsSessionInfo[] {
    return this.sessions
      .slice(0, count)
      .map((s) => ({ SessionId: s.id, pWinStationName: s.station, State: s.state }));
  }
  WTSQuerySessionInformationW(
    _s: Handle,
    session: number,
    infoClass: number,
    buf: Out<Ptr>,
    bytes: Out<number>,
  ): boolean {
    const s = this.sessions.find((x) => x.id === session);
    if (!s) return this.fail(7022);
    const v = infoClass === 5 ? (s.user ?? '') : infoClass === 7 ? (s.domain ?? '') : '';
    buf[0] = this.alloc({ str: v });
    bytes[0] = (v.length + 1) * 2;
    return true;
  }
  decodeString16(p: Ptr): string {
    return (p as { str: string }).str;
  }
  WTSQueryUserToken(session: number, token: Out<Handle>): boolean {
    this.calls.push('WTSQueryUserToken');
    const s = this.sessions.find((x) => x.id === session);
    if (!s?.sid) return this.fail(1008);
    token[0] = this.handle({ kind: 'token', sid: s.sid });
    return true;
  }
  WTSDisconnectSession(_s: Handle, session: number, wait: boolean): boolean {
    this.calls.push(`WTSDisconnectSession(${session}, ${wait})`);
    if (!this.sessions.some((x) => x.id === session)) return this.fail(7022);
    this.disconnected.push(session);
    return true;
  }
  WTSLogoffSession(_s: Handle, session: number, wait: boolean): boolean {
    this.calls.push(`WTSLogoffSession(${session}, ${wait})`);
    if (!this.sessions.some((x) => x.id === session)) return this.fail(7022);
    this.loggedOff.push(session);
    this.sessions = this.sessions.filter((x) => x.id !== session);
    return true;
  }
  WTSFreeMemory(p: Ptr): void {
    this.calls.push('WTSFreeMemory');
    this.allocated.delete(p as object);
  }
  uv_open_osfhandle(): number {
    throw new Error('tests pass their own toSocket');
  }
}
